// Profiles one training step on the webgpu backend kernel by kernel, with
// tfjs' stock kernels and with convkit's, in one process (same adapter, same
// machine state): `pnpm --filter @convkit/bench profile:webgpu [-- options]`.
//
// GPU time per kernel comes from WebGPU timestamp queries, which tfjs'
// webgpu backend writes around every program while `tf.profile()` runs
// (Dawn offers 'timestamp-query' on SwiftShader and lavapipe too). The step
// time is measured separately, without profiling, which serializes the
// programs and would inflate it.
import { initBackend, type KernelSet } from '@convkit/backend';
import { alexnet, batchFor, lenet5, type Network, trainStepAsync } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import { aggregateKernels, comparisonTable, type KernelRow, type KernelSample, kernelTable } from './profile-table.js';
import { summarize } from './stats.js';

const USAGE = `Usage: pnpm --filter @convkit/bench profile:webgpu [-- options]

  --model <id>      lenet5 (default) or alexnet
  --batch <n>       default 64 for lenet5, 8 for alexnet
  --side <n>        alexnet's input side (default 127; 224 is the paper's; at least 63)
  --steps <n>       profiled and timed steps per kernel set (default 3)
  --kernels <sets>  stock,convkit (default), or one of them
  --top <n>         rows in each table (default 15)
  --by-shape        one row per kernel and input shapes, to see which layer's call is slow`;

interface ProfileOptions {
  model: 'lenet5' | 'alexnet';
  batch: number;
  side: number;
  steps: number;
  sets: KernelSet[];
  top: number;
  byShape: boolean;
}

function parse(argv: readonly string[]): ProfileOptions {
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
  const model = get('--model') ?? 'lenet5';
  if (model !== 'lenet5' && model !== 'alexnet') throw new Error(`--model takes lenet5 or alexnet, received ${model}`);
  const sets = (get('--kernels') ?? 'stock,convkit').split(',');
  for (const s of sets) {
    if (s !== 'stock' && s !== 'convkit') throw new Error(`--kernels takes stock and/or convkit, received ${s}`);
  }
  return {
    model,
    batch: int('--batch', model === 'lenet5' ? 64 : 8),
    side: int('--side', 127),
    steps: int('--steps', 3),
    sets: sets as KernelSet[],
    top: int('--top', 15),
    byShape: argv.includes('--by-shape'),
  };
}

interface SetResult {
  set: KernelSet;
  rows: KernelRow[];
  stepMs: number;
  loss: number;
  device: string;
}

async function profileSet(set: KernelSet, o: ProfileOptions): Promise<SetResult> {
  const info = await initBackend('webgpu', { kernels: set });
  const net: Network = o.model === 'lenet5' ? lenet5() : alexnet(1, o.side);
  const { x, y } = batchFor(net, o.batch);
  const optimizer = tf.train.momentum(0.01, 0.9);
  const step = () => trainStepAsync(net, optimizer, x, y);
  // The first step compiles every shader; it is neither timed nor profiled.
  let loss = await step();
  const times: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const t0 = performance.now();
    loss = await step();
    times.push(performance.now() - t0);
  }
  const samples: KernelSample[] = [];
  for (let i = 0; i < o.steps; i++) {
    const profile = await tf.profile(step);
    for (const k of profile.kernels) {
      const ms = await k.kernelTimeMs;
      if (typeof ms !== 'number') throw new Error(`no GPU time for ${k.name}: ${ms.error}`);
      samples.push({ name: o.byShape ? `${k.name} ${k.inputShapes.map((s) => s.join('×')).join(', ')}` : k.name, ms });
    }
  }
  optimizer.dispose();
  net.dispose();
  tf.dispose([x, y]);
  return {
    set,
    rows: aggregateKernels(samples, o.steps),
    stepMs: summarize(times).medianMs,
    loss,
    device: info.device.description,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const o = parse(argv);
  const title =
    o.model === 'lenet5'
      ? `LeNet-5 train step, batch ${o.batch}`
      : `AlexNet train step, batch ${o.batch}, ${o.side}×${o.side}×3`;
  const results: SetResult[] = [];
  for (const set of o.sets) {
    const r = await profileSet(set, o);
    results.push(r);
    console.log(`\n## ${title}, webgpu (${r.device}), ${set} kernels`);
    console.log(`step ${r.stepMs.toFixed(0)} ms (median of ${o.steps}, unprofiled), loss ${r.loss.toFixed(4)}\n`);
    console.log(kernelTable(r.rows, o.top));
  }
  const [stock, convkit] = [results.find((r) => r.set === 'stock'), results.find((r) => r.set === 'convkit')];
  if (stock && convkit) {
    console.log(`\n## ${title}: stock vs convkit kernels, GPU ms per step`);
    console.log(
      `step ${stock.stepMs.toFixed(0)} → ${convkit.stepMs.toFixed(0)} ms (${(stock.stepMs / convkit.stepMs).toFixed(1)}×)\n`,
    );
    console.log(comparisonTable(stock.rows, convkit.rows, o.top));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
