import { FormatError, UnsupportedError } from '../errors.js';
import { Attributes } from './attributes.js';
import type { OnnxNode } from './decode.js';
import type { Flow, ImportContext } from './import-context.js';
import { describeNode } from './statics.js';

// What convertOnnx checks and finds before the walk: the data flow, and where the input enters.

/**
 * Checks that the nodes are in topological order with one producer per
 * value (so the walk ends), and finds which values carry data (depend on
 * the input) and which nodes read each of them.
 */
export function dataFlow(
  file: string,
  nodes: readonly OnnxNode[],
  initializers: readonly string[],
  input: string,
  output: string,
) {
  const produced = new Set([...initializers, input]);
  const data = new Set([input]);
  const usersOf = new Map<string, OnnxNode[]>();
  for (const node of nodes) {
    for (const i of node.inputs) {
      if (i && !produced.has(i)) {
        throw new FormatError(
          file,
          node.offset,
          `${describeNode(node)} reads ${JSON.stringify(i)}, which no earlier node, initializer or input produces`,
        );
      }
    }
    if (node.inputs.some((i) => data.has(i))) {
      for (const i of new Set(node.inputs)) {
        if (!data.has(i)) continue;
        const users = usersOf.get(i);
        if (users) users.push(node);
        else usersOf.set(i, [node]);
      }
      for (const o of node.outputs) if (o) data.add(o);
    }
    for (const o of node.outputs) {
      if (!o) continue;
      if (produced.has(o))
        throw new FormatError(
          file,
          node.offset,
          `${describeNode(node)} writes ${JSON.stringify(o)}, which is already defined`,
        );
      produced.add(o);
    }
  }
  if (!data.has(output))
    throw new FormatError(file, 0, `the output ${JSON.stringify(output)} does not depend on the input`);
  return { usersOf, data };
}

/** The input's shape in convkit's layout, and where the walk starts (after a Transpose to NCHW, if the graph has one). */
export function startFlow(
  ctx: ImportContext,
  input: { name: string; dims: (number | undefined)[] },
  given?: readonly number[],
) {
  const subject = `input ${JSON.stringify(input.name)}`;
  const dims = input.dims.slice(1);
  const [first] = ctx.users(input.name);
  const transposed =
    dims.length === 3 &&
    ctx.soleUser(input.name) === first &&
    first?.op === 'Transpose' &&
    new Attributes(first, ctx.file).ints('perm', undefined, 4)?.join(',') === '0,3,1,2';
  const layout: 'NCHW' | 'NHWC' = transposed ? 'NHWC' : 'NCHW';
  let shape: (number | undefined)[];
  if (dims.length === 3) shape = transposed ? dims : [dims[1], dims[2], dims[0]];
  else if (dims.length === 1) shape = dims;
  else
    throw new UnsupportedError(
      subject,
      `has dims [${input.dims.map((d) => d ?? '?').join(', ')}]; convkit reads [N, C, H, W], [N, H, W, C] or [N, features]`,
    );
  if (given) {
    if (given.length !== shape.length || given.some((d, k) => shape[k] !== undefined && shape[k] !== d)) {
      throw new UnsupportedError(
        subject,
        `has dims [${input.dims.map((d) => d ?? '?').join(', ')}], which do not fit the given input [${given.join(', ')}]`,
      );
    }
    shape = [...given];
  }
  if (!shape.every((d) => d !== undefined && Number.isSafeInteger(d) && d > 0)) {
    throw new UnsupportedError(
      subject,
      `has dims [${input.dims.map((d) => d ?? '?').join(', ')}]: pass { input: [height, width, channels] } for symbolic ones`,
    );
  }
  const flow: Flow = { value: transposed && first ? (first.outputs[0] ?? '') : input.name, shape: shape as number[] };
  return { flow, shape: shape as number[], layout };
}
