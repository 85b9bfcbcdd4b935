import { childrenOf } from '../model.js';
import { MERGE_EXPORTERS } from './export-merge.js';
import {
  activationNode,
  batchNormNode,
  convNode,
  flattenNode,
  gemmNode,
  globalPoolNode,
  lrnNode,
  padNode,
  poolNode,
} from './export-nodes.js';
import type { OnnxExporter } from './export-registry.js';

// convkit's own layers, written through the same registry and context a downstream layer's exporter
// gets (export-registry.js seeds itself with this table), so that hook is the one every export takes.

const config = (layer: { config: object }) => layer.config as Record<string, unknown>;

/** The exporter of each built-in layer type, by type. */
export const BUILT_IN_EXPORTERS: Readonly<Record<string, OnnxExporter>> = {
  sequential: (layer, ctx) => childrenOf(layer).reduce((value, child) => ctx.layer(child, value), ctx.value).name,
  concat: (layer, ctx) => {
    const branches = childrenOf(layer).map((branch) => ctx.layer(branch, ctx.value).name);
    return ctx.add('Concat', branches, layer.name, [{ name: 'axis', int: 1 }]);
  },
  // Left out in inference, as PyTorch's eval() and torch.onnx do.
  auxiliaryHead: (_, ctx) => ctx.input,
  dropout: (_, ctx) => ctx.input,
  conv2d: (layer, ctx) =>
    activationNode(ctx, layer, convNode(ctx, layer, ctx.value), config(layer).activation, config(layer).alpha),
  dense: (layer, ctx) =>
    activationNode(
      ctx,
      layer,
      gemmNode(ctx, layer, ctx.value, ctx.flattenedFrom),
      config(layer).activation,
      config(layer).alpha,
    ),
  activation: (layer, ctx) => activationNode(ctx, layer, ctx.input, config(layer).fn, config(layer).alpha, layer.name),
  maxPool2d: (layer, ctx) => poolNode(ctx, layer, ctx.value),
  avgPool2d: (layer, ctx) => poolNode(ctx, layer, ctx.value),
  globalPool2d: (layer, ctx) => globalPoolNode(ctx, layer, ctx.value),
  lrn: (layer, ctx) => lrnNode(ctx, layer, ctx.value),
  batchNorm: (layer, ctx) => batchNormNode(ctx, layer, ctx.value),
  flatten: (layer, ctx) => flattenNode(ctx, layer, ctx.value, ctx.flattenFeedsDense),
  zeroPadding2d: (layer, ctx) => padNode(ctx, layer, ctx.value),
  ...MERGE_EXPORTERS,
};
