/**
 * Per-layer PyTorch parity (the paper layers' tests): a small model's one step in convkit and in its
 * generated model.py, with the same weights, input and upstream gradients (not a loss: every output
 * element gets its own weight), auxiliary outputs and stochastic pooling's draws included. convkit runs
 * on tfjs' cpu backend; every case's model.py runs in one python process (importing torch takes seconds).
 * Whole zoo models with a cross-entropy loss are torch-compare.ts's.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyWithAuxiliary, type Layer } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { pytorchModelFiles } from '../src/pytorch/emit-model.js';
import type { TensorInput } from '../src/safetensors.js';
import { readTensors, runPython, tempFolder, writeFiles, writeTensors } from './python.js';
import { randomizeWeights, uniform } from './random.js';

// Reads `x` (NCHW), `dy` / `dy:aux<k>` (upstream gradients), `w:<convkit name>` (weights) and `u:<k>` (the
// draws of the k-th module with a `uniforms` hook); writes `y`, `aux<k>`, `dx`, `g:<name>` (gradients,
// convkit's layouts) and `w:<name>` (the weights after the step: running statistics move while training).
const DRIVER = `import importlib.util, os, sys
import torch

for folder in sys.argv[1:]:
    for name in ("convkit_runtime", "model"):
        sys.modules.pop(name, None)
    sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("model", os.path.join(folder, "model.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    sys.path.remove(folder)
    ck = m.ck
    t, meta = ck.read_safetensors(os.path.join(folder, "in.safetensors"))
    model = m.build_model()
    m.load_convkit_weights(model, {k[2:]: v for k, v in t.items() if k.startswith("w:")})
    model.train(meta["training"] == "true")
    for k, module in enumerate(x for x in model.modules() if hasattr(x, "uniforms")):
        if f"u:{k}" in t:
            module.uniforms = (lambda u: lambda shape: u.reshape(shape))(t[f"u:{k}"])
    x = t["x"].clone().requires_grad_()
    out = model(x)
    main, aux = out if isinstance(out, tuple) else (out, [])
    loss = (main * t["dy"]).sum() + sum((a * t[f"dy:aux{k}"]).sum() for k, a in enumerate(aux))
    loss.backward()
    result = {"y": main, "dx": x.grad}
    result.update({f"aux{k}": a for k, a in enumerate(aux)})
    params = dict(model.named_parameters())
    for name, (key, layout) in m.CONVKIT_WEIGHTS.items():
        if key in params and params[key].grad is not None:
            result["g:" + name] = ck._TO_CONVKIT[layout](params[key].grad)
    result.update({"w:" + k: v for k, v in m.convkit_weights(model).items()})
    ck.write_safetensors(os.path.join(folder, "out.safetensors"), result)
`;

/** Options of {@link layerCase}. */
export interface LayerCaseOptions {
  training?: boolean;
  /** The training-mode draw seed (stochastic pooling). */
  seed?: number;
  /** The `[N, oh, ow, C, 1]` shapes of the stochastic pools' draws, in model order: convkit's own draws are given to model.py. */
  draws?: readonly number[][];
  /** Non-negative inputs with some zeros (as after a ReLU), for the formulas with zero cases. */
  relu?: boolean;
  /** Default 2. */
  batch?: number;
}

/** One case: convkit's values by name (`y`, `aux<k>`, `dx`, `g:<weight>`, `w:<non-trainable weight>`), and model.py's input. */
export interface LayerCase {
  expected: Map<string, Float32Array>;
  files: Record<string, string>;
  tensors: Record<string, TensorInput>;
  training: boolean;
}

const nchw = (t: tf.Tensor): tf.Tensor => (t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : t);
const asInput = async (t: tf.Tensor): Promise<TensorInput> => ({
  data: (await t.data()) as Float32Array,
  shape: t.shape,
});

