import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeValues } from './dtypes.js';
import { FormatError } from './errors.js';
import { type DecodedTensor, parseHeader, type SafetensorsHeader } from './safetensors.js';

/**
 * Writes a file so that a reader (or a crash) sees either the old contents or
 * the new, never a part: write a temporary file beside it, flush it to disk,
 * rename it over the target, then flush the folder so the rename survives a
 * power cut.
 *
 * @example
 * ```ts
 * await writeFileAtomic('runs/a/config.json', JSON.stringify(config));
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
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
