import { UnsupportedError } from '../errors.js';
import type { LayerLike } from '../model.js';
import type { OnnxGraphWriter as Graph } from './export-graph.js';

// Activations with no single ONNX operator at the opsets exportOnnx writes (13 … 21: Gelu is opset 20,
// HardSwish 14, Mish 18), written as standard nodes that every runtime has since opset 9, so one graph
// serves every opset. The last node carries the activation's name.

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** A scalar float initializer. */
function scalar(g: Graph, name: string, value: number): string {
  return g.floats(name, [], new Float32Array([value]));
}

/** ½·x·(1 + t): both GELUs end so, with t = erf(x/√2) or its tanh approximation. */
function halfXOnePlus(g: Graph, x: string, t: string, name: string): string {
  const plusOne = g.add('Add', [t, scalar(g, `${name}/one`, 1)], `${name}/plus_one`);
  const product = g.add('Mul', [x, plusOne], `${name}/product`);
  return g.add('Mul', [product, scalar(g, `${name}/half`, 0.5)], name);
}

/** The exact GELU, x·Φ(x) = ½·x·(1 + erf(x/√2)). */
function gelu(g: Graph, x: string, name: string): string {
  const scaled = g.add('Mul', [x, scalar(g, `${name}/sqrt_half`, SQRT_HALF)], `${name}/scaled`);
  return halfXOnePlus(g, x, g.add('Erf', [scaled], `${name}/erf`), name);
}

/** ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), PyTorch's approximate='tanh'. */
function geluTanh(g: Graph, x: string, name: string): string {
  const cube = g.add('Mul', [g.add('Mul', [x, x], `${name}/square`), x], `${name}/cube`);
  const cubic = g.add('Mul', [cube, scalar(g, `${name}/c`, 0.044715)], `${name}/cubic`);
  const sum = g.add('Add', [x, cubic], `${name}/sum`);
  const inner = g.add('Mul', [sum, scalar(g, `${name}/k`, SQRT_2_OVER_PI)], `${name}/inner`);
  return halfXOnePlus(g, x, g.add('Tanh', [inner], `${name}/tanh`), name);
}

/** relu6(x + 3)/6 is ONNX HardSigmoid with alpha 1/6, beta 0.5. */
function hardSigmoid(g: Graph, x: string, name: string): string {
  return g.add('HardSigmoid', [x], name, [
    { name: 'alpha', float: 1 / 6 },
    { name: 'beta', float: 0.5 },
  ]);
}

/**
 * The nodes of a composite activation (swish/silu, gelu, geluTanh, mish, hardSwish, hardSigmoid) after
 * `x`; any other name throws an `UnsupportedError` naming the layer.
 */
export function compositeActivationNode(g: Graph, layer: LayerLike, x: string, fn: unknown, name: string): string {
  switch (fn) {
    case 'swish':
    case 'silu':
      return g.add('Mul', [x, g.add('Sigmoid', [x], `${name}/sigmoid`)], name);
    case 'gelu':
      return gelu(g, x, name);
    case 'geluTanh':
      return geluTanh(g, x, name);
    case 'mish': {
      const softplus = g.add('Softplus', [x], `${name}/softplus`);
      return g.add('Mul', [x, g.add('Tanh', [softplus], `${name}/tanh`)], name);
    }
    case 'hardSwish':
      return g.add('Mul', [x, hardSigmoid(g, x, `${name}/hard_sigmoid`)], name);
    case 'hardSigmoid':
      return hardSigmoid(g, x, name);
    default:
      throw new UnsupportedError(
        `${layer.name} (${layer.type})`,
        `activation ${JSON.stringify(fn)} has no ONNX counterpart here`,
      );
  }
}
