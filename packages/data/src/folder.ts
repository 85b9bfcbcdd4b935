import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ImageDataset } from './dataset.js';
import { type DecodedImage, decodeImage } from './decode.js';
import { resizeBilinear } from './resize.js';
import { checkIndices, type DatasetSource } from './stream.js';

export interface ImageFolderOptions {
  /** `[height, width]` of every example; images of another size are resized (bilinear, antialiased). Default: the first image's size. */
  size?: [height: number, width: number];
  /** 3 (default): RGB; 1: grey. */
  channels?: 1 | 3;
  /** Passed to `decodeImage`: refuse images that would need more memory to decode (default 512). */
  maxMemoryUsageInMB?: number;
}

/** torchvision's `IMG_EXTENSIONS`: files with these names are examples (PNG and JPEG decode; the rest throw). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'];

const isDirectory = (path: string) => statSync(path).isDirectory();

/** Every folder under `dir` (itself included, hidden ones not), following links, as torchvision's `os.walk(followlinks=True)`. */
function folders(dir: string): string[] {
  const found = [dir];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path))) found.push(...folders(path));
  }
  return found;
}

/**
 * The examples of an image folder in torchvision `ImageFolder`'s order:
 * classes are the sorted sub-folder names; within a class, folders in sorted
 * path order and their image files in sorted name order. Unlike torchvision,
 * hidden entries (`.ipynb_checkpoints`, macOS `._x.jpg`) are skipped.
 */
export function scanImageFolder(dir: string): { classNames: string[]; files: string[]; labels: Uint8Array } {
  if (!isDirectory(dir)) throw new Error(`image folder ${dir} is not a folder`);
  const classNames = readdirSync(dir, { withFileTypes: true })
    .filter(
      (e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isSymbolicLink() && isDirectory(join(dir, e.name)))),
    )
    .map((e) => e.name)
    .sort();
  if (classNames.length === 0) {
    throw new Error(
      `image folder ${dir} has no class sub-folders: put each class's images in a folder of its own (${join(dir, 'cat', '1.png')}, ${join(dir, 'dog', '2.jpg')})`,
    );
  }
  if (classNames.length > 256) {
    throw new RangeError(`image folder ${dir} has ${classNames.length} classes; labels are bytes, so at most 256`);
  }
  const files: string[] = [];
  const labels: number[] = [];
  classNames.forEach((name, label) => {
    const before = files.length;
    for (const folder of folders(join(dir, name)).sort()) {
      const images = readdirSync(folder, { withFileTypes: true })
        .filter((e) => !e.name.startsWith('.') && IMAGE_EXTENSIONS.includes(extname(e.name).toLowerCase()))
        .filter((e) => !(e.isDirectory() || (e.isSymbolicLink() && isDirectory(join(folder, e.name)))))
        .map((e) => e.name)
        .sort();
      for (const image of images) {
        files.push(join(folder, image));
        labels.push(label);
      }
    }
    if (files.length === before) {
      throw new Error(
        `class folder ${join(dir, name)} holds no images (${IMAGE_EXTENSIONS.join(' ')}): add some or remove the folder`,
      );
    }
  });
  return { classNames, files, labels: Uint8Array.from(labels) };
}

function checkOptions(options: ImageFolderOptions): void {
  const { size, channels = 3 } = options;
  if (
    size !== undefined &&
    !(Array.isArray(size) && size.length === 2 && size.every((n) => Number.isInteger(n) && n >= 1))
  ) {
    throw new RangeError(`size must be [height, width], two positive integers; got ${JSON.stringify(size)}`);
  }
  if (channels !== 1 && channels !== 3)
    throw new RangeError(`channels must be 1 or 3, got ${JSON.stringify(channels)}`);
}

/** The image as `height × width` bytes: resized (antialiased bilinear, rounded) when its size differs. */
function fit(image: DecodedImage, height: number, width: number): Uint8Array {
  if (image.height === height && image.width === width) return image.data;
  const resized = resizeBilinear(image.data, image.height, image.width, image.channels, height, width);
  return Uint8Array.from(resized, (v) => Math.min(255, Math.max(0, Math.round(v))));
}

/**
 * Node only: a folder of images, one sub-folder per class (torchvision's
 * `ImageFolder` layout and order), decoded into memory. PNG and JPEG only;
 * files with other image extensions, and corrupt ones, throw `FormatError`
 * naming the file; other files are skipped. `classNames[label]` is the class's
 * folder name, `files[i]` the path of example `i`.
 *
 * @example
 * // flowers/daisy/1.jpg, flowers/rose/2.png, …
 * const data = loadImageFolder('flowers', { size: [64, 64] });
 * console.log(data.classNames, data.count); // [ 'daisy', 'rose' ] 2
 */
export function loadImageFolder(
  dir: string,
  options: ImageFolderOptions = {},
): ImageDataset & { classNames: string[]; files: string[] } {
  checkOptions(options);
  const { channels = 3, maxMemoryUsageInMB = 512 } = options;
  const { classNames, files, labels } = scanImageFolder(dir);
  let images = new Uint8Array(0);
  let [height, width] = options.size ?? [0, 0];
  files.forEach((file, i) => {
    const image = decodeImage(readFileSync(file), file, { channels, maxMemoryUsageInMB });
    if (i === 0) {
      if (!options.size) [height, width] = [image.height, image.width];
      images = new Uint8Array(files.length * height * width * channels);
    }
    images.set(fit(image, height, width), i * height * width * channels);
  });
  return {
    images,
    labels,
    count: files.length,
    height,
    width,
    channels,
    classes: classNames.length,
    classNames,
    files,
  };
}

/**
 * Node only: an image folder (as {@link loadImageFolder} reads it) as a
 * `DatasetSource` that decodes each image when it is read, for folders too
 * large to hold decoded. Opening scans the folder and, without `size`,
 * decodes the first image for its size.
 *
 * @example
 * const source = await openImageFolder('imagenette/train', { size: [160, 160] });
 * for await (const { x, y } of streamBatches(source, { batchSize: 64, augment: { flip: true } })) {
 *   x.dispose();
 *   y.dispose();
 * }
 */
export async function openImageFolder(
  dir: string,
  options: ImageFolderOptions = {},
): Promise<DatasetSource & { classNames: readonly string[]; files: readonly string[] }> {
  checkOptions(options);
  const { channels = 3, maxMemoryUsageInMB = 512 } = options;
  const { classNames, files, labels } = scanImageFolder(dir);
  const load = async (file: string) => decodeImage(await readFile(file), file, { channels, maxMemoryUsageInMB });
  let [height, width] = options.size ?? [0, 0];
  if (!options.size) {
    const first = await load(files[0] as string);
    [height, width] = [first.height, first.width];
  }
  const count = files.length;
  const size = height * width * channels;
  return {
    count,
    height,
    width,
    channels,
    classes: classNames.length,
    classNames,
    files,
    async read(indices) {
      checkIndices(indices, count);
      const images = new Uint8Array(indices.length * size);
      const picked = new Uint8Array(indices.length);
      await Promise.all(
        Array.from(indices, async (index, i) => {
          images.set(fit(await load(files[index] as string), height, width), i * size);
          picked[i] = labels[index] as number;
        }),
      );
      return { images, labels: picked };
    },
  };
}
