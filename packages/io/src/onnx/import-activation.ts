import { UnsupportedError } from '../errors.js';
import type { Attributes } from './attributes.js';
import type { OnnxNode } from './decode.js';
import { type Converted, type Flow, type ImportContext, readScalar } from './import-context.js';
import { describeNode } from './statics.js';

/** The activation ops, each a convkit Activation layer. */
export const ACTIVATION_OPS: ReadonlySet<string> = new Set([
  'Clip',
  'Elu',
  'LeakyRelu',
  'Relu',
  'Selu',
  'Sigmoid',
  'Softmax',
  'Softplus',
  'Tanh',
]);

const SELU = { alpha: 1.6732632423543772, gamma: 1.0507009873554805 };

/** Element-wise non-linearities and softmax (one of {@link ACTIVATION_OPS}), as convkit Activation layers. */
export function activation(ctx: ImportContext, node: OnnxNode, flow: Flow, a: Attributes): Converted {
  const unsupported = (problem: string) => new UnsupportedError(describeNode(node), problem);
  let fn: string;
  let alpha: number | undefined;
  switch (node.op) {
    case 'Relu':
    case 'Tanh':
    case 'Sigmoid':
    case 'Softplus':
      fn = node.op === 'Relu' ? 'relu' : node.op.toLowerCase();
      break;
    case 'LeakyRelu':
      fn = 'leakyRelu';
      alpha = a.float('alpha', 0.01);
      break;
    case 'Elu':
      if (Math.abs(a.float('alpha', 1) - 1) > 1e-6)
        throw unsupported(`alpha ${a.float('alpha', 1)}: convkit's elu has α = 1`);
      fn = 'elu';
      break;
    case 'Selu':
      if (
        Math.abs(a.float('alpha', SELU.alpha) - SELU.alpha) > 1e-5 ||
        Math.abs(a.float('gamma', SELU.gamma) - SELU.gamma) > 1e-5
      ) {
        throw unsupported("alpha and gamma other than SELU's constants");
      }
      fn = 'selu';
      break;
    case 'Clip': {
      const low =
        ctx.opset >= 11 ? (node.inputs[1] ? readScalar(ctx, node, 1, 'min') : -Infinity) : a.float('min', -Infinity);
      const high =
        ctx.opset >= 11 ? (node.inputs[2] ? readScalar(ctx, node, 2, 'max') : Infinity) : a.float('max', Infinity);
      if (low !== 0 || (high !== 6 && high !== Infinity))
        throw unsupported(`clips to [${low}, ${high}]: convkit has relu (0, ∞) and relu6 (0, 6)`);
      fn = high === 6 ? 'relu6' : 'relu';
      break;
    }
    case 'Softmax': {
      const axis = a.int('axis', ctx.opset >= 13 ? -1 : 1);
      const rank = flow.shape.length + 1;
      const normalized = axis < 0 ? axis + rank : axis;
      const spatial = flow.shape.length === 3 ? (flow.shape[0] as number) * (flow.shape[1] as number) : 1;
      // Before opset 13 softmax flattens from `axis` on: over NCHW channels only when the map is 1×1.
      const overChannels = flow.nhwc
        ? normalized === 3
        : normalized === 1 && (rank === 2 || ctx.opset >= 13 || spatial === 1);
      if (!overChannels) {
        throw unsupported(
          `axis ${axis} on [N, ${flow.shape.join(', ')}] (opset ${ctx.opset}): convkit's softmax is over the channels`,
        );
      }
      fn = 'softmax';
      break;
    }
    default:
      throw unsupported(`is not an activation op; activations are ${[...ACTIVATION_OPS].join(', ')}`);
  }
  const config: Record<string, unknown> = { name: ctx.layerName(node), fn };
  if (alpha !== undefined) config.alpha = alpha;
  return { layers: [{ type: 'activation', config }], flow: { ...flow, value: node.outputs[0] ?? '' } };
}
