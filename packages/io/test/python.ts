/**
 * Python with torch as an oracle for io's tests: find an interpreter that imports torch (or say why
 * none does, so the tests skip), run a script in a folder, and exchange tensors as safetensors files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DecodedTensor, decodeSafetensors, encodeSafetensors, type TensorInput } from '../src/safetensors.js';

/** An interpreter that imports torch, or why there is none. */
export interface TorchProbe {
  python?: string;
  why: string;
}

/**
 * The first of `$PYTHON`, `python3`, `/usr/bin/python3` that imports torch (a pyenv shim on PATH may
 * lack Debian's python3-torch, which lives in /usr/bin/python3's dist-packages).
 */
export function findTorch(): TorchProbe {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, why: `${python}: torch ${probe.stdout.trim()}` };
  }
  return { why: `none of ${candidates.join(', ')} imports torch (Debian: apt-get install python3-torch)` };
}

/** A fresh temporary folder and the function that removes it. */
export function tempFolder(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `python script args…` in `cwd`; its stdout, or an Error carrying its stderr. */
export function runPython(python: string, cwd: string, script: string, args: readonly string[] = []): string {
  const run = spawnSync(python, [script, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '2' },
  });
  if (run.status !== 0) {
    throw new Error(`${python} ${script} exited ${run.status ?? run.signal}:\n${run.stderr.slice(-4000)}`);
  }
  return run.stdout;
}

/** Writes tensors (and string metadata) as a safetensors file. */
export function writeTensors(
  path: string,
  tensors: Record<string, TensorInput>,
  metadata?: Record<string, string>,
): void {
  writeFileSync(path, encodeSafetensors(tensors, metadata));
}

/** Reads a safetensors file: its tensors and metadata. */
export function readTensors(path: string): { tensors: Map<string, DecodedTensor>; metadata: Record<string, string> } {
  return decodeSafetensors(new Uint8Array(readFileSync(path)), path);
}

/** Writes `files` (name → text) into `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}
