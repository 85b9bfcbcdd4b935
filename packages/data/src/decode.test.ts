import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage } from './decode.js';
import { FormatError } from './errors.js';

const png = (
  width: number,
  height: number,
  channels: number,
  data: Uint8Array | Uint16Array,
  depth: 1 | 2 | 4 | 8 | 16 = 8,
) => encodePng({ width, height, channels, data, depth });

describe('decodeImage: PNG', () => {
  it('8-bit RGB comes back exactly; RGBA loses its alpha; grey is replicated', () => {
    const rgb = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30);
    expect(decodeImage(png(2, 2, 3, rgb), 'a.png')).toEqual({ data: rgb, height: 2, width: 2, channels: 3 });
    const rgba = Uint8Array.of(1, 2, 3, 0, 4, 5, 6, 128);
    expect(Array.from(decodeImage(png(2, 1, 4, rgba), 'b.png').data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(decodeImage(png(2, 1, 1, Uint8Array.of(7, 200)), 'c.png').data)).toEqual([
      7, 7, 7, 200, 200, 200,
    ]);
    expect(Array.from(decodeImage(png(2, 1, 2, Uint8Array.of(7, 0, 200, 255)), 'd.png', { channels: 1 }).data)).toEqual(
      [7, 200],
    );
  });

  it('colour to grey uses PIL’s luma: red 76, green 150, blue 29', () => {
    const rgb = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255);
    const grey = decodeImage(png(4, 1, 3, rgb), 'e.png', { channels: 1 });
    expect(grey).toMatchObject({ channels: 1, height: 1, width: 4 });
    expect(Array.from(grey.data)).toEqual([76, 150, 29, 255]);
  });

  it('16-bit samples are rounded to 8 bits (v / 257)', () => {
    const data = Uint16Array.of(0, 257 * 100, 65535, 257 * 100 + 128);
    expect(Array.from(decodeImage(png(4, 1, 1, data, 16), 'f.png', { channels: 1 }).data)).toEqual([0, 100, 255, 100]);
  });

  it('1-, 2- and 4-bit grey are unpacked from rows that start on a byte, and stretched to 0–255', () => {
    // 3 pixels a row, 2 rows. 1-bit rows: 1 0 1 → 0b101_00000, 0 1 1 → 0b011_00000.
    const one = decodeImage(png(3, 2, 1, Uint8Array.of(0b10100000, 0b01100000), 1), 'g.png', { channels: 1 });
    expect(Array.from(one.data)).toEqual([255, 0, 255, 0, 255, 255]);
    // 2-bit: 3 2 1 → 0b11_10_01_00 and 0 1 2 → 0b00_01_10_00; levels ×85.
    const two = decodeImage(png(3, 2, 1, Uint8Array.of(0b11100100, 0b00011000), 2), 'h.png', { channels: 1 });
    expect(Array.from(two.data)).toEqual([255, 170, 85, 0, 85, 170]);
    // 4-bit: 15 0 5 → 0xf0 0x50, 1 2 3 → 0x12 0x30; levels ×17.
    const four = decodeImage(png(3, 2, 1, Uint8Array.of(0xf0, 0x50, 0x12, 0x30), 4), 'i.png', { channels: 1 });
    expect(Array.from(four.data)).toEqual([255, 0, 85, 17, 34, 51]);
  });

  it('palette images become their colours (alpha from tRNS dropped)', () => {
    const palette = [
      [255, 0, 0],
      [0, 0, 255],
      [9, 8, 7],
    ];
    const bytes = encodePng({ width: 3, height: 1, channels: 1, depth: 8, data: Uint8Array.of(2, 0, 1), palette });
    expect(Array.from(decodeImage(bytes, 'j.png').data)).toEqual([9, 8, 7, 255, 0, 0, 0, 0, 255]);
    const translucent = palette.map((c, i) => [...c, i * 100]);
    const withAlpha = encodePng({
      width: 2,
      height: 1,
      channels: 1,
      depth: 8,
      data: Uint8Array.of(1, 2),
      palette: translucent,
    });
    expect(Array.from(decodeImage(withAlpha, 'k.png').data)).toEqual([0, 0, 255, 9, 8, 7]);
  });

  it('corrupt or oversized PNGs throw FormatError naming the file', () => {
    const good = png(8, 8, 3, new Uint8Array(192).fill(9));
    const cut = good.subarray(0, 40);
    expect(() => decodeImage(cut, 'photos/cut.png')).toThrow(FormatError);
    expect(() => decodeImage(cut, 'photos/cut.png')).toThrow(/^photos\/cut\.png at byte 0: corrupt PNG: /);
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(16, 100000);
    new DataView(huge.buffer).setUint32(20, 100000);
    expect(() => decodeImage(huge, 'huge.png', { maxMemoryUsageInMB: 64 })).toThrow(
      'huge.png at byte 16: 100000×100000 PNG may need 76294 MB to decode, over maxMemoryUsageInMB 64',
    );
  });
});

describe('decodeImage: JPEG and others', () => {
  it('decodes a JPEG close to what was encoded', () => {
    const [width, height] = [16, 8];
    const rgba = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) rgba.set([x * 16, y * 32, 128, 255], (y * width + x) * 4);
    }
    const bytes = jpeg.encode({ width, height, data: rgba }, 100).data;
    const image = decodeImage(bytes, 'smooth.jpg');
    expect(image).toMatchObject({ height, width, channels: 3 });
    let worst = 0;
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 3; c++)
        worst = Math.max(worst, Math.abs((image.data[p * 3 + c] as number) - (rgba[p * 4 + c] as number)));
    }
    expect(worst).toBeLessThanOrEqual(6);
    const grey = decodeImage(bytes, 'smooth.jpg', { channels: 1 });
    expect(grey.data[0]).toBe(
      (19595 * (image.data[0] as number) +
        38470 * (image.data[1] as number) +
        7471 * (image.data[2] as number) +
        0x8000) >>
        16,
    );
  });

  it('a truncated JPEG, an unknown format or an empty file throws FormatError naming the file', () => {
    const bytes = jpeg.encode({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(200) }, 90).data;
    expect(() => decodeImage(bytes.subarray(0, bytes.length / 2), 'half.jpg')).toThrow(
      /^half\.jpg at byte 0: corrupt or unsupported JPEG: /,
    );
    const gif = new TextEncoder().encode('GIF89a\x01\x00\x01\x00');
    expect(() => decodeImage(gif, 'anim.gif')).toThrow(
      'anim.gif at byte 0: not a PNG (89 50 4e 47 …) or JPEG (ff d8 ff …) image: it starts 47 49 46 38 39 61 01 00',
    );
    expect(() => decodeImage(new Uint8Array(0), 'empty.png')).toThrow('empty.png at byte 0: empty file');
  });

  it('rejects bad options', () => {
    expect(() => decodeImage(new Uint8Array(1), 'x.png', { channels: 2 as never })).toThrow(
      'channels must be 1 or 3, got 2',
    );
  });
});
