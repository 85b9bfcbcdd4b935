import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { concatDatasets, parseCifar } from './cifar.js';
import type { ImageDataset } from './dataset.js';
import type { Split } from './mnist.js';

/**
 * CIFAR-10 from the folder of its binary version (`cifar-10-batches-bin`):
 * `data_batch_1.bin` … `data_batch_5.bin` (train, 50,000) or `test_batch.bin` (10,000).
 */
export function loadCifar10(dir: string, { split = 'train' }: { split?: Split } = {}): ImageDataset {
  const files = split === 'train' ? [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`) : ['test_batch.bin'];
  return concatDatasets(files.map((f) => parseCifar(readFileSync(join(dir, f)), join(dir, f), 'cifar10')));
}

/** CIFAR-100 from the folder of its binary version (`cifar-100-binary`): `train.bin` or `test.bin`, fine or coarse labels. */
export function loadCifar100(
  dir: string,
  { split = 'train', labels = 'fine' }: { split?: Split; labels?: 'fine' | 'coarse' } = {},
): ImageDataset {
  const file = join(dir, split === 'train' ? 'train.bin' : 'test.bin');
  return parseCifar(readFileSync(file), file, labels === 'fine' ? 'cifar100-fine' : 'cifar100-coarse');
}