/** Builds `model` for `shape` (seeded; biases and statistics randomized), runs one convkit step, and gives the case. */
export async function layerCase(model: Layer, shape: number[], options: LayerCaseOptions = {}): Promise<LayerCase> {
  const { training = false, seed, draws = [], relu = false, batch = 2 } = options;
  model.build(shape, { seed: 3 });
  randomizeWeights(model, 5);
  const full = [batch, ...shape];
  const values = uniform(
    full.reduce((a, b) => a * b, 1),
    7,
  ).map((v, i) => (!relu ? v : i % 7 === 0 ? 0 : Math.abs(v)));
  const x = tf.variable(tf.tensor(values, full));
  const tensors: Record<string, TensorInput> = { x: await asInput(nchw(x)) };
  for (const [n, v] of model.namedWeights()) tensors[`w:${n}`] = await asInput(v);
  for (const [k, d] of draws.entries()) {
    tensors[`u:${k}`] = await asInput(tf.transpose(tf.randomUniform(d, 0, 1, 'float32', seed), [0, 3, 1, 2, 4]));
  }
  const trainable = model.namedWeights().filter(([, v]) => v.trainable);
  let outputs: tf.Tensor[] = [];
  let upstream: tf.Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const run = { training, ...(seed === undefined ? {} : { seed }) };
    const { output, auxiliary } = training
      ? applyWithAuxiliary(model, x, run)
      : { output: model.apply(x), auxiliary: [] };
    outputs = [output, ...auxiliary].map((o) => tf.keep(o));
    upstream = outputs.map((o, k) => tf.keep(tf.tensor(uniform(o.size, 11 + k), o.shape)));
    return tf.addN(outputs.map((o, k) => tf.sum(tf.mul(o, upstream[k] as tf.Tensor)))) as tf.Scalar;
  }, [x, ...trainable.map(([, v]) => v)]);
  const expected = new Map<string, Float32Array>();
  for (const [k, o] of outputs.entries()) {
    expected.set(k === 0 ? 'y' : `aux${k - 1}`, (await nchw(o).data()) as Float32Array);
    tensors[k === 0 ? 'dy' : `dy:aux${k - 1}`] = await asInput(nchw(upstream[k] as tf.Tensor));
  }
  expected.set('dx', (await nchw(grads[x.name] as tf.Tensor).data()) as Float32Array);
  for (const [n, v] of trainable) {
    // A weight the step does not reach (an auxiliary head at inference) has no gradient on either side.
    const g = grads[v.name];
    if (g) expected.set(`g:${n}`, (await g.data()) as Float32Array);
  }
  for (const [n, v] of model.namedWeights()) if (!v.trainable) expected.set(`w:${n}`, (await v.data()) as Float32Array);
  tf.dispose([x, value, ...outputs, ...upstream, ...Object.values(grads)]);
  return { expected, files: pytorchModelFiles(model.toJSON(), { inputShape: shape }), tensors, training };
}

/** Runs every case's model.py in one python process: what each gave back, by the names of `expected`. */
export function runLayerCases(python: string, cases: readonly LayerCase[]): Map<string, Float32Array>[] {
  const { dir, remove } = tempFolder('convkit-layer-parity-');
  try {
    const folders = cases.map((c, k) => ({ c, folder: join(dir, `case${k}`) }));
    for (const { c, folder } of folders) {
      mkdirSync(folder);
      writeFiles(folder, c.files);
      writeTensors(join(folder, 'in.safetensors'), c.tensors, { training: String(c.training) });
    }
    writeFiles(dir, { 'driver.py': DRIVER });
    runPython(
      python,
      dir,
      'driver.py',
      folders.map((f) => f.folder),
    );
    return folders.map(({ folder }) => {
      const { tensors } = readTensors(join(folder, 'out.safetensors'));
      return new Map([...tensors].map(([k, v]) => [k, Float32Array.from(v.values as ArrayLike<number>)]));
    });
  } finally {
    remove();
  }
}

/**
 * Each of convkit's values against model.py's, as `name: max |Δ| (tolerance)` lines; `bad` lists those
 * over tolerance. Outputs and weights after the step: 1e-5 × max(1, largest |value|); gradients: 1e-3
 * relative to the tensor's largest entry.
 */
export function compareCase(
  expected: Map<string, Float32Array>,
  got: Map<string, Float32Array>,
): { lines: string[]; bad: string[] } {
  const lines: string[] = [];
  const bad: string[] = [];
  for (const [key, want] of expected) {
    const have = got.get(key);
    let diff = have?.length === want.length ? 0 : Number.NaN;
    let scale = 0;
    for (let i = 0; have && i < want.length; i++) {
      diff = Math.max(diff, Math.abs((have[i] as number) - (want[i] as number)));
      scale = Math.max(scale, Math.abs(want[i] as number));
    }
    const gradient = key === 'dx' || key.startsWith('g:');
    const tolerance = gradient ? 1e-3 * Math.max(scale, 1e-6) : 1e-5 * Math.max(1, scale);
    const line = `${key}: ${diff.toExponential(2)} (tolerance ${tolerance.toExponential(1)})`;
    lines.push(line);
    if (!(diff <= tolerance)) bad.push(line);
  }
  for (const key of got.keys()) {
    if (/^(aux\d+|g:.*)$/.test(key) && !expected.has(key)) bad.push(`${key}: model.py gave it, convkit did not`);
  }
  return { lines, bad };
}
