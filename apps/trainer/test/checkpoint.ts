import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Layer } from '@convkit/layers';
import { encodeCheckpoint } from '@convkit/train/node';

/**
 * A run folder as `convkit train` leaves it after one epoch: `<run>/checkpoints/last.safetensors`
 * holding `model`'s weights and the run's `config`.
 */
export async function writeRunFolder(run: string, model: Layer, config: Record<string, unknown>): Promise<string> {
  const progress = {
    epoch: 1,
    batch: 0,
    step: 10,
    history: [{ epoch: 0, lr: 0.01, trainLoss: 1, trainTop1Error: 0.5, seconds: 1, examplesPerSecond: 10 }],
    best: { validationLoss: 1, epoch: 0 },
    epochsWithoutImprovement: 0,
    schedule: { scale: 1, best: 1, badEpochs: 0, cooldownLeft: 0 },
    partial: { lossSum: 0, correct: 0, seen: 0, seconds: 0 },
  };
  mkdirSync(join(run, 'checkpoints'), { recursive: true });
  const bytes = await encodeCheckpoint(model, { steps: 10, slots: {} }, progress as never, { config });
  writeFileSync(join(run, 'checkpoints', 'last.safetensors'), bytes);
  return run;
}
