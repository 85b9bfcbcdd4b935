import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { createImage } from './image.js';
import { writeBytes, writePng, writeSvg } from './node.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-viz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writing files atomically', () => {
  it('writes a PNG that decodes to the image, creating folders, leaving no temporary file', async () => {
    const image = createImage(3, 2, [10, 20, 30, 255]);
    const path = join(dir, 'a', 'b', 'grid.png');
    await writePng(path, image);
    expect([...decode(readFileSync(path)).data]).toEqual([...image.data]);
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['grid.png']);
  });

  it('replaces an existing file whole, and writes SVG text as UTF-8', async () => {
    const path = join(dir, 'chart.svg');
    await writeSvg(path, '<svg>α</svg>');
    await writeSvg(path, '<svg>β</svg>');
    expect(readFileSync(path, 'utf8')).toBe('<svg>β</svg>');
    await writeBytes(join(dir, 'bytes.bin'), new Uint8Array([1, 2, 3]));
    expect([...readFileSync(join(dir, 'bytes.bin'))]).toEqual([1, 2, 3]);
  });

  it('cleans up and rethrows when the target cannot be written', async () => {
    await expect(writeSvg(join(dir, 'chart.svg', 'inside-a-file.svg'), '<svg/>')).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['a', 'bytes.bin', 'chart.svg']);
  });
});
