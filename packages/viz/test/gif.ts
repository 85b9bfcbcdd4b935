/**
 * A minimal GIF decoder for tests (an independent oracle for the encoder):
 * reads the logical screen, global and local colour tables, graphic
 * control extensions (delay) and LZW-coded frames, and returns each frame's
 * pixels as RGB(A) at full size. No interlacing or disposal handling.
 */
export interface DecodedGif {
  width: number;
  height: number;
  frames: { delay: number; rgba: Uint8ClampedArray; width: number; height: number }[];
  loops: number | undefined;
}

export function decodeGif(bytes: Uint8Array): DecodedGif {
  const text = (a: number, b: number) => String.fromCharCode(...bytes.subarray(a, b));
  if (!text(0, 6).startsWith('GIF8')) throw new Error(`not a GIF: ${text(0, 6)}`);
  const u16 = (p: number) => (bytes[p] ?? 0) | ((bytes[p + 1] ?? 0) << 8);
  const width = u16(6);
  const height = u16(8);
  const flags = bytes[10] ?? 0;
  let p = 13;
  const table = (size: number) => {
    const colours: number[][] = [];
    for (let i = 0; i < size; i++)
      colours.push([bytes[p + 3 * i] ?? 0, bytes[p + 3 * i + 1] ?? 0, bytes[p + 3 * i + 2] ?? 0]);
    p += 3 * size;
    return colours;
  };
  const global = flags & 0x80 ? table(2 << (flags & 7)) : [];
  const subBlocks = () => {
    const parts: number[] = [];
    for (let n = bytes[p++] ?? 0; n > 0; n = bytes[p++] ?? 0) {
      parts.push(...bytes.subarray(p, p + n));
      p += n;
    }
    return Uint8Array.from(parts);
  };
  const frames: DecodedGif['frames'] = [];
  let delay = 0;
  let loops: number | undefined;
  for (;;) {
    const block = bytes[p++];
    if (block === 0x3b) break;
    if (block === 0x21) {
      const label = bytes[p++];
      const data = subBlocks();
      if (label === 0xf9) delay = ((data[1] ?? 0) | ((data[2] ?? 0) << 8)) * 10;
      if (label === 0xff && data.length >= 14) loops = (data[12] ?? 0) | ((data[13] ?? 0) << 8);
    } else if (block === 0x2c) {
      const w = u16(p + 4);
      const h = u16(p + 6);
      const local = bytes[p + 8] ?? 0;
      p += 9;
      const palette = local & 0x80 ? table(2 << (local & 7)) : global;
      const minCode = bytes[p++] ?? 2;
      const indices = lzw(subBlocks(), minCode, w * h);
      const rgba = new Uint8ClampedArray(w * h * 4);
      indices.forEach((index, i) => {
        const c = palette[index] ?? [0, 0, 0];
        rgba.set([c[0] ?? 0, c[1] ?? 0, c[2] ?? 0, 255], 4 * i);
      });
      frames.push({ delay, rgba, width: w, height: h });
    } else throw new Error(`unknown block 0x${block?.toString(16)} at ${p - 1}`);
  }
  return { width, height, frames, loops };
}

function lzw(data: Uint8Array, minCode: number, pixels: number): number[] {
  const clear = 1 << minCode;
  const end = clear + 1;
  let size = minCode + 1;
  let dict: number[][] = [];
  const reset = () => {
    dict = Array.from({ length: clear + 2 }, (_, i) => (i < clear ? [i] : []));
    size = minCode + 1;
  };
  reset();
  const out: number[] = [];
  let bit = 0;
  let previous: number[] | undefined;
  while (out.length < pixels) {
    let code = 0;
    for (let k = 0; k < size; k++, bit++) code |= (((data[bit >> 3] ?? 0) >> (bit & 7)) & 1) << k;
    if (bit > data.length * 8) break;
    if (code === clear) {
      reset();
      previous = undefined;
      continue;
    }
    if (code === end) break;
    let entry = dict[code];
    if (!entry || (entry.length === 0 && code >= clear)) {
      if (!previous) throw new Error(`bad LZW code ${code}`);
      entry = [...previous, previous[0] as number];
    }
    out.push(...entry);
    if (previous && dict.length < 4096) dict.push([...previous, entry[0] as number]);
    previous = entry;
    if (dict.length === 1 << size && size < 12) size++;
  }
  return out;
}
