import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { openSafetensors, readSafetensors, removeStaleTemporaries, writeFileAtomic } from './files.js';
import { encodeSafetensors } from './safetensors.js';

describe('files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-io-'));

  it('writeFileAtomic replaces the file and leaves no temporary behind', async () => {
    const path = join(dir, 'config.json');
    await writeFileAtomic(path, '{"a":1}');
    await writeFileAtomic(path, new TextEncoder().encode('{"a":2}'));
    expect(readFileSync(path, 'utf8')).toBe('{"a":2}');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writeFileAtomic into a missing folder fails, naming the file, and leaves nothing', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x'), 'x')).rejects.toThrow(
      /cannot write .*missing\/x: ENOENT.*It did not exist before and was not created/,
    );
  });

  it('removeStaleTemporaries removes what killed writes leave, and nothing else', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'convkit-tmp-'));
    const names = [
      '.config.json.0123456789ab.tmp',
      '.last.safetensors.a1b2c3d4e5f6.tmp',
      '.report.html.ffffffffffff.tmp',
      'config.json',
      '.hidden',
      'notes.tmp',
      '.x.123.tmp',
      '.y.0123456789AB.tmp',
    ];
    for (const name of names) writeFileSync(join(folder, name), 'x');
    mkdirSync(join(folder, 'checkpoints'));
    expect(await removeStaleTemporaries(folder, 'last.safetensors')).toEqual(['.last.safetensors.a1b2c3d4e5f6.tmp']);
    expect((await removeStaleTemporaries(folder)).sort()).toEqual([
      '.config.json.0123456789ab.tmp',
      '.report.html.ffffffffffff.tmp',
    ]);
    expect(readdirSync(folder).sort()).toEqual(
      ['.hidden', '.x.123.tmp', '.y.0123456789AB.tmp', 'checkpoints', 'config.json', 'notes.tmp'].sort(),
    );
    expect(await removeStaleTemporaries(join(folder, 'absent'))).toEqual([]);
  });

  it('removeStaleTemporaries keeps the temporary files of another running process, and removes dead ones', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'convkit-tmp-'));
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    try {
      const names = {
        live: `.report.html.${live.pid}.0123456789ab.tmp`,
        dead: `.report.html.${dead}.a1b2c3d4e5f6.tmp`,
        own: `.config.json.${process.pid}.ffffffffffff.tmp`,
      };
      for (const name of Object.values(names)) writeFileSync(join(folder, name), 'x');
      expect((await removeStaleTemporaries(folder)).sort()).toEqual([names.dead, names.own].sort());
      expect(readdirSync(folder)).toEqual([names.live]);
    } finally {
      live.kill();
    }
  });

  it('openSafetensors reads one tensor at a time; readSafetensors reads all', async () => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(
      path,
      encodeSafetensors(
        { a: { data: new Float32Array([1, 2, 3]), shape: [3] }, b: { data: new Int32Array([4]), shape: [1] } },
        { step: '9' },
      ),
    );
    const file = await openSafetensors(path);
    expect([...file.tensors.keys()]).toEqual(['a', 'b']);
    expect(Array.from((await file.read('b')).values)).toEqual([4]);
    await expect(file.read('c')).rejects.toThrow(/no tensor named "c"; it has a, b/);
    await file.close();
    const all = await readSafetensors(path);
    expect(all.metadata).toEqual({ step: '9' });
    expect(Array.from(all.tensors.get('a')?.values ?? [])).toEqual([1, 2, 3]);
  });

  it('a truncated file is a FormatError before any tensor is read', async () => {
    const path = join(dir, 'cut.safetensors');
    const bytes = encodeSafetensors({ a: { data: new Float32Array(100), shape: [100] } });
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    await expect(openSafetensors(path)).rejects.toBeInstanceOf(FormatError);
    writeFileSync(path, bytes.subarray(0, 20));
    await expect(openSafetensors(path)).rejects.toThrow(
      /cut\.safetensors at byte 0: header length \d+ does not fit a 20-byte file/,
    );
  });
});
