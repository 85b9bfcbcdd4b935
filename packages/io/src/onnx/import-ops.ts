import { FormatError, UnsupportedError } from '../errors.js';
import { Attributes } from './attributes.js';
import type { OnnxNode } from './decode.js';
import { ACTIVATION_OPS, activation } from './import-activation.js';
import type { Converted, Flow, ImportContext } from './import-context.js';
import { readScalar } from './import-context.js';
import { batchNorm, conv, dense, globalPool, pool } from './import-layers.js';
import { importRegistered, registeredImporter } from './import-registry.js';
import { flatten, pad, reshape, transpose } from './import-shape.js';
import { channelShuffle } from './import-shuffle.js';
import { channelPad, slice } from './import-slice.js';
import { describeNode } from './statics.js';

/**
 * The ONNX ops {@link convertNode} turns into convkit layers. Concat, and Sum, Add and Mul of branches,
 * join branches in the graph walk; Reshape → Transpose → Reshape in ShuffleNet's pattern is a channel shuffle;
 * Slice reads a run of channels or ResNet's option-A subsampling, a Pad of channels that shortcut's zeros.
 */
export const ONNX_IMPORT_OPS = [
  'Add',
  'AveragePool',
  'BatchNormalization',
  'Clip',
  'Concat',
  'Conv',
  'Dropout',
  'Elu',
  'Flatten',
  'Gemm',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'Identity',
  'LRN',
  'LeakyRelu',
  'MatMul',
  'MaxPool',
  'Mul',
  'Pad',
  'Relu',
  'Reshape',
  'Selu',
  'Sigmoid',
  'Slice',
  'Softmax',
  'Softplus',
  'Sum',
  'Tanh',
  'Transpose',
] as const;

/** Converts one node reading `flow` (and the nodes folded into it) into convkit layers. */
export function convertNode(ctx: ImportContext, node: OnnxNode, flow: Flow): Converted {
  const registered = registeredImporter(node);
  if (!registered && node.domain !== '' && node.domain !== 'ai.onnx') {
    throw new UnsupportedError(
      describeNode(node),
      `domain ${JSON.stringify(node.domain)} is not ONNX's own and has no importer: register one with registerOnnxImport(${JSON.stringify(node.op)}, (node, ctx) => …, { domain: ${JSON.stringify(node.domain)} }) from @convkit/io`,
    );
  }
  if (node.inputs[0] !== flow.value) {
    throw new UnsupportedError(
      describeNode(node),
      `reads the data as input ${node.inputs.indexOf(flow.value)}; convkit layers read it first`,
    );
  }
  ctx.checkExtraOutputs(node);
  if (registered) return importRegistered(ctx, node, flow, registered);
  const a = new Attributes(node, ctx.file);
  switch (node.op) {
    case 'Conv':
      return conv(ctx, node, flow, a);
    case 'Gemm':
    case 'MatMul':
      return dense(ctx, node, flow, a);
    case 'MaxPool':
    case 'AveragePool':
      return pool(ctx, node, flow, a);
    case 'GlobalAveragePool':
    case 'GlobalMaxPool':
      return globalPool(ctx, node, flow);
    case 'BatchNormalization':
      return batchNorm(ctx, node, flow, a);
    case 'Dropout': {
      const ratio = ctx.opset >= 12 && node.inputs[1] ? readScalar(ctx, node, 1, 'ratio') : a.float('ratio', 0.5);
      if (!(ratio >= 0 && ratio < 1))
        throw new FormatError(ctx.file, node.offset, `${describeNode(node)}: ratio ${ratio} is not in [0, 1)`);
      return {
        layers: [{ type: 'dropout', config: { name: ctx.layerName(node), rate: ratio } }],
        flow: { ...flow, value: node.outputs[0] ?? '' },
      };
    }
    case 'Identity':
      return { layers: [], flow: { ...flow, value: node.outputs[0] ?? '' } };
    case 'Flatten': {
      const axis = a.int('axis', 1);
      if (axis !== 1 && axis !== -flow.shape.length) {
        throw new UnsupportedError(describeNode(node), `Flatten axis ${axis}: convkit flattens each example (axis 1)`);
      }
      return flatten(ctx, node, flow);
    }
    case 'Reshape':
      return channelShuffle(ctx, node, flow) ?? reshape(ctx, node, flow);
    case 'Sum':
    case 'Add':
    case 'Mul':
      // Sum of one input is a copy. Of several data values these are joins (import-join.js), never converted here.
      if (node.op === 'Sum' && node.inputs.length === 1)
        return { layers: [], flow: { ...flow, value: node.outputs[0] ?? '' } };
      throw new UnsupportedError(
        describeNode(node),
        `${node.op === 'Mul' ? 'multiplies' : 'adds'} a constant to the data: convkit reads ${node.op} of branches (a residual add, a gate), and a bias or scale that folds into the Conv, Gemm, MatMul or BatchNormalization before it`,
      );
    case 'Transpose':
      return transpose(node, flow, a);
    case 'Pad':
      return channelPad(ctx, node, flow) ?? pad(ctx, node, flow, a);
    case 'Slice':
      return slice(ctx, node, flow);
    default:
      if (ACTIVATION_OPS.has(node.op)) return activation(ctx, node, flow, a);
      throw new UnsupportedError(
        describeNode(node),
        `convkit has no layer for ONNX ${node.op}; import reads ${ONNX_IMPORT_OPS.join(', ')}, and ops registered with registerOnnxImport`,
      );
  }
}
