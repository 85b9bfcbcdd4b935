// Every conv and pooling case of the ONNX backend test data: the output shape
// that @convkit/shape computes equals the shape of the stored output tensor.
import {
  hasTestdata,
  loadManifest,
  type ManifestNode,
  type ManifestTest,
  readTestTensor,
  type Suite,
} from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { outputSize } from './output-size.js';
import type { AxisPadding, Padding } from './padding.js';
import { convParams } from './params.js';
import type { LayerSpec, Padding2d } from './specs.js';
import { trace } from './trace.js';

const WINDOW_OPS = new Set(['Conv', 'MaxPool', 'AveragePool', 'LpPool']);
const GLOBAL_OPS = new Set(['GlobalAveragePool', 'GlobalMaxPool']);
const SUITES: Suite[] = ['onnx-node', 'onnx-pytorch-converted', 'onnx-pytorch-operator'];

interface Case {
  suite: Suite;
  test: ManifestTest;
  node: ManifestNode;
}

function cases(): Case[] {
  return SUITES.flatMap((suite) =>
    loadManifest(suite).flatMap((test) => {
      const node = test.nodes.find((n) => WINDOW_OPS.has(n.op) || GLOBAL_OPS.has(n.op));
      return node ? [{ suite, test, node }] : [];
    }),
  );
}

const ints = (value: unknown): number[] | undefined => (Array.isArray(value) ? value.map(Number) : undefined);

/** Input dims as the window op sees them (through an Unsqueeze that adds a spatial axis of 1). */
function windowInput({ suite, test }: Case): number[] {
  const dims = readTestTensor(suite, test.test, 'input', 0).dims;
  const unsqueeze = test.nodes.find((n) => n.op === 'Unsqueeze');
  if (!unsqueeze) return dims;
  const axes = ints(unsqueeze.attrs.axes) ?? [];
  const out = [...dims];
  for (const axis of axes) out.splice(axis, 0, 1);
  return out;
}

/** Output dims as the window op produced them (before a Squeeze). */
function windowOutput({ suite, test }: Case): number[] {
  const dims = readTestTensor(suite, test.test, 'output', 0).dims;
  const squeeze = test.nodes.find((n) => n.op === 'Squeeze');
  if (!squeeze) return dims;
  const axes = ints(squeeze.attrs.axes) ?? [];
  const out = [...dims];
  for (const axis of [...axes].sort((a, b) => a - b)) out.splice(axis, 0, 1);
  return out;
}

/** The weight dims [M, C/group, k…] of a Conv: a free input or an initializer. */
function convWeight({ suite, test }: Case): number[] {
  const initializer = test.initializers.find((i) => i.shape.length >= 3);
  return initializer ? initializer.shape : readTestTensor(suite, test.test, 'input', 1).dims;
}

function paddingOf(attrs: Record<string, unknown>, axis: number, rank: number): Padding {
  const auto = String(attrs.auto_pad ?? 'NOTSET');
  if (auto === 'VALID') return 'valid';
  if (auto === 'SAME_UPPER') return 'same';
  if (auto === 'SAME_LOWER') return 'same-lower';
  const pads = ints(attrs.pads);
  return pads ? [pads[axis] as number, pads[axis + rank] as number] : 0;
}

describe.skipIf(!hasTestdata())('ONNX conv and pooling output shapes', () => {
  const all = hasTestdata() ? cases() : [];

  it('finds every conv and pooling case of the three suites', () => {
    expect(all.length).toBeGreaterThanOrEqual(90);
  });

  it.each(all.map((c) => [`${c.suite}/${c.test.test}`, c] as const))('%s', (_, c) => {
    const { node } = c;
    const input = windowInput(c);
    const expected = windowOutput(c);
    const [batch, channels, ...spatial] = input as [number, number, ...number[]];
    const rank = spatial.length;

    if (GLOBAL_OPS.has(node.op)) {
      expect(expected).toEqual([batch, channels, ...spatial.map(() => 1)]);
      if (rank === 2)
        expect(trace([spatial[0] as number, spatial[1] as number, channels], [{ type: 'globalPool' }]).output).toEqual([
          channels,
        ]);
      return;
    }

    const weight = node.op === 'Conv' ? convWeight(c) : undefined;
    const kernel = ints(node.attrs.kernel_shape) ?? (weight?.slice(2) as number[]);
    const strides = ints(node.attrs.strides) ?? spatial.map(() => 1);
    const dilations = ints(node.attrs.dilations) ?? spatial.map(() => 1);
    const ceilMode = node.attrs.ceil_mode === 1;
    const group = Number(node.attrs.group ?? 1);

    const sizes = spatial.map((n, axis) =>
      outputSize(n, {
        kernel: kernel[axis] as number,
        stride: strides[axis] as number,
        dilation: dilations[axis] as number,
        padding: paddingOf(node.attrs, axis, rank),
        ceilMode,
      }),
    );
    const outChannels = weight ? (weight[0] as number) : channels;
    expect([batch, outChannels, ...sizes]).toEqual(expected);

    if (weight) {
      // The weight's depth is C/group; the parameter count validates the grouping.
      // convParams is 2-D: a 1-D or 3-D kernel counts as [1, its volume].
      expect(weight[1]).toBe(channels / group);
      const volume = kernel.reduce((a, b) => a * b, 1);
      const params = convParams({
        inChannels: channels,
        filters: outChannels,
        kernel: [1, volume],
        groups: group,
        bias: false,
      });
      expect(params).toBe(weight.reduce((a, b) => a * b, 1));
    }

    if (rank === 2) {
      // The whole engine agrees too, channels last.
      const pair = (v: number[]) => [v[0], v[1]] as [number, number];
      const [ph, pw] = [paddingOf(node.attrs, 0, 2), paddingOf(node.attrs, 1, 2)];
      const padding: Padding2d = typeof ph === 'string' ? ph : [ph, pw as AxisPadding];
      const window = { kernel: pair(kernel), stride: pair(strides), dilation: pair(dilations), padding };
      const spec: LayerSpec = weight
        ? { type: 'conv', filters: outChannels, groups: group, ...window }
        : { type: 'pool', ceilMode, ...window };
      expect(trace([spatial[0] as number, spatial[1] as number, channels], [spec]).output).toEqual([
        expected[2],
        expected[3],
        outChannels,
      ]);
    }
  });
});
