import { ALEXNET, type Architecture, CONV3X3, LENET5, SGEMM, VGG16 } from './architectures.js';

export type WorkloadId = 'lenet5' | 'alexnet' | 'alexnet-train' | 'vgg16' | 'conv3x3' | 'sgemm' | 'mnist';

/** One thing every configuration times: a network, a batch, and whether it trains. */
export interface Workload {
  id: WorkloadId;
  title: string;
  architecture: Architecture;
  batch: number;
  /**
   * `train`: forward, backward and an SGD-with-momentum update; `forward`:
   * inference only; `epoch`: one pass of training steps over a dataset.
   */
  mode: 'train' | 'forward' | 'epoch';
  /** `epoch` only: the dataset and its size (a run is ⌈examples / batch⌉ steps). */
  dataset?: { name: 'mnist'; examples: number };
  /** A lighter workload whose measured rate predicts this one's time, to skip it where it would be too slow. */
  predictFrom?: WorkloadId;
}

/**
 * In run order: AlexNet's forward comes before its training step and VGG-16,
 * so that their time can be predicted and skipped where too slow.
 */
export const WORKLOADS: readonly Workload[] = [
  { id: 'lenet5', title: 'LeNet-5 train step, batch 64', architecture: LENET5, batch: 64, mode: 'train' },
  { id: 'alexnet', title: 'AlexNet forward, batch 1', architecture: ALEXNET, batch: 1, mode: 'forward' },
  {
    id: 'alexnet-train',
    title: 'AlexNet train step, batch 32',
    architecture: ALEXNET,
    batch: 32,
    mode: 'train',
    predictFrom: 'alexnet',
  },
  {
    id: 'vgg16',
    title: 'VGG-16 forward, batch 1',
    architecture: VGG16,
    batch: 1,
    mode: 'forward',
    predictFrom: 'alexnet',
  },
  { id: 'conv3x3', title: 'conv 3×3 64→64 56², batch 8', architecture: CONV3X3, batch: 8, mode: 'forward' },
  {
    id: 'sgemm',
    title: 'SGEMM 2048³ (dense 2048→2048, batch 2048)',
    architecture: SGEMM,
    batch: 2048,
    mode: 'forward',
    predictFrom: 'conv3x3',
  },
  {
    id: 'mnist',
    title: 'LeNet-5 epoch on MNIST (60,000, batch 64)',
    architecture: LENET5,
    batch: 64,
    mode: 'epoch',
    dataset: { name: 'mnist', examples: 60_000 },
    predictFrom: 'lenet5',
  },
];

export function workloadById(id: string): Workload | undefined {
  return WORKLOADS.find((w) => w.id === id);
}
