import { access, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTemporaries, writeFileAtomic } from '@convkit/io/node';
import type { CheckpointStore } from './checkpoint.js';

export * from './index.js';

/**
 * Checkpoints as `<dir>/<name>.safetensors`, written atomically (temporary
 * file, fsync, rename): killing the process at any moment leaves the previous
 * checkpoint or the new one, whole. A failed save (a full disk) throws
 * `FileWriteError`, naming the file and saying the previous checkpoint is intact.
 *
 * @example
 * ```ts
 * await fit(model, { train, epochs: 10, checkpoints: { store: directoryStore('runs/a/checkpoints') }, resume: true });
 * ```
 */
export function directoryStore(dir: string): CheckpointStore {
  const path = (name: string) => join(dir, `${name}.safetensors`);
  return {
    async save(name, bytes) {
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(path(name), bytes);
      // A process killed mid-write leaves its temporary file; the checkpoint itself is whole, so clear the leftovers.
      await removeStaleTemporaries(dir, `${name}.safetensors`);
    },
    has: (name) =>
      access(path(name)).then(
        () => true,
        () => false,
      ),
    async load(name) {
      try {
        const bytes = await readFile(path(name));
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    describe: path,
  };
}
