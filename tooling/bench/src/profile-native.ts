// Profiles one training step on the native backend (or, with `--backend wasm`,
// convkit's wasm backend) kernel by kernel:
// `pnpm --filter @convkit/bench profile:native [-- options]`. The PyTorch side
// of the same comparison is `python3 torch_profile.py` (same shapes, NCHW).
//
// Time per kernel is the wall time of each tfjs kernel call, which tfjs'
// profiler takes around the kernel through the cpu backend's timer (the
// native backend runs synchronously, so that is the kernel's whole cost).
// The step time is measured separately, without the profiler; the gap
// between it and the kernels' sum is tfjs' own work: dispatch, gradient
// bookkeeping, allocation and disposal.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { alexnet, batchFor, lenet5, type Network, sgdMomentum, trainStepAsync } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import { ALEXNET, LENET5 } from './architectures.js';
import { architectureCost } from './cost.js';
import { BENCH_ROOT } from './peers/paths.js';
import { ensureOpenBlas, PYTHON } from './peers/torch.js';
import { flagReader, profiledStep, type StepFlags, stepFlags } from './profile-step.js';
import { aggregateKernels, type KernelSample, kernelTable } from './profile-table.js';
import { summarize } from './stats.js';
import { formatMs } from './table.js';
import { layerOps } from './workers/layer-ops.js';

const USAGE = `Usage: pnpm --filter @convkit/bench profile:native [-- options]

  --model <id>      alexnet (default) or lenet5
  --batch <n>       default 32 for alexnet, 64 for lenet5 (the bench's batches)
  --side <n>        alexnet's input side (default 224)
  --backend <name>  native (default) or wasm (threaded build at --threads, as the bench's wasm-2t)
  --threads <n>     native or wasm threads (default 2, the bench's)
  --steps <n>       profiled and timed steps (default 3)
  --top <n>         rows in each table (default 30)
  --by-shape        one row per kernel and input shapes, to see which layer's call is slow
  --cpu-time        time each kernel by the CPU time of all threads, not wall time (steadier
                    when other processes share the cores; the step line still gives both)
  --torch           then the same step in PyTorch CPU (torch_bench.py --profile: torch.profiler,
                    same threads, NCHW, on OpenBLAS as the bench runs it)`;

interface ProfileOptions extends StepFlags {
  backend: 'native' | 'wasm';
  threads: number;
  cpuTime: boolean;
  torch: boolean;
}

function parse(argv: readonly string[]): ProfileOptions {
  const { get, int } = flagReader(argv);
  const backend = get('--backend') ?? 'native';
  if (backend !== 'native' && backend !== 'wasm') {
    throw new Error(`--backend takes native or wasm, received ${backend}`);
  }
  return {
    backend,
    ...stepFlags(argv, { model: 'alexnet', batch: { lenet5: 64, alexnet: 32 }, side: 224, top: 30 }),
    threads: int('--threads', 2),
    cpuTime: argv.includes('--cpu-time'),
    torch: argv.includes('--torch'),
  };
}

