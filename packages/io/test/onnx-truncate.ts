import { decodeGraph, readFields, strings, type WireField, weightShapes } from '@convkit/testdata';
import { tensorProto } from '../src/onnx/builders.js';
import { ProtoMessage } from '../src/proto/writer.js';
import { uniform } from './random.js';

// The ONNX light graphs fill every large weight with 0.02 (ConstantOfShape), so their stored outputs are
// exactly uniform softmaxes and even inner maps hide channel orders (a grouped conv of equal weights sums a
// shuffled group as it sums the unshuffled one). These rewrites make an oracle that sees them: seeded random
// weights in place of the fills, the graph cut at an inner map, and onnxruntime on the result.

function copy(message: ProtoMessage, f: WireField): void {
  if (f.value.wire === 0) message.varint(f.field, f.value.value);
  else if (f.value.wire === 2) message.bytes(f.field, f.value.bytes);
  else throw new Error(`fixed-width field ${f.field} where a ModelProto or GraphProto has none`);
}

/**
 * Rewrites the graph (ModelProto field 7) of `model` field by field. IR version 3 (the light graphs') wants every
 * initializer listed as a graph input too, and onnxruntime then refuses initializers a cut graph no longer reads:
 * the copy says IR 4 (field 1), which lifts that rule and changes nothing else these graphs use.
 */
function rewriteGraph(model: Uint8Array, rewrite: (graph: Uint8Array) => ProtoMessage): Uint8Array {
  const out = new ProtoMessage();
  for (const f of readFields(model)) {
    if (f.field === 7 && f.value.wire === 2) out.message(7, rewrite(f.value.bytes));
    else if (f.field === 1 && f.value.wire === 0) out.varint(1, f.value.value < 4n ? 4n : f.value.value);
    else copy(out, f);
  }
  return out.finish();
}

/** A copy of an ONNX model whose graph ends at `value`: the nodes up to the one writing it, `value` its one output. */
export function truncateGraph(model: Uint8Array, value: string): Uint8Array {
  return rewriteGraph(model, (graph) => {
    const out = new ProtoMessage();
    let reached = false;
    for (const f of readFields(graph)) {
      if (f.field === 12) continue; // the graph's outputs: replaced below
      if (f.field === 1 && f.value.wire === 2) {
        if (reached) continue;
        reached = strings(readFields(f.value.bytes), 2).includes(value);
      }
      copy(out, f);
    }
    if (!reached) throw new Error(`no node of the graph writes ${JSON.stringify(value)}`);
    // ValueInfoProto { name = 1, type = 2: TypeProto { tensor_type = 1: { elem_type = 1 (FLOAT) } } }
    const type = new ProtoMessage().message(1, new ProtoMessage().varint(1, 1));
    return out.message(12, new ProtoMessage().string(1, value).message(2, type));
  });
}

/**
 * A copy of a light model whose ConstantOfShape weights are seeded random initializers: kernels uniform in
 * ±√(3 / fan-in) (variance-preserving), vectors (batch-norm statistics, biases) uniform in [0.5, 1.5] so
 * variances stay positive.
 */
export function randomizeFilledWeights(model: Uint8Array, seed: number): Uint8Array {
  const filled = weightShapes(decodeGraph(model));
  return rewriteGraph(model, (graph) => {
    const out = new ProtoMessage();
    for (const f of readFields(graph)) {
      const node = f.field === 1 && f.value.wire === 2 ? readFields(f.value.bytes) : undefined;
      if (!(node && strings(node, 4)[0] === 'ConstantOfShape')) copy(out, f);
    }
    filled.forEach(({ name, dims }, k) => {
      const count = dims.reduce((a, b) => a * b, 1);
      const fanIn = dims.length > 1 ? count / (dims[0] ?? 1) : 0;
      const values = fanIn
        ? uniform(count, seed + k, Math.sqrt(3 / fanIn))
        : uniform(count, seed + k, 0.5).map((v) => v + 1);
      out.message(5, tensorProto(name, dims, values));
    });
    return out;
  });
}
