import { shortcutPadding } from '@convkit/shape';
import { childrenOf, type LayerLike } from '../model.js';
import type { OnnxExportContext, OnnxExporter, OnnxValue } from './export-registry.js';

// The layers that join branches element-wise or move channels (ResNet, squeeze-excitation, ShuffleNet),
// as standard ONNX nodes. Maps flow through the graph as NCHW: channels are axis 1.

const config = (layer: LayerLike) => layer.config as Record<string, unknown>;

/** The branches' outputs, each written from the layer's input (an empty branch gives the input itself). */
const branchesOf = (layer: LayerLike, ctx: OnnxExportContext): OnnxValue[] =>
  childrenOf(layer).map((branch) => ctx.layer(branch, ctx.value));

/** A `[c]` gate multiplied into `[h, w, c]` maps becomes `[N, C, 1, 1]`, which ONNX broadcasts over `[N, C, H, W]`. */
function broadcastable(ctx: OnnxExportContext, layer: LayerLike, out: readonly number[], v: OnnxValue, k: number) {
  if (out.length !== 3 || v.shape.length !== 1) return v.name;
  const dims = ctx.int64s(`${layer.name}/gate${k + 1}/shape`, [0, v.shape[0] ?? 0, 1, 1]);
  return ctx.add('Reshape', [v.name, dims], `${layer.name}/gate${k + 1}`);
}

/** `add`: Add for two branches, Sum for more (one node either way), Identity for one. */
const add: OnnxExporter = (layer, ctx) => {
  const names = branchesOf(layer, ctx).map((v) => v.name);
  if (names.length === 1) return ctx.add('Identity', names, layer.name);
  return ctx.add(names.length === 2 ? 'Add' : 'Sum', names, layer.name);
};

/** `multiply`: chained Mul (ONNX has no n-ary product), gates reshaped to broadcast over the map. */
const multiply: OnnxExporter = (layer, ctx) => {
  const out = layer.outputShape(ctx.inputShape);
  const names = branchesOf(layer, ctx).map((v, k) => broadcastable(ctx, layer, out, v, k));
  if (names.length === 1) return ctx.add('Identity', names, layer.name);
  let product = names[0] ?? '';
  names.slice(1).forEach((name, k) => {
    product = ctx.add('Mul', [product, name], k === names.length - 2 ? layer.name : `${layer.name}/mul${k + 1}`);
  });
  return product;
};

/** Reshape [N, g, C/g, H, W] → Transpose [0, 2, 1, 3, 4] → Reshape [N, C, H, W], as ShuffleNet's exports write it. */
const channelShuffle: OnnxExporter = (layer, ctx) => {
  const [h = 0, w = 0, c = 0] = ctx.inputShape;
  const groups = config(layer).groups as number;
  const split = ctx.int64s(`${layer.name}/split_shape`, [0, groups, c / groups, h, w]);
  const grouped = ctx.add('Reshape', [ctx.input, split], `${layer.name}/split`);
  const swapped = ctx.add('Transpose', [grouped], `${layer.name}/transpose`, [{ name: 'perm', ints: [0, 2, 1, 3, 4] }]);
  return ctx.add('Reshape', [swapped, ctx.int64s(`${layer.name}/shape`, [0, c, h, w])], layer.name);
};

/** Channels [begin, begin + size): a Slice on axis 1. */
const channelSlice: OnnxExporter = (layer, ctx) => {
  const { begin, size } = config(layer) as { begin: number; size: number };
  const inputs = [
    ctx.input,
    ctx.int64s(`${layer.name}/starts`, [begin]),
    ctx.int64s(`${layer.name}/ends`, [begin + size]),
    ctx.int64s(`${layer.name}/axes`, [1]),
  ];
  return ctx.add('Slice', inputs, layer.name);
};

/** Option A: every stride-th pixel (a Slice with steps on H and W), then zero channels padded on both sides. */
const shortcut: OnnxExporter = (layer, ctx) => {
  const [h = 0, w = 0, c = 0] = ctx.inputShape;
  const { stride, filters } = config(layer) as { stride: number; filters: number };
  let x = ctx.input;
  if (stride !== 1) {
    const inputs = [
      x,
      ctx.int64s(`${layer.name}/starts`, [0, 0]),
      ctx.int64s(`${layer.name}/ends`, [h, w]),
      ctx.int64s(`${layer.name}/axes`, [2, 3]),
      ctx.int64s(`${layer.name}/steps`, [stride, stride]),
    ];
    x = ctx.add('Slice', inputs, filters === c ? layer.name : `${layer.name}/subsample`);
  }
  if (filters === c) return stride === 1 ? ctx.add('Identity', [x], layer.name) : x;
  const [before, after] = shortcutPadding(c, filters);
  const pads = ctx.int64s(`${layer.name}/pads`, [0, before, 0, 0, 0, after, 0, 0]);
  return ctx.add('Pad', [x, pads], layer.name);
};

/** The exporters of the merge and channel layers, by type (export-builtins.js adds them to convkit's table). */
export const MERGE_EXPORTERS: Readonly<Record<string, OnnxExporter>> = {
  add,
  multiply,
  channelShuffle,
  channelSlice,
  shortcut,
};