/** The same step in PyTorch, profiled by torch_bench.py; its table goes to this process's output. */
function profileTorch(o: ProfileOptions): void {
  const architecture = o.model === 'lenet5' ? LENET5 : ALEXNET;
  if (o.model === 'alexnet' && o.side !== architecture.input[0]) {
    throw new Error(
      `--torch profiles AlexNet at the bench's ${architecture.input[0]}×${architecture.input[0]} only, received --side ${o.side}`,
    );
  }
  const job = {
    configuration: { id: 'torch', label: 'PyTorch CPU', engine: 'torch', device: 'cpu' },
    workload: { id: `${o.model}-profile`, batch: o.batch, mode: 'train', architecture },
    policy: { warmupRuns: 2, warmupMinMs: 0, maxRuns: o.steps, budgetMs: 0 },
    threads: o.threads,
    params: architectureCost(architecture).params,
    profile: { steps: o.steps, top: o.top, byShape: o.byShape },
  };
  const blas = ensureOpenBlas((line) => console.log(line));
  const env = blas
    ? { ...process.env, LD_LIBRARY_PATH: [blas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') }
    : process.env;
  console.log(`\n## the same step in PyTorch CPU, ${o.threads} threads, ${blas ? 'OpenBLAS' : "the system's BLAS"}`);
  const child = spawnSync(PYTHON, [join(BENCH_ROOT, 'torch_bench.py'), '--profile', JSON.stringify(job)], {
    env,
    stdio: 'inherit',
  });
  if (child.status !== 0) throw new Error(`torch_bench.py --profile exited with ${child.status ?? child.signal}`);
}

/**
 * Makes tfjs' profiler time kernels by CPU time. It calls the backend's
 * `time(f)`, which runs the kernel synchronously on this (cpu-derived) backend.
 */
function timeByCpu(): void {
  const backend = tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> };
  backend.time = async (f) => {
    const start = process.cpuUsage();
    f();
    const used = process.cpuUsage(start);
    return { kernelMs: (used.user + used.system) / 1000 };
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  const o = parse(argv);
  const info = await initBackend(o.backend, { threads: o.threads });
  if (o.cpuTime) timeByCpu();
  // The ops the bench's native and wasm rows run (workers/layer-ops.ts).
  const ops = layerOps('convkit');
  const net: Network = o.model === 'lenet5' ? lenet5(1, ops) : alexnet(1, o.side, ops);
  const { x, y } = batchFor(net, o.batch);
  // The bench's optimizer: one fused update per step where the backend has it.
  const optimizer = sgdMomentum(0.01, 0.9);
  const step = () => trainStepAsync(net, optimizer, x, y);
  // The first step builds oneDNN's primitives and the optimizer's slots, the second still allocates
  // what the first one's disposals did not leave for reuse: neither is timed nor profiled.
  let loss = await step();
  loss = await step();
  const times: number[] = [];
  const cpu: number[] = [];
  const faults: number[] = [];
  const samples: KernelSample[] = [];
  for (let i = 0; i < o.steps; i++) {
    const [t0, usage0] = [performance.now(), process.resourceUsage()];
    loss = await step();
    const usage = process.resourceUsage();
    times.push(performance.now() - t0);
    cpu.push((usage.userCPUTime + usage.systemCPUTime - usage0.userCPUTime - usage0.systemCPUTime) / 1000);
    faults.push(usage.minorPageFault - usage0.minorPageFault);
    samples.push(...(await profiledStep(step, i, o.byShape)));
  }
  optimizer.dispose();
  net.dispose();
  tf.dispose([x, y]);
  const rows = aggregateKernels(samples, o.steps);
  const stepMs = summarize(times).medianMs;
  const kernelsMs = rows.reduce((t, r) => t + r.msPerStep, 0);
  const title =
    o.model === 'lenet5'
      ? `LeNet-5 train step, batch ${o.batch}`
      : `AlexNet train step, batch ${o.batch}, ${o.side}×${o.side}×3`;
  console.log(`\n## ${title}, ${o.backend} (${info.device.description}), ${info.threads ?? o.threads} threads`);
  console.log(
    `step ${formatMs(stepMs)} ms (median of ${o.steps}, unprofiled), kernels ${formatMs(kernelsMs)} ms, ` +
      `tfjs outside kernels ≈ ${formatMs(Math.max(0, stepMs - kernelsMs))} ms; loss ${loss.toFixed(4)}`,
  );
  // CPU time and page faults change little with the machine's load, unlike wall time: a fresh
  // array's first touch faults every 4 KiB page in, which is slow in a virtual machine.
  console.log(
    `CPU time ${formatMs(summarize(cpu).medianMs)} ms per step (all threads), ` +
      `${Math.round(summarize(faults).medianMs)} minor page faults per step; load average ${os.loadavg()[0]?.toFixed(1)}\n`,
  );
  console.log(kernelTable(rows, o.top, o.cpuTime ? 'CPU ms/step' : 'ms/step'));
  if (o.torch) profileTorch(o);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
