import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { thrown } from '@convkit/vitest-config/thrown';
import { describe, expect, it } from 'vitest';
import { parseCifar } from './cifar.js';
import { loadCifar10, loadCifar100 } from './cifar-node.js';
import { FormatError } from './errors.js';

/** One CIFAR record: label byte(s), then red, green, blue planes where pixel p of plane c is (p + 7c + seed) % 256. */
function record(labels: number[], seed: number): number[] {
  const planes = [0, 1, 2].flatMap((c) => Array.from({ length: 1024 }, (_, p) => (p + 7 * c + seed) % 256));
  return [...labels, ...planes];
}

describe('CIFAR binary', () => {
  it('turns planar RGB records into NHWC bytes with their labels', () => {
    const bytes = Uint8Array.from([...record([3], 0), ...record([9], 5)]);
    const data = parseCifar(bytes, 'batch.bin');
    expect(data).toMatchObject({ count: 2, height: 32, width: 32, channels: 3, classes: 10 });
    expect(Array.from(data.labels)).toEqual([3, 9]);
    // Image 1, pixel (row 1, col 2) = p 34: red (34 + 5), green (34 + 7 + 5), blue (34 + 14 + 5).
    const at = 3072 + 34 * 3;
    expect(Array.from(data.images.subarray(at, at + 3))).toEqual([39, 46, 53]);
  });

  it('reads CIFAR-100 fine or coarse labels', () => {
    const bytes = Uint8Array.from(record([19, 87], 1));
    expect(parseCifar(bytes, 'train.bin', 'cifar100-fine').labels[0]).toBe(87);
    expect(parseCifar(bytes, 'train.bin', 'cifar100-coarse')).toMatchObject({
      classes: 20,
      labels: Uint8Array.from([19]),
    });
  });

  it('names the file and offset of a truncated file or a label out of range', () => {
    const truncated = Uint8Array.from(record([1], 0)).subarray(0, 3000);
    expect(() => parseCifar(truncated, 'data_batch_1.bin')).toThrow(FormatError);
    expect(() => parseCifar(truncated, 'data_batch_1.bin')).toThrow(
      'data_batch_1.bin at byte 0: 3000 bytes is not a whole number of 3073-byte CIFAR-10 records (3000 left over)',
    );
    const bad = Uint8Array.from([...record([1], 0), ...record([12], 0)]);
    expect(() => parseCifar(bad, 'test_batch.bin')).toThrow(
      'test_batch.bin at byte 3073: record 1 has label 12, outside 0–9 for cifar10',
    );
  });

  it('loads the CIFAR-10 and CIFAR-100 folders (files the test writes)', () => {
    const dir10 = mkdtempSync(join(tmpdir(), 'convkit-cifar10-'));
    for (let k = 1; k <= 5; k++) writeFileSync(join(dir10, `data_batch_${k}.bin`), Uint8Array.from(record([k], k)));
    writeFileSync(join(dir10, 'test_batch.bin'), Uint8Array.from([...record([0], 0), ...record([1], 1)]));
    expect(Array.from(loadCifar10(dir10).labels)).toEqual([1, 2, 3, 4, 5]);
    expect(loadCifar10(dir10, { split: 'test' }).count).toBe(2);
    const dir100 = mkdtempSync(join(tmpdir(), 'convkit-cifar100-'));
    writeFileSync(join(dir100, 'test.bin'), Uint8Array.from(record([4, 44], 0)));
    expect(loadCifar100(dir100, { split: 'test' }).labels[0]).toBe(44);
    expect(() => loadCifar100(dir100)).toThrow(/train\.bin/);
  });
});

describe('a CIFAR folder without its files', () => {
  it('CIFAR-10: names the folder, the missing batch and the binary layout, not a raw ENOENT', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-cifar10-missing-'));
    writeFileSync(join(dir, 'data_batch_1.bin'), Uint8Array.from(record([1], 1)));
    const error = thrown(FormatError, () => loadCifar10(dir));
    expect(error.file).toBe(join(dir, 'data_batch_2.bin'));
    expect(error.message).not.toContain('ENOENT');
    expect(error.message).toContain(`${dir} has no data_batch_2.bin`);
    expect(error.message).toMatch(/data_batch_1\.bin … data_batch_5\.bin.*test_batch\.bin/);
    expect(error.message).toMatch(
      /3073-byte records: 1 label byte \(0–9\), then 1024 red, 1024 green and 1024 blue bytes/,
    );
    expect(error.message).toContain('it holds data_batch_1.bin');
  });

  it('CIFAR-100: the layout has two label bytes; a parent folder points at the one inside it', () => {
    const parent = mkdtempSync(join(tmpdir(), 'convkit-cifar100-missing-'));
    mkdirSync(join(parent, 'cifar-100-binary'));
    const error = thrown(FormatError, () => loadCifar100(parent, { split: 'test' }));
    expect(error.file).toBe(join(parent, 'test.bin'));
    expect(error.message).toMatch(/train\.bin.*test\.bin/);
    expect(error.message).toMatch(/3074-byte records: a coarse label byte \(0–19\), a fine label byte \(0–99\)/);
    expect(error.message).toContain(`did you mean ${join(parent, 'cifar-100-binary')}?`);
  });

  it('a folder that does not exist says so', () => {
    const dir = join(tmpdir(), 'convkit-no-such-cifar-folder');
    const error = thrown(FormatError, () => loadCifar10(dir, { split: 'test' }));
    expect(error.message).toContain(`${dir} does not exist`);
  });
});
