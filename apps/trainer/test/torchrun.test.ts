import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeCheckpoint } from '@convkit/train/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetrics } from '../src/run-folder.js';
import { cli } from './cli.js';

/**
 * The PyTorch round trip end to end: `convkit export lenet5-modern --format
 * pytorch`, `torchrun --nproc_per_node=2` (gloo, CPU), `convkit import`,
 * `convkit eval`; ten steps of DDP against ten of convkit; 2 epochs of MNIST
 * against convkit's 2 epochs; a run killed after epoch 1 that `--resume`
 * continues. Skipped without a Python that imports torch (CI installs
 * Debian's python3-torch). Measured on the shared 2-core development machine: 272 s as committed
 * (load average falling from ~20 to ~8), 850 s with CONVKIT_REFERENCE_RUN=1 (convkit's own 2 epochs
 * added) at load ~20, where each PyTorch rank got 10–20 % of a core; on an idle machine here a
 * PyTorch MNIST epoch takes 3.4 s (FACTS.md).
 */

/**
 * The recipe both sides train: the paper's LeNet-5 numbers (SGD, momentum 0.9, weight decay 0.0005,
 * batch 64, lr 0.05 for the first epoch) then lr ÷ 10 for the second, so the test error does not
 * swing with the last few hundred steps. At the recipe's constant 0.05, two runs that differ only in
 * float rounding ended 0.43 points apart (test error 1.40 % convkit, 1.83 % PyTorch DDP), and with a
 * cosine over the 2 epochs (0.05 then 0.025; convkit 1.42 %) the second epoch still moves a lot.
 */
const CONFIG = { recipe: 'lenet5', epochs: 2, schedule: { type: 'step', stepSize: 1, gamma: 0.1 } };

// Debian's torch 1.13 under Python 3.11 needs --redirects/--tee to launch at all (see the export's README).
const LAUNCH = ['-m', 'torch.distributed.run', '--redirects', '1', '--tee', '1', '--nproc_per_node=2'];

