import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { encodeIdx, parseIdx } from './idx.js';
import { gunzip, readIdx } from './node.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-bomb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A valid single-member gzip of `head` followed by `megabytes` MiB of zeros,
 * built from one compressed MiB repeated (sync-flushed deflate blocks
 * concatenate), so the test never holds the inflated data itself.
 */
function gzipBomb(head: Uint8Array, megabytes: number): Uint8Array {
  const zeros = new Uint8Array(1 << 20);
  const sync = { finishFlush: constants.Z_SYNC_FLUSH, level: 9 };
  const first = deflateRawSync(head, sync);
  const block = deflateRawSync(zeros, sync);
  const last = deflateRawSync(new Uint8Array(0));
  let crc = crc32(head);
  for (let k = 0; k < megabytes; k++) crc = crc32(zeros, crc);
  const size = head.length + megabytes * zeros.length;
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc >>> 0, true);
  view.setUint32(4, size >>> 0, true);
  const parts = [Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff), first];
  for (let k = 0; k < megabytes; k++) parts.push(block);
  parts.push(last, trailer);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** An IDX images header declaring `[count, rows, cols]`, with no data. */
function header(count: number, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000803);
  view.setUint32(4, count);
  view.setUint32(8, rows);
  view.setUint32(12, cols);
  return out;
}

describe('a gzip bomb', () => {
  it('is the bomb the issue describes: about 1 MB that inflates to 1 GiB (checked on a small one)', () => {
    const small = gzipBomb(header(10, 28, 28), 4);
    expect(gunzip(small).length).toBe(16 + 4 * 2 ** 20);
    expect(gzipBomb(header(10, 28, 28), 1024).length).toBeLessThan(1.2e6);
  });

  it('is refused at the size its header declares, without inflating it, under 100 MB of extra RSS', () => {
    const file = join(dir, 'bomb-images-idx3-ubyte.gz');
    writeFileSync(file, gzipBomb(header(10, 28, 28), 1024));
    let error: unknown;
    try {
      readIdx(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ file, offset: 7856 });
    const message = (error as FormatError).message;
    expect(message).toContain(file);
    expect(message).toMatch(/\[10, 28, 28\] = 7856 bytes in all.*more than 7856/);

    // The memory bound is measured in a fresh process (the built package, as `pnpm test` builds it first): a test
    // worker's peak RSS already holds whatever earlier test files allocated.
    const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const probe = `const { readIdx } = await import(${JSON.stringify(pathToFileURL(built).href)});
      const before = process.memoryUsage().rss;
      let name = 'none';
      try { readIdx(${JSON.stringify(file)}); } catch (e) { name = e.name; }
      console.log(JSON.stringify({ name, added: process.resourceUsage().maxRSS * 1024 - before }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const { name, added } = JSON.parse(child.stdout) as { name: string; added: number };
    expect(name).toBe('FormatError');
    expect(added).toBeLessThan(100e6);
  });

  it('the browser-safe parser stops at the declared size too, when its gunzip takes a limit', () => {
    const limits: number[] = [];
    const error = (() => {
      try {
        parseIdx(gzipBomb(header(2, 4, 4), 64), 'bomb.gz', {
          gunzip: (bytes, limit) => {
            limits.push(limit ?? Number.POSITIVE_INFINITY);
            return gunzip(bytes, limit);
          },
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(FormatError);
    expect(limits.every((limit) => limit <= 48)).toBe(true);
  });

  it('a gzip with more data than its header declares is refused the same way', () => {
    const file = join(dir, 'long-labels.gz');
    const labels = encodeIdx(new Uint8Array(20).fill(1), [20]);
    writeFileSync(file, gzipSync(Uint8Array.from([...labels, 4, 5])));
    expect(() => readIdx(file)).toThrow(/\[20\] = 28 bytes in all.*more than 28/);
  });
});

describe('a gzipped header that declares more than any buffer holds', () => {
  it('is refused as a corrupt header, before inflating', () => {
    const huge = header(0xffffffff, 0xffffffff, 0xffffffff);
    expect(() => parseIdx(gzipSync(Uint8Array.from([...huge, 1, 2, 3, 4])), 'huge.gz', { gunzip })).toThrow(
      /huge\.gz at byte 4: the header says \[4294967295, 4294967295, 4294967295\] = .* bytes in all, more than the 4294967296 \(4 GiB\)/,
    );
  });

  it('gunzip takes such a limit as the largest Buffer', () => {
    expect(gunzip(gzipSync(huge20()), 2 ** 80)).toHaveLength(20);
  });
});

function huge20(): Uint8Array {
  return Uint8Array.from({ length: 20 }, (_, i) => i);
}

describe('gunzip with a limit', () => {
  const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251);
  const gz = gzipSync(data);
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

  it('returns everything when it fits', () => {
    expect(same(gunzip(gz, 100_000), data)).toBe(true);
  });

  it('returns a true prefix longer than the limit when it does not', () => {
    for (const limit of [0, 16, 5000, 99_999]) {
      const prefix = gunzip(gz, limit);
      expect(prefix.length).toBeGreaterThan(limit);
      expect(same(prefix, data.subarray(0, prefix.length))).toBe(true);
    }
  });
});
