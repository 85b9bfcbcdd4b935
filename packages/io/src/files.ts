import { randomBytes } from 'node:crypto';
import { access, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeValues } from './dtypes.js';
import { FormatError } from './errors.js';
import { type DecodedTensor, parseHeader, type SafetensorsHeader } from './safetensors.js';

/**
 * A write that failed: names the file and says that its previous contents
 * (when there were any) are untouched. `code` is the system's (`ENOSPC`,
 * `EACCES`, `EROFS`, …) and `cause` the original error.
 */
export class FileWriteError extends Error {
  override readonly name = 'FileWriteError';
  readonly file: string;
  readonly code: string | undefined;

  constructor(file: string, cause: unknown, previousKept: boolean) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason = code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'the file system is read-only' : '';
    super(
      `cannot write ${file}${reason ? ` (${reason})` : ''}: ${(cause as Error).message}. ` +
        (previousKept
          ? `Its previous version is intact: nothing was replaced.`
          : `It did not exist before and was not created.`),
      { cause },
    );
    this.file = file;
    this.code = code;
  }
}

// The one place that knows how temporary files are named: `.<name>.<pid>.<12 hex>.tmp` beside the target (older
// versions wrote no pid). The pid tells a killed write's leftover from another live process's write in progress.
const TEMPORARY = /^\.(.+?)\.(?:(\d+)\.)?[0-9a-f]{12}\.tmp$/;
const temporaryPath = (path: string) =>
  join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);

/** Whether another process with this pid is running: then its temporary file, or its lock, is in use. */
export function otherProcessAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that `writeFileAtomic` leaves when its process
 * is killed mid-write (`.<name>.<pid>.<12 hex>.tmp`) from `dir`, or only those
 * of `name` when given; returns the names removed. Those of another process
 * that is still running are kept (a `convkit viz` writing into a run folder
 * while it resumes); this process's own are removed, so call it when none of
 * its own writes into `dir` is in flight. A missing `dir` has none.
 *
 * @example
 * ```ts
 * await removeStaleTemporaries('runs/a'); // ['.report.html.4242.3f9a1c0b2d4e.tmp']
 * ```
 */
export async function removeStaleTemporaries(dir: string, name?: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const stale = entries.filter((f) => {
    const match = TEMPORARY.exec(f);
    if (!match || (name !== undefined && match[1] !== name)) return false;
    return match[2] === undefined || !otherProcessAlive(Number(match[2]));
  });
  await Promise.all(stale.map((f) => rm(join(dir, f), { force: true })));
  return stale;
}

/**
 * Writes a file so that a reader (or a crash) sees either the old contents or
 * the new, never a part: write a temporary file beside it, flush it to disk,
 * rename it over the target, then flush the folder so the rename survives a
 * power cut. A failure (a full disk, a read-only folder) throws a
 * `FileWriteError` that names the file and says the previous version is
 * intact; a crash leaves a temporary file that `removeStaleTemporaries` clears.
 *
 * @example
 * ```ts
 * await writeFileAtomic('runs/a/config.json', JSON.stringify(config));
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = temporaryPath(path);
  const fail = async (error: unknown): Promise<never> => {
    await rm(temporary, { force: true }).catch(() => undefined);
    const existed = await access(path).then(
      () => true,
      () => false,
    );
    throw new FileWriteError(path, error, existed);
  };
  const handle = await open(temporary, 'w').catch(fail);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    return fail(error);
  }
  await handle.close();
  await rename(temporary, path).catch(fail);
  const folder = await open(dirname(path), 'r');
  try {
    await folder.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    await folder.close();
  }
}

/** An open safetensors file: the validated header now, each tensor read from disk on request. */
export interface SafetensorsFile extends SafetensorsHeader {
  file: string;
  read(name: string): Promise<DecodedTensor>;
  close(): Promise<void>;
}

/**
 * Opens a safetensors file and validates its header against the file's size
 * before anything else is read; tensors are then read one at a time with
 * positional reads, so a file larger than memory can be streamed.
 *
 * @example
 * ```ts
 * const file = await openSafetensors('model.safetensors');
 * const conv1 = await file.read('features.0.weight');
 * await file.close();
 * ```
 */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const prefix = new Uint8Array(8);
    await handle.read(prefix, 0, Math.min(8, size), 0);
    if (size < 8) parseHeader(prefix.subarray(0, size), size, path);
    const length = Number(new DataView(prefix.buffer).getBigUint64(0, true));
    if (8 + length > size) parseHeader(prefix, size, path);
    const headerBytes = new Uint8Array(8 + length);
    await handle.read(headerBytes, 0, headerBytes.byteLength, 0);
    const header = parseHeader(headerBytes, size, path);
    return {
      ...header,
      file: path,
      async read(name) {
        const info = header.tensors.get(name);
        if (!info)
          throw new FormatError(
            path,
            8,
            `no tensor named ${JSON.stringify(name)}; it has ${[...header.tensors.keys()].join(', ') || 'none'}`,
          );
        const bytes = new Uint8Array(info.offsets[1] - info.offsets[0]);
        await handle.read(bytes, 0, bytes.byteLength, header.dataStart + info.offsets[0]);
        return { ...info, values: decodeValues(info.dtype, bytes) };
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads a whole safetensors file (validated), every tensor decoded. */
export async function readSafetensors(
  path: string,
): Promise<{ tensors: Map<string, DecodedTensor>; metadata: Record<string, string> }> {
  const file = await openSafetensors(path);
  try {
    const tensors = new Map<string, DecodedTensor>();
    for (const name of file.tensors.keys()) tensors.set(name, await file.read(name));
    return { tensors, metadata: file.metadata };
  } finally {
    await file.close();
  }
}
