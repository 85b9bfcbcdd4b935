import type { EpochRecord } from './checkpoint.js';

/** Why `fit` returned. */
export type StopReason = 'completed' | 'aborted' | 'earlyStopping';

/**
 * What `fit` reports, in order: `trainStart`, then per epoch `epochStart`,
 * `batchEnd` × batches, `epochEnd`, `checkpoint` (when saved), and finally
 * `trainEnd`. Plain data, so a listener can print it, chart it or write it
 * as JSON lines.
 */
export type FitEvent =
  | {
      type: 'trainStart';
      epochs: number;
      batchesPerEpoch: number;
      examples: number;
      /** Where training starts (> 0 after a resume). */
      epoch: number;
      batch: number;
      backend: string;
      /** The finished epochs so far (from the checkpoint after a resume): the record a listener's own log must match. */
      history: EpochRecord[];
    }
  | { type: 'epochStart'; epoch: number; epochs: number; lr: number }
  | {
      type: 'batchEnd';
      epoch: number;
      batch: number;
      batches: number;
      step: number;
      loss: number;
      /** Top-1 accuracy of this batch, in training mode. */
      accuracy: number;
      lr: number;
      examplesPerSecond: number;
      /** Seconds left in this epoch at the current pace. */
      eta: number;
    }
  | { type: 'epochEnd'; epochs: number; record: EpochRecord }
  | { type: 'checkpoint'; name: string; location: string; epoch: number; batch: number }
  | { type: 'trainEnd'; reason: StopReason; history: EpochRecord[] };

export type FitListener = (event: FitEvent) => void | Promise<void>;
