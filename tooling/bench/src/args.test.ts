import { describe, expect, it } from 'vitest';
import { parseArgs } from './args.js';

describe('parseArgs', () => {
  it('runs everything, fully, into RESULTS.md by default', () => {
    const o = parseArgs([]);
    expect(o.workloads).toEqual(['lenet5', 'alexnet', 'alexnet-train', 'vgg16', 'conv3x3', 'sgemm', 'mnist']);
    expect(o.configurations).toEqual([
      'cpu',
      'wasm-1t',
      'wasm-2t',
      'webgpu',
      'native',
      'cuda',
      'tfjs-cpu',
      'tfjs-wasm',
      'torch',
      'torch-cuda',
      'ort',
    ]);
    expect(o.quick).toBe(false);
    expect(o.out).toBe('RESULTS.md');
    expect(o.repeat).toBe(1);
  });

  it('runs the software-driver webgpu configurations only when they are named', () => {
    const o = parseArgs(['--backends', 'tfjs-webgpu-lavapipe,webgpu-lavapipe,wasm']);
    // Kept in the known order, whatever order they were named in.
    expect(o.configurations).toEqual(['wasm', 'webgpu-lavapipe', 'tfjs-webgpu-lavapipe']);
  });

  it('repeats the whole run as many times as asked', () => {
    expect(parseArgs(['--repeat', '5']).repeat).toBe(5);
    expect(parseArgs(['--repeat=3']).repeat).toBe(3);
  });

  it('refuses a repeat count that is not a positive integer, repeating it', () => {
    for (const bad of ['0', '-2', '1.5', 'five', '1e3x']) {
      expect(() => parseArgs(['--repeat', bad])).toThrow(`--repeat needs a positive integer, received ${bad}`);
    }
  });

  it('takes lists in either spelling and keeps the run order', () => {
    const o = parseArgs(['--', '--only=conv3x3,alexnet', '--backends', 'ort, cpu', '--quick', '--no-write']);
    expect(o.workloads).toEqual(['alexnet', 'conv3x3']);
    expect(o.configurations).toEqual(['cpu', 'ort']);
    expect(o.quick).toBe(true);
    expect(o.out).toBeUndefined();
  });

  it('takes the GPU comparison of issue 10', () => {
    const o = parseArgs(['--', '--only', 'lenet5,alexnet-train,vgg16', '--backends', 'cuda,torch-cuda']);
    expect(o.workloads).toEqual(['lenet5', 'alexnet-train', 'vgg16']);
    expect(o.configurations).toEqual(['cuda', 'torch-cuda']);
  });

  it('names what it does not know and what it accepts', () => {
    expect(() => parseArgs(['--only', 'resnet'])).toThrow(
      /unknown resnet; use lenet5, alexnet, alexnet-train, vgg16, conv3x3/,
    );
    expect(() => parseArgs(['--backends', 'rocm'])).toThrow(
      /unknown rocm; use cpu, wasm, wasm-1t, wasm-2t, webgpu, webgpu-lavapipe, webgpu-swiftshader, native, cuda, tfjs-cpu, tfjs-wasm, tfjs-webgpu-lavapipe, tfjs-webgpu-swiftshader, torch/,
    );
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
    expect(() => parseArgs(['--only'])).toThrow(/--only needs a value/);
  });
});