/** A Python with torch: `python3`, or Debian's own where a pyenv `python3` comes first on PATH. */
const python = ['python3', '/usr/bin/python3'].find((candidate) => {
  try {
    execFileSync(candidate, ['-c', 'import torch.distributed'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

/**
 * convkit's own result for the same export and CONFIG (seed 0, the 55,000 / 5,000 split):
 * `convkit train lenet5-modern --config <CONFIG>` and its test evaluation, measured on this 2-core
 * machine on 2026-12-07 (this test with CONVKIT_REFERENCE_RUN=1, native backend, load average ~20):
 * test top-1 error 1.16 % (accuracy 98.84 %); the PyTorch DDP run beside it gave 1.20 %. Set
 * CONVKIT_REFERENCE_RUN=1 to train it again here instead of using the recorded number (3–4 minutes
 * on native under load).
 */
const CONVKIT_TEST_ERROR = 0.0116;

/** Runs train.py under torchrun in `cwd`; `stopAfter` kills the whole process group once that line is printed. */
function torchrun(cwd: string, args: string[], stopAfter?: RegExp): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python as string, [...LAUNCH, 'train.py', ...args], { cwd, detached: true });
    let output = '';
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (stopAfter?.test(output) && child.pid) process.kill(-child.pid, 'SIGKILL');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function convkitReference(root: string, config: string): Promise<number> {
  if (process.env.CONVKIT_REFERENCE_RUN !== '1') return CONVKIT_TEST_ERROR;
  const out = join(root, 'convkit-run');
  const trained = await cli('train', 'lenet5-modern', '--config', config, '--out', out);
  expect(trained.code, trained.err).toBe(0);
  return (JSON.parse(readFileSync(join(out, 'evaluation.json'), 'utf8')) as { top1Error: number }).top1Error;
}

// Needs no torch: refusals happen before anything runs.
describe('PyTorch export and import of what they cannot take', () => {
  const root = mkdtempSync(join(tmpdir(), 'convkit-pytorch-bad-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('exits 1 naming the layer that has no PyTorch form', async () => {
    const plugin = fileURLToPath(new URL('./channel-gain-plugin.ts', import.meta.url));
    const out = join(root, 'gained');
    const result = await cli('export', 'gained-net', '--format', 'pytorch', '--out', out, '--import', plugin);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/gain1/);
    expect(result.err).toMatch(/channelGain/);
  }, 120_000);

  it('explains what an export folder holds when given another folder', async () => {
    const result = await cli('import', root);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      /is not a convkit PyTorch export: convkit-export\.json, model\.py, train\.py, weights\.safetensors missing/,
    );
    expect(result.err).toMatch(/run\/checkpoints\/last\.safetensors/);
    const missing = await cli('import', join(root, 'nothing-here'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such folder/);
  });
});

describe.skipIf(!python)('convkit export --format pytorch → torchrun (DDP) → convkit import', () => {
  const root = mkdtempSync(join(tmpdir(), 'convkit-torchrun-'));
  const exported = join(root, 'export');
  const config = join(root, 'config.json');

  beforeAll(async () => {
    writeFileSync(config, JSON.stringify(CONFIG));
    const result = await cli('export', 'lenet5-modern', '--format', 'pytorch', '--config', config, '--out', exported);
    expect(result.code, result.err).toBe(0);
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes the same 10 steps on 2 ranks as convkit in one process (weights within 1e-5)', async () => {
    const limit = ['--epochs', '1', '--limit', '640'];
    const run = await torchrun(exported, [...limit, '--out', 'ten-steps']);
    expect(run.code, run.output).toBe(0);
    const own = join(root, 'convkit-ten-steps');
    const trained = await cli('train', 'lenet5-modern', '--config', config, ...limit, '--out', own);
    expect(trained.code, trained.err).toBe(0);
    const read = (file: string) => decodeCheckpoint(new Uint8Array(readFileSync(file)), file);
    const theirs = read(join(exported, 'ten-steps', 'checkpoints', 'last.safetensors'));
    const ours = read(join(own, 'checkpoints', 'last.safetensors'));
    expect(theirs.progress.step).toBe(10);
    expect([...theirs.weights.keys()]).toEqual([...ours.weights.keys()]);
    let worst = 0;
    for (const [name, { data }] of ours.weights) {
      const other = theirs.weights.get(name)?.data as Float32Array;
      for (let i = 0; i < data.length; i++)
        worst = Math.max(worst, Math.abs((data[i] as number) - (other[i] as number)));
    }
    console.log(`10 steps: max |PyTorch DDP − convkit| over the weights ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-5);
  }, 600_000);

  it('trains 2 epochs on 2 ranks with identical weights, and convkit evaluates it like its own run', async () => {
    const run = await torchrun(exported, ['--epochs', '2', '--out', 'run']);
    expect(run.code, run.output).toBe(0);
    const sums = [0, 1].map((r) => readFileSync(join(exported, 'run', `rank-${r}.sha256`), 'utf8').trim());
    expect(sums[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(sums[1], 'rank 1 ends with rank 0’s weights').toBe(sums[0]);
    expect(readMetrics(join(exported, 'run')).map((r) => r.epoch)).toEqual([0, 1]);

    const imported = join(root, 'imported');
    const done = await cli('import', exported, '--out', imported);
    expect(done.code, done.err).toBe(0);
    const evaluated = await cli('eval', imported, '--json', '--backend', 'cpu');
    expect(evaluated.code, evaluated.err).toBe(0);
    const { top1Error, examples } = JSON.parse(evaluated.out) as { top1Error: number; examples: number };
    expect(examples).toBe(10_000);
    // The imported folder is an ordinary run: ONNX export, pictures and the report read it.
    const onnx = await cli('export', imported, '--format', 'onnx', '--out', join(root, 'lenet.onnx'));
    expect(onnx.code, onnx.err).toBe(0);
    const pictures = await cli('viz', imported, 'filters', '--backend', 'cpu');
    expect(pictures.code, pictures.err).toBe(0);
    expect(readFileSync(join(imported, 'report.html'), 'utf8')).toContain('lenet5-modern');
    const reference = await convkitReference(root, config);
    console.log(`test error: PyTorch DDP ${(100 * top1Error).toFixed(2)} %, convkit ${(100 * reference).toFixed(2)} %`);
    expect(Math.abs(top1Error - reference)).toBeLessThanOrEqual(0.003);
  }, 900_000);

  it('continues a run killed after epoch 1 from its checkpoint', async () => {
    const args = ['--epochs', '2', '--limit', '12000', '--out', 'stopped'];
    const killed = await torchrun(exported, args, /epoch 1\/2/);
    expect(killed.output).toMatch(/epoch 1\/2/);
    const first = readMetrics(join(exported, 'stopped'));
    expect(first.map((r) => r.epoch)).toEqual([0]);

    const resumed = await torchrun(exported, [...args, '--resume']);
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).not.toMatch(/epoch 1\/2/);
    expect(resumed.output).toMatch(/epoch 2\/2/);
    const metrics = readMetrics(join(exported, 'stopped'));
    expect(metrics.map((r) => r.epoch)).toEqual([0, 1]);
    expect(metrics[0]).toEqual(first[0]);
  }, 900_000);
});
