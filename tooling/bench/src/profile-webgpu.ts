// Profiles one training step on the webgpu backend kernel by kernel, with
// tfjs' stock kernels and with convkit's, in one process and in turns (same
// adapter, same machine state): `pnpm --filter @convkit/bench profile:webgpu [-- options]`.
//
// GPU time per kernel comes from WebGPU timestamp queries, which tfjs'
// webgpu backend writes around every program while `tf.profile()` runs
// (Dawn offers 'timestamp-query' on SwiftShader and lavapipe too). The step
// time is measured separately, without profiling, which serializes the
// programs and would inflate it.
import { initBackend, type KernelSet, useKernels, webgpuKernels } from '@convkit/backend';
import { alexnet, batchFor, lenet5, type Network, trainStepAsync } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import { flagReader, profiledStep, type StepFlags, stepFlags } from './profile-step.js';
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

interface ProfileOptions extends StepFlags {
  sets: KernelSet[];
}

function parse(argv: readonly string[]): ProfileOptions {
  const { get } = flagReader(argv);
  const sets = (get('--kernels') ?? 'stock,convkit').split(',');
  for (const s of sets) {
    if (s !== 'stock' && s !== 'convkit') throw new Error(`--kernels takes stock and/or convkit, received ${s}`);
  }
  return {
    ...stepFlags(argv, { model: 'lenet5', batch: { lenet5: 64, alexnet: 8 }, side: 127, top: 15 }),
    sets: sets as KernelSet[],
  };
}

interface SetResult {
  set: KernelSet;
  rows: KernelRow[];
  stepMs: number;
  loss: number;
}

/**
 * Runs the kernel sets step by step in turn (stock, convkit, stock, …) on one
 * network, so that a machine whose load changes during the run (other
 * processes on a shared CPU, which a software GPU is) weighs on both alike.
 */
async function profileSets(o: ProfileOptions): Promise<{ results: SetResult[]; device: string }> {
  const info = await initBackend('webgpu', { kernels: o.sets[0] ?? 'convkit' });
  const net: Network = o.model === 'lenet5' ? lenet5() : alexnet(1, o.side);
  const { x, y } = batchFor(net, o.batch);
  const optimizer = tf.train.momentum(0.01, 0.9);
  const step = () => trainStepAsync(net, optimizer, x, y);
  const state = o.sets.map((set) => ({ set, times: [] as number[], samples: [] as KernelSample[], loss: 0 }));
  // The first step of each set compiles its shaders; it is neither timed nor profiled.
  for (const s of state) {
    useKernels('webgpu', webgpuKernels, s.set);
    s.loss = await step();
  }
  for (let i = 0; i < o.steps; i++) {
    for (const s of state) {
      useKernels('webgpu', webgpuKernels, s.set);
      const t0 = performance.now();
      s.loss = await step();
      s.times.push(performance.now() - t0);
      s.samples.push(...(await profiledStep(step, i, o.byShape)));
    }
  }
  optimizer.dispose();
  net.dispose();
  tf.dispose([x, y]);
  const results = state.map((s) => ({
    set: s.set,
    rows: aggregateKernels(s.samples, o.steps),
    stepMs: summarize(s.times).medianMs,
    loss: s.loss,
  }));
  return { results, device: info.device.description };
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
  const { results, device } = await profileSets(o);
  for (const r of results) {
    console.log(`\n## ${title}, webgpu (${device}), ${r.set} kernels`);
    console.log(
      `step ${r.stepMs.toFixed(0)} ms (median of ${o.steps}, unprofiled), loss ${r.loss.toFixed(4)} (one network, trained by the sets in turns)\n`,
    );
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
