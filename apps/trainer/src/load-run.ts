import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { augmentedShape } from '@convkit/data';
import { FormatError } from '@convkit/io';
import type { Layer } from '@convkit/layers';
import { decodeCheckpoint, loadWeights } from '@convkit/train/node';
import type { TrainConfig } from './config.js';
import { UsageError } from './errors.js';
import { buildModel } from './model.js';
import { readRunJson } from './run-folder.js';

/** A trained model, rebuilt from a run folder (its best, else last checkpoint) or from a checkpoint file. */
export interface LoadedRun {
  dir: string;
  checkpoint: string;
  config: TrainConfig;
  model: Layer;
  input: [number, number, number];
  classes: number;
}

export function loadRun(target: string): LoadedRun {
  if (!existsSync(target)) throw new UsageError(`${target}: no such run folder or checkpoint file`);
  let file = target;
  let dir = dirname(dirname(target));
  if (statSync(target).isDirectory()) {
    dir = target;
    file =
      ['best', 'last'].map((n) => join(target, 'checkpoints', `${n}.safetensors`)).find((p) => existsSync(p)) ?? '';
    if (!file)
      throw new UsageError(
        `${target} has no checkpoint (expected checkpoints/best.safetensors or checkpoints/last.safetensors)`,
      );
  }
  const checkpoint = decodeCheckpoint(new Uint8Array(readFileSync(file)), file);
  const config = (checkpoint.extra as { config?: TrainConfig } | null)?.config;
  if (!config) throw new UsageError(`${file} was not written by convkit train (it holds no run configuration)`);
  // The first kernel's input channels and the last layer's units give the input depth and the classes.
  const weights = [...checkpoint.weights.entries()];
  const kernel = weights.find(([n, w]) => n.endsWith('/kernel') && w.shape.length === 4)?.[1];
  const last = weights.filter(([n]) => n.endsWith('/bias') || n.endsWith('/kernel')).at(-1)?.[1];
  const channels = kernel?.shape[2] ?? 1;
  const classes = last?.shape.at(-1) ?? 10;
  const size = savedInputSize(dir, config);
  const input = [...(config.augment ? augmentedShape(config.augment, size[0], size[1]) : size), channels] as [
    number,
    number,
    number,
  ];
  const model = buildModel(config.model, input, classes);
  model.build(input, { seed: config.seed });
  loadWeights(model, checkpoint.weights, file);
  return { dir, checkpoint: file, config, model, input, classes };
}

/** The data's image size, from the run's environment record; MNIST's 28×28 otherwise. */
function savedInputSize(dir: string, config: TrainConfig): [number, number] {
  const path = join(dir, 'data.json');
  if (existsSync(path)) {
    const { height, width } = (readRunJson(path) ?? {}) as { height?: unknown; width?: unknown };
    if (
      !(Number.isSafeInteger(height) && Number.isSafeInteger(width) && (height as number) > 0 && (width as number) > 0)
    )
      throw new FormatError(
        path,
        0,
        `"height" and "width" must be positive integers, found ${JSON.stringify(height)} and ${JSON.stringify(width)}`,
      );
    return [height as number, width as number];
  }
  return config.data.startsWith('cifar') ? [32, 32] : [28, 28];
}
