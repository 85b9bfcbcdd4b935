import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type CifarVariant, concatDatasets, parseCifar } from './cifar.js';
import type { ImageDataset } from './dataset.js';
import { FormatError } from './errors.js';
import type { Split } from './mnist.js';

/** What a CIFAR binary folder holds and how its records are laid out, for messages about a missing file. */
function cifarFolderLayout(variant: CifarVariant): string {
  const planes = 'then 1024 red, 1024 green and 1024 blue bytes, each plane 32×32 row-major';
  return variant === 'cifar10'
    ? `a CIFAR-10 binary folder (cifar-10-batches-bin) holds data_batch_1.bin … data_batch_5.bin (10,000 training images each) and test_batch.bin (10,000 test images), as 3073-byte records: 1 label byte (0–9), ${planes}`
    : `a CIFAR-100 binary folder (cifar-100-binary) holds train.bin (50,000 images) and test.bin (10,000), as 3074-byte records: a coarse label byte (0–19), a fine label byte (0–99), ${planes}`;
}

/**
 * The error for a CIFAR file that is not there: its folder, what the folder
 * holds instead (and the dataset's own folder inside it, when the user
 * pointed at the parent), and what it should hold.
 */
export function missingCifarFile(path: string, variant: CifarVariant): FormatError {
  const dir = dirname(path);
  const layout = cifarFolderLayout(variant);
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return new FormatError(path, 0, `${dir} does not exist (or is not a folder); ${layout}`);
  }
  const inner = variant === 'cifar10' ? 'cifar-10-batches-bin' : 'cifar-100-binary';
  const hint = entries.includes(inner) ? `; did you mean ${join(dir, inner)}?` : '';
  const shown = entries.slice(0, 8).join(', ') + (entries.length > 8 ? ` and ${entries.length - 8} more` : '');
  const found = entries.length === 0 ? 'it is empty' : `it holds ${shown}`;
  return new FormatError(path, 0, `${dir} has no ${basename(path)}: ${layout}. Instead ${found}${hint}`);
}

/** Reads a CIFAR file; a missing one is a `FormatError` that says what the folder should hold. */
function readCifarFile(path: string, variant: CifarVariant): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') throw missingCifarFile(path, variant);
    throw error;
  }
}

/**
 * CIFAR-10 from the folder of its binary version (`cifar-10-batches-bin`):
 * `data_batch_1.bin` … `data_batch_5.bin` (train, 50,000) or `test_batch.bin` (10,000).
 * A missing file is a `FormatError` naming it, the folder and the layout it expects.
 */
export function loadCifar10(dir: string, { split = 'train' }: { split?: Split } = {}): ImageDataset {
  const files = split === 'train' ? [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`) : ['test_batch.bin'];
  return concatDatasets(files.map((f) => parseCifar(readCifarFile(join(dir, f), 'cifar10'), join(dir, f), 'cifar10')));
}

/**
 * CIFAR-100 from the folder of its binary version (`cifar-100-binary`): `train.bin` or `test.bin`, fine or coarse labels.
 * A missing file is a `FormatError` naming it, the folder and the layout it expects.
 */
export function loadCifar100(
  dir: string,
  { split = 'train', labels = 'fine' }: { split?: Split; labels?: 'fine' | 'coarse' } = {},
): ImageDataset {
  const file = join(dir, split === 'train' ? 'train.bin' : 'test.bin');
  const variant = labels === 'fine' ? 'cifar100-fine' : 'cifar100-coarse';
  return parseCifar(readCifarFile(file, variant), file, variant);
}
