import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built CLI, as `pnpm convkit` and the README run it (the test command builds it first).
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function convkit(args: string[], onStdout?: (text: string, child: ChildProcess) => void): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function chromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {}
  }
  return undefined;
}

// The steps of the end-to-end run, in order: each checks what it leaves in the run folder `dir`.

/** 1. Train; Ctrl-C (SIGINT) once the first epoch is done: the run stops after a batch, with a checkpoint. */
async function trainAndInterrupt(dir: string, common: string[]): Promise<void> {
  let interrupted = false;
  const first = await convkit(
    // The paper's recipe, whose constant first epochs this short run was tuned on (the default lenet5-fast warms up).
    [
      'train',
      'lenet5-modern',
      '--data',
      'mnist',
      '--recipe',
      'lenet5',
      '--limit',
      '3000',
      '--epochs',
      '3',
      '--batch',
      '32',
      ...common,
    ],
    (text, child) => {
      if (!interrupted && text.includes('epoch 1/3')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    },
  );
  expect(first.stderr).not.toMatch(/Error|at .*\.js/);
  expect(first.code).toBe(130);
  expect(first.stdout).toContain(`continue with: convkit train --resume ${dir}`);
  expect(existsSync(join(dir, 'checkpoints', 'last.safetensors'))).toBe(true);
  expect(existsSync(join(dir, 'report.html'))).toBe(false);
}

/**
 * 2. Resume: it continues from the checkpoint and finishes the three epochs. Left behind as a kill
 * would leave them: torn temporaries of atomic writes and an epoch appended twice to metrics.jsonl.
 */
async function resumeOverTornWrites(dir: string): Promise<void> {
  const stale = [
    '.config.json.0123456789ab.tmp',
    '.report.html.a1b2c3d4e5f6.tmp',
    'checkpoints/.best.safetensors.00aa11bb22cc.tmp',
  ];
  for (const f of stale) writeFileSync(join(dir, f), 'torn');
  const metricsPath = join(dir, 'metrics.jsonl');
  writeFileSync(metricsPath, readFileSync(metricsPath, 'utf8').repeat(2));
  const resumed = await convkit(['train', '--resume', dir, '--backend', 'wasm']);
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stdout).toMatch(/resuming at epoch 2 batch \d+/);
  const epochs = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).epoch);
  expect(epochs).toEqual([0, 1, 2]);
  for (const f of stale) expect(existsSync(join(dir, f)), f).toBe(false);
  expect(resumed.stdout).toMatch(/test: loss [\d.]+, top-1 error [\d.]+ %/);
  // The last line: the wall time of this (resumed) command and where validation error stands against 1 %.
  expect(resumed.stdout.trim().split('\n').at(-1)).toMatch(
    /^total wall time [\dm.s]+ since the resume \(training [\dm.s]+\); validation error (≤ 1 % .*|never reached 1 % \(best [\d.]+ % at epoch [123]\))$/,
  );
}

/** 3. Evaluate the run folder. */
async function evaluate(dir: string): Promise<void> {
  const evaluation = await convkit(['eval', dir, '--json', '--backend', 'wasm']);
  expect(evaluation.code, evaluation.stderr).toBe(0);
  const figures = JSON.parse(evaluation.stdout);
  expect(figures.examples).toBe(10_000);
  expect(figures.top1Error).toBeLessThan(0.2);
  expect(figures.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(10_000);
}

/** 4. Pictures. */
async function drawPictures(dir: string): Promise<void> {
  for (const kind of ['filters', 'maps', 'patches', 'curves']) {
    const viz = await convkit(['viz', dir, kind, '--backend', 'wasm']);
    expect(viz.code, viz.stderr).toBe(0);
  }
  // A trained conv layer is shift-equivariant: a 2-pixel shift moves its maps by exactly 2 away from the borders.
  const equivariance = await convkit(['viz', dir, 'equivariance', '--backend', 'wasm']);
  expect(equivariance.code, equivariance.stderr).toBe(0);
  const error =
    /conv1: input shifted by 2 px down and right → maps expected to shift by 2×2 .*max \|difference\| on the interior ([\d.e+-]+)/.exec(
      equivariance.stdout,
    );
  expect(error, equivariance.stdout).not.toBeNull();
  expect(Number(error?.[1])).toBeLessThan(1e-5);
  expect(equivariance.stdout).toMatch(/pool1: under a 1-pixel shift [\d.]+ % of the pooled outputs are unchanged/);
}

/** Every file of a finished run, and a self-contained report with every section. */
function checkRunFolder(dir: string): void {
  for (const file of [
    'config.json',
    'environment.json',
    'data.json',
    'metrics.jsonl',
    'evaluation.json',
    'checkpoints/best.safetensors',
    'filters.png',
    'filters-evolution.png',
    'filters-evolution.gif',
    'maps.png',
    'patches.png',
    'curves.svg',
    'equivariance.png',
    'report.html',
  ]) {
    expect(existsSync(join(dir, file)), file).toBe(true);
  }
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  for (const section of [
    'Training',
    'Confusion matrix',
    'Per-class accuracy',
    'What the first layer learned',
    'Architecture',
    'Configuration',
    'Environment',
  ]) {
    expect(html).toContain(`<h2>${section}</h2>`);
  }
  expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // self-contained: no scripts, nothing fetched
}

/** 5. The report renders in a real browser without console errors. */
function checkReportInBrowser(dir: string): void {
  const browser = chromium();
  if (!browser) {
    if (process.env.CI) throw new Error('CI must install chromium (.ci/run does) to check the report renders');
    console.warn('skipping the browser check of report.html: no chromium on this machine');
    return;
  }
  const screenshot = join(dir, 'report-screenshot.png');
  const page = `file://${join(dir, 'report.html')}`;
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--enable-logging=stderr', '--v=0'];
  const shot = spawnSync(browser, [...flags, `--screenshot=${screenshot}`, '--window-size=1200,2000', page], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(existsSync(screenshot), shot.stderr).toBe(true);
  // Console messages (a script error, a resource that failed to load) are logged as CONSOLE lines; the report must have none.
  expect(shot.stderr).not.toMatch(/CONSOLE/);
  const dom = spawnSync(browser, [...flags, '--dump-dom', page], { encoding: 'utf8', timeout: 60_000 });
  expect(dom.stderr).not.toMatch(/CONSOLE/);
  expect(dom.stdout).toContain('<h2>Configuration</h2>');
  expect(dom.stdout).toContain('<h2>Confusion matrix</h2>');
  rmSync(screenshot);
}

describe('convkit train → interrupt → resume → eval → viz → report', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'convkit-e2e-')), 'run');
  const common = ['--backend', 'wasm', '--out', dir];

  it('runs end to end on an MNIST subset', { timeout: 240_000 }, async () => {
    await trainAndInterrupt(dir, common);
    await resumeOverTornWrites(dir);
    await evaluate(dir);
    await drawPictures(dir);
    checkRunFolder(dir);
    checkReportInBrowser(dir);
  });
});
