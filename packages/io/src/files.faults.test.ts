import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// Fault injection at the writer: a full disk cannot be produced portably in a test,
// so `open` hands out file handles whose write fails as a full disk's does.
const faults = vi.hoisted(() => ({ write: undefined as NodeJS.ErrnoException | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open = async (...args: Parameters<typeof fs.open>): Promise<FileHandle> => {
    const handle = await fs.open(...args);
    const error = faults.write;
    if (!error) return handle;
    return new Proxy(handle, {
      get: (target, key) => {
        if (key === 'writeFile') return () => Promise.reject(error);
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return { ...fs, open, default: { ...fs, open } };
});

const { FileWriteError, writeFileAtomic } = await import('./files.js');

const enospc = () =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });

describe('writeFileAtomic on a full disk', () => {
  it('names the file, says the previous version is intact, keeps it, and leaves no temporary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-full-'));
    const path = join(dir, 'last.safetensors');
    writeFileSync(path, 'previous');
    faults.write = enospc();
    try {
      const error = await writeFileAtomic(path, 'next').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileWriteError);
      expect(error).toMatchObject({ file: path, code: 'ENOSPC' });
      expect((error as Error).message).toBe(
        `cannot write ${path} (the disk is full): ENOSPC: no space left on device, write. Its previous version is intact: nothing was replaced.`,
      );
      expect(readFileSync(path, 'utf8')).toBe('previous');
      expect(readdirSync(dir)).toEqual(['last.safetensors']);
      await expect(writeFileAtomic(join(dir, 'new.json'), '{}')).rejects.toThrow(
        /new\.json \(the disk is full\).*It did not exist before and was not created/,
      );
      expect(readdirSync(dir)).toEqual(['last.safetensors']);
    } finally {
      faults.write = undefined;
    }
  });
});
