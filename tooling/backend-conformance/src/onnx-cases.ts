// Picks single-node cases of an ONNX operator from the shared test data and
// loads their tensors (free inputs and model weights) in the order the node
// names them.
import {
  hasTestdata,
  loadManifest,
  type ManifestNode,
  type OnnxTensor,
  readInitializers,
  readTestTensor,
  type Suite,
} from '@convkit/testdata';

export interface OnnxCase {
  suite: Suite;
  test: string;
  node: ManifestNode;
  /** The node's inputs in order (undefined for an omitted optional input). */
  inputs: (OnnxTensor | undefined)[];
  outputs: OnnxTensor[];
}

const SUITES: Suite[] = ['onnx-node', 'onnx-pytorch-converted', 'onnx-pytorch-operator'];

/**
 * Every single-node test of `op` (optionally filtered), each as `[label, case]`
 * for `it.each`. Empty where the data is absent.
 */
export function onnxCases(op: string, keep: (c: OnnxCase) => boolean = () => true): [string, OnnxCase][] {
  if (!hasTestdata()) return [];
  return SUITES.flatMap((suite) =>
    loadManifest(suite)
      .filter((t) => t.nodes.length === 1 && t.nodes[0]?.op === op)
      .map((t): OnnxCase => {
        const node = t.nodes[0] as ManifestNode;
        const weights = readInitializers(suite, t.test);
        let free = 0;
        const inputs = node.inputs.map((name) => {
          if (!name) return undefined;
          const stored = weights.get(name);
          if (stored) return stored;
          return free < t.inputs.length ? readTestTensor(suite, t.test, 'input', free++) : undefined;
        });
        const outputs = t.outputs.map((_, i) => readTestTensor(suite, t.test, 'output', i));
        return { suite, test: t.test, node, inputs, outputs };
      })
      .filter(keep)
      .map((c) => [`${c.suite}/${c.test}`, c] as [string, OnnxCase]),
  );
}
