/// <reference types="node" />
/**
 * @convkit/viz/node — writing pictures to files in Node, atomically (through
 * `@convkit/io`'s `writeFileAtomic`: temporary file, fsync, rename), so a
 * reader never sees half a file. Missing folders are created.
 *
 * @packageDocumentation
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@convkit/io/node';
import type { RgbaImage } from './image.js';
import { encodePng } from './png.js';

async function write(path: string, contents: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, contents);
}

/**
 * Writes an RGBA image as a PNG file, atomically.
 *
 * @example
 * ```ts
 * await writePng('out/conv1-filters.png', (await filterGrid(layerKernel(model, 'conv1'), { scale: 8 })).image);
 * ```
 */
export async function writePng(path: string, image: RgbaImage): Promise<void> {
  await write(path, encodePng(image));
}

/**
 * Writes an SVG string as a file (UTF-8), atomically.
 *
 * @example
 * ```ts
 * await writeSvg('out/curves.svg', trainingCurves(history));
 * ```
 */
export async function writeSvg(path: string, svg: string): Promise<void> {
  await write(path, svg);
}

/** Writes bytes (a GIF, say) atomically, creating the folder. */
export async function writeBytes(path: string, bytes: Uint8Array): Promise<void> {
  await write(path, bytes);
}
