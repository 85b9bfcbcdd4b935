import { decodeTensor, type OnnxTensor, readFields, strings, submessages, varints } from '@convkit/testdata';

/**
 * A decoded ONNX model, as far as the tests need it. Built on the generic
 * field walker and `@convkit/testdata`'s TensorProto reader, not on the
 * writer, so the tests check the bytes against the ONNX field numbers.
 */
export interface DecodedModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  nodes: { opType: string; inputs: string[]; outputs: string[]; ints: Record<string, number[]> }[];
  initializers: OnnxTensor[];
  inputs: { name: string; dims: number[] }[];
  outputs: { name: string; dims: number[] }[];
}

export function decodeModel(bytes: Uint8Array): DecodedModel {
  const model = readFields(bytes);
  const [graphBytes] = submessages(model, 7);
  if (!graphBytes) throw new Error('the model has no graph (field 7)');
  const graph = readFields(graphBytes);
  return {
    irVersion: Number(varints(model, 1)[0]),
    opsets: submessages(model, 8).map((b) => {
      const f = readFields(b);
      return { domain: strings(f, 1)[0] ?? '', version: Number(varints(f, 2)[0]) };
    }),
    nodes: submessages(graph, 1).map((b) => {
      const f = readFields(b);
      const ints: Record<string, number[]> = {};
      for (const a of submessages(f, 5).map(readFields)) {
        const single = varints(a, 3);
        ints[strings(a, 1)[0] ?? ''] = (single.length > 0 ? single : varints(a, 8)).map(Number);
      }
      return { opType: strings(f, 4)[0] ?? '', inputs: strings(f, 1), outputs: strings(f, 2), ints };
    }),
    initializers: submessages(graph, 5).map(decodeTensor),
    inputs: submessages(graph, 11).map(valueInfo),
    outputs: submessages(graph, 12).map(valueInfo),
  };
}

/** ValueInfoProto → name and fixed dims (type 2 → tensor_type 1 → shape 2 → dim 1 → dim_value 1). */
function valueInfo(bytes: Uint8Array): { name: string; dims: number[] } {
  const f = readFields(bytes);
  const tensorType = submessages(readFields(submessages(f, 2)[0] ?? new Uint8Array()), 1)[0] ?? new Uint8Array();
  const shape = submessages(readFields(tensorType), 2)[0] ?? new Uint8Array();
  const dims = submessages(readFields(shape), 1).map((d) => Number(varints(readFields(d), 1)[0]));
  return { name: strings(f, 1)[0] ?? '', dims };
}
