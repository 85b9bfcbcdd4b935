// What the profile scripts (profile-webgpu.ts, profile-native.ts) share: their
// flag reading and one profiled step's kernels.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelSample } from './profile-table.js';

/** `--flag value` readers over argv, with a positive-integer one that names the flag in its error. */
export function flagReader(argv: readonly string[]) {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (flag: string, fallback: number) => {
    const raw = get(flag);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a positive integer, received ${raw}`);
    return n;
  };
  return { get, int };
}

/** The flags both profile scripts read: which step (model, batch, side), how many steps, how many rows. */
export interface StepFlags {
  model: 'lenet5' | 'alexnet';
  batch: number;
  side: number;
  steps: number;
  top: number;
  byShape: boolean;
}

/** Reads `StepFlags` from argv; each script gives its own defaults (per model for the batch). */
export function stepFlags(
  argv: readonly string[],
  defaults: { model: StepFlags['model']; batch: Record<StepFlags['model'], number>; side: number; top: number },
): StepFlags {
  const { get, int } = flagReader(argv);
  const model = get('--model') ?? defaults.model;
  if (model !== 'lenet5' && model !== 'alexnet') throw new Error(`--model takes lenet5 or alexnet, received ${model}`);
  return {
    model,
    batch: int('--batch', defaults.batch[model]),
    side: int('--side', defaults.side),
    steps: int('--steps', 3),
    top: int('--top', defaults.top),
    byShape: argv.includes('--by-shape'),
  };
}

/**
 * The kernels of one profiled step with the time tfjs' profiler gives each
 * (the backend's timer: GPU time on webgpu, the kernel's wall time on the CPU
 * backends); `byShape` names each by kernel and input shapes.
 */
export async function profiledStep(
  step: () => Promise<number>,
  index: number,
  byShape: boolean,
): Promise<KernelSample[]> {
  const samples: KernelSample[] = [];
  const profile = await tf.profile(step);
  for (const k of profile.kernels) {
    const ms = await k.kernelTimeMs;
    if (typeof ms !== 'number') throw new Error(`no time for ${k.name}: ${ms.error}`);
    const shapes = k.inputShapes.map((s) => (s ? s.join('×') : '–')).join(', ');
    samples.push({ name: byShape ? `${k.name} ${shapes}` : k.name, ms, step: index });
  }
  return samples;
}
