import {
  type OnnxAttribute as Attribute,
  modelProto,
  node,
  type ProtoMessage,
  tensorProto,
  valueInfo,
} from '@convkit/io';
import { windowOutputSize } from '@convkit/shape';
import type { Architecture } from '../architectures.js';
import { seededRandom, uniformArray } from '../random.js';

export const ONNX_INPUT = 'input';

/**
 * An architecture table as an ONNX model for a fixed batch, laid out as
 * PyTorch exports it: NCHW activations, OIHW conv weights, Gemm with
 * transB = 1 (weights `[units, inFeatures]`). Weights are seeded He-uniform:
 * the bench times the network, not what it has learned.
 */
export function architectureToOnnx(architecture: Architecture, batch: number, seed = 1): Uint8Array {
  const random = seededRandom(seed);
  const nodes: ProtoMessage[] = [];
  const initializers: ProtoMessage[] = [];
  let [height, width, channels] = architecture.input;
  let features = 0;
  let current = ONNX_INPUT;
  const weights = (name: string, dims: number[], fanIn: number) => {
    const count = dims.reduce((a, b) => a * b, 1);
    initializers.push(tensorProto(name, dims, uniformArray(count, Math.sqrt(6 / fanIn), random)));
    return name;
  };
  // PyTorch's default bias init, ±1/√fan-in: non-zero, so a test sees a bias wired to the wrong node.
  const biases = (name: string, size: number, fanIn: number) => {
    initializers.push(tensorProto(name, [size], uniformArray(size, 1 / Math.sqrt(fanIn), random)));
    return name;
  };
  const emit = (opType: string, inputs: string[], name: string, attributes: Attribute[] = []) => {
    nodes.push(node(opType, inputs, [name], name, attributes));
    current = name;
  };

  architecture.layers.forEach((layer, index) => {
    const id = `${layer.type}${index}`;
    switch (layer.type) {
      case 'conv': {
        const { kernel: k, stride: s, padding: p } = layer;
        const inputs = [current, weights(`${id}.weight`, [layer.filters, channels, k, k], k * k * channels)];
        if (layer.bias) inputs.push(biases(`${id}.bias`, layer.filters, k * k * channels));
        emit('Conv', inputs, id, [
          { name: 'kernel_shape', ints: [k, k] },
          { name: 'pads', ints: [p, p, p, p] },
          { name: 'strides', ints: [s, s] },
        ]);
        height = windowOutputSize(height, k, s, [p, p]);
        width = windowOutputSize(width, k, s, [p, p]);
        channels = layer.filters;
        if (layer.relu) emit('Relu', [current], `${id}.relu`);
        break;
      }
      case 'pool':
        emit('MaxPool', [current], id, [
          { name: 'kernel_shape', ints: [layer.kernel, layer.kernel] },
          { name: 'strides', ints: [layer.stride, layer.stride] },
        ]);
        height = windowOutputSize(height, layer.kernel, layer.stride, [0, 0]);
        width = windowOutputSize(width, layer.kernel, layer.stride, [0, 0]);
        break;
      case 'flatten':
        emit('Flatten', [current], id, [{ name: 'axis', int: 1 }]);
        features = height * width * channels;
        break;
      case 'dense': {
        if (features === 0) throw new Error(`${architecture.name}: a dense layer needs a flatten before it`);
        const w = weights(`${id}.weight`, [layer.units, features], features);
        emit('Gemm', [current, w, biases(`${id}.bias`, layer.units, features)], id, [{ name: 'transB', int: 1 }]);
        features = layer.units;
        if (layer.relu) emit('Relu', [current], `${id}.relu`);
        break;
      }
    }
  });

  if (nodes.length === 0) throw new Error(`${architecture.name} has no layers`);
  // The graph output is the last node's output: callers read its name from the session.
  const outputDims = features > 0 ? [batch, features] : [batch, channels, height, width];
  const [h0, w0, c0] = architecture.input;
  return modelProto(
    {
      name: architecture.name,
      nodes,
      initializers,
      inputs: [valueInfo(ONNX_INPUT, [batch, c0, h0, w0])],
      outputs: [valueInfo(current, outputDims)],
    },
    { opset: 13, producer: 'convkit-bench' },
  );
}
