import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';

// tooling/gpu/check.sh runs where a GPU is lent, seldom and for minutes: its dry run is checked here, so a
// renamed bench flag, workload or folder fails on every machine instead of in the slot.
const ROOT = join(import.meta.dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'tooling', 'gpu', 'check.sh');

function dryRun(...args: string[]): string {
  return execFileSync('bash', [SCRIPT, '--dry-run', '--out', '/tmp/gpu-check-dry', ...args], { encoding: 'utf8' });
}

/** Each `== step (timeout Ns): command` line of the output, by step. */
function steps(output: string): Map<string, { timeout: number; command: string }> {
  const found = [...output.matchAll(/^== ([\w-]+) \(timeout (\d+)s\): (.*)$/gm)];
  return new Map(found.map((m) => [m[1] as string, { timeout: Number(m[2]), command: m[3] as string }]));
}

describe('tooling/gpu/check.sh --dry-run', () => {
  it('lists the steps in order, each with a timeout, within the 9-minute deadline, and runs nothing', () => {
    const output = dryRun();
    const listed = steps(output);
    expect([...listed.keys()]).toEqual(['smi', 'cuda-addon', 'cuda', 'webgpu-adapter', 'webgpu', 'bench']);
    // The addon build runs only where the addon is missing; the rest must fit the deadline together.
    const usual = [...listed].filter(([name]) => name !== 'cuda-addon').reduce((a, [, s]) => a + s.timeout, 0);
    expect(usual).toBeLessThanOrEqual(540);
    expect(output).toMatch(/^smi +dry-run/m);
    expect(existsSync('/tmp/gpu-check-dry')).toBe(false);
  });

  it("asks the bench for what the issue names, in flags the bench's own parser accepts", () => {
    const bench = steps(dryRun('--quick')).get('bench')?.command ?? '';
    expect(bench).toMatch(/^env -u VK_ICD_FILENAMES node tooling\/bench\/dist\/run\.js /);
    const options = parseArgs(bench.split(' ').slice(bench.split(' ').indexOf('tooling/bench/dist/run.js') + 1));
    expect(options.workloads).toEqual(['lenet5', 'alexnet-train', 'vgg16']);
    expect(options.configurations).toEqual(['webgpu', 'cuda', 'torch-cuda']);
    expect(options.quick).toBe(true);
    expect(options.out).toBe('/tmp/gpu-check-dry/bench-results.md');
  });

  it('runs the test folders and scripts that exist, with the switches their code reads', () => {
    const listed = steps(dryRun());
    expect(listed.get('cuda')?.command).toMatch(/-C packages\/backend-cuda CONVKIT_CUDA_TEST=gpu \S+vitest run$/);
    expect(listed.get('webgpu')?.command).toMatch(/-C tooling\/backend-conformance \S+vitest run -t webgpu$/);
    for (const file of [
      'packages/backend-cuda/vitest.config.ts',
      'packages/backend-cuda/scripts/install.mjs',
      'tooling/backend-conformance/vitest.config.ts',
      'tooling/gpu/adapter.mjs',
    ]) {
      expect(existsSync(join(ROOT, file)), file).toBe(true);
    }
    // CONVKIT_CUDA_TEST=gpu makes a missing GPU an error; the webgpu step fails on the suite's skip warning.
    expect(readFileSync(join(ROOT, 'packages/backend-cuda/test/harness.ts'), 'utf8')).toContain("wanted === 'gpu'");
    expect(readFileSync(join(ROOT, 'tooling/backend-conformance/src/harness.ts'), 'utf8')).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the harness's source text, placeholder and all
      'conformance: ${optional} skipped',
    );
    expect(readFileSync(SCRIPT, 'utf8')).toContain('--fail-if "conformance: webgpu skipped"');
  });

  it('refuses an unknown step or option, naming it', () => {
    const refused = (args: string[]) => {
      try {
        execFileSync('bash', [SCRIPT, '--dry-run', ...args], { encoding: 'utf8', stdio: 'pipe' });
        return '';
      } catch (error) {
        return String((error as { stderr?: string }).stderr);
      }
    };
    expect(refused(['--steps', 'smi,tpu'])).toMatch(/unknown step tpu/);
    expect(refused(['--fast'])).toMatch(/unknown option --fast/);
  });
});
