// A Node program on threaded wasm ends when its work does: XNNPACK's pool
// threads live in worker threads for the backend's whole life, and they must
// not keep the process alive (tfjs turns threads off in Node partly for this).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/wasm-threads-child.mjs', import.meta.url));
// The child imports the package as a user does, through its `node` build.
const built = fileURLToPath(new URL('../dist/index.node.js', import.meta.url));
/** Generous for a loaded 2-core machine; a process kept alive by its workers never ends at all. */
const EXIT_WITHIN_MS = 20_000;

/** Runs the child; `execFile` kills it with SIGKILL once it has run {@link EXIT_WITHIN_MS}. */
function run(): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const options = { timeout: EXIT_WITHIN_MS, killSignal: 'SIGKILL' as const, encoding: 'utf8' as const };
    const proc = execFile(process.execPath, [child], options, (_error, out, err) => {
      resolve({ code: proc.exitCode, signal: proc.signalCode, out, err });
    });
  });
}

describe.skipIf(!existsSync(built))('a Node process on threaded wasm', () => {
  it('computes on 2 threads and exits by itself', async () => {
    const { code, signal, out, err } = await run();
    expect(signal, `killed after ${EXIT_WITHIN_MS} ms: the workers kept it alive. stderr: ${err}`).toBeNull();
    expect(code, err).toBe(0);
    // A 3×3×4 window of ones summed: 36 in each of the 6·6·2 outputs.
    expect(JSON.parse(out)).toEqual({ threads: 2, first: 36, size: 72 });
  }, 30_000);
});
