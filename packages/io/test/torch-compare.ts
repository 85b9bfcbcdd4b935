/**
 * convkit against its generated PyTorch model: the same weights, the same batch, then the inference
 * output, the training-mode loss gradient of every weight and the running statistics after that step,
 * compared. convkit runs here on tfjs' cpu backend; PyTorch runs torch-parity-driver.ts' DRIVER
 * once over every case's folder (one Python process).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyWithAuxiliary, fromJSON, type Layer, type LayerJSON } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { pytorchModelFiles } from '../src/pytorch/emit-model.js';
import { readTensors, runPython, tempFolder, writeFiles, writeTensors } from './python.js';
import { randomizeWeights, uniform } from './random.js';
import { DRIVER } from './torch-parity-driver.js';

/** One model to compare. */
export interface ParityCase {
  name: string;
  json: LayerJSON;
  /** `[h, w, c]` or `[features]`. */
  inputShape: number[];
  /** Default 4. */
  batch?: number;
  /** Default 1. */
  seed?: number;
  /** Print how long convkit's side took (slow models). */
  logTime?: boolean;
  /**
   * Compare the inference output only (no training step on either side): for the deepest variants of a
   * family whose blocks another case already checks with gradients.
   */
  forwardOnly?: boolean;
}

/** What one comparison found. */
export interface ParityResult {
  name: string;
  /** Why the case could not run (export refused, Python raised). */
  error?: string;
  /** max |convkit − PyTorch| of the inference output. */
  forward: number;
  /** max |convkit| of the inference output. */
  scale: number;
  /** The worst weight gradient: max |Δ| / max |convkit's gradient| over that weight. */
  grad: number;
  gradWeight: string;
  /** Weights with a gradient on both sides / trainable weights convkit has. */
  gradCount: [number, number];
  /** max |Δ| / max(1, |value|) of the non-trainable weights (running statistics) after the training step. */
  stats: number;
  /** Auxiliary outputs PyTorch returned while training / convkit's. */
  auxCount: [number, number];
  /**
   * PyTorch's own float32 gradient against its float64 one (same measure as `grad`; NaN where float64
   * did not run): above the tolerance, the input makes the gradient too ill-conditioned for
   * two float32 implementations to be compared at it.
   */
  conditioning: number;
  /** convkit's float32 gradient against PyTorch's float64 one (same measure; NaN where float64 did not run). */
  toFloat64: number;
  /** The smallest |input| of any ReLU in PyTorch's training-mode forward (∞ without ReLUs). */
  reluLeast: number;
  /** How many ReLU inputs of that forward were within 1e-5 of 0. */
  reluNear: number;
}

/** Auxiliary losses are weighted as GoogLeNet's paper (and convkit's recipes) weight them. */
const AUX_WEIGHT = 0.3;

/** The model with every dropout rate 0: dropout's draws cannot match across libraries. */
export function withoutDropout(json: LayerJSON): LayerJSON {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value).map(([k, v]) => [k, walk(v)]);
    const copy = Object.fromEntries(entries) as Record<string, unknown>;
    if (copy.type === 'dropout' && typeof copy.config === 'object')
      copy.config = { ...(copy.config as object), rate: 0 };
    return copy;
  };
  return walk(json) as LayerJSON;
}

/** convkit's side of one case: what it computed, kept as arrays. */
interface ConvkitSide {
  y: Float32Array;
  grads: Map<string, Float32Array>;
  after: Map<string, Float32Array>;
  auxCount: number;
}

/** Builds the case in convkit, writes its folder for Python, and computes convkit's answers. */
async function prepare(c: ParityCase, dir: string): Promise<ConvkitSide> {
  const json = withoutDropout(c.json);
  writeFiles(dir, pytorchModelFiles(json, { inputShape: c.inputShape, title: c.name }));
  const seed = c.seed ?? 1;
  const batch = c.batch ?? 4;
  const model = fromJSON(json).build(c.inputShape, { seed });
  try {
    randomizeWeights(model, seed);
    const weights: Record<string, { data: Float32Array; shape: number[] }> = {};
    for (const [name, v] of model.namedWeights())
      weights[name] = { data: (await v.data()) as Float32Array, shape: v.shape };
    writeTensors(join(dir, 'weights.safetensors'), weights);
    const x = tf.tensor(uniform(batch * c.inputShape.reduce((a, b) => a * b, 1), seed + 7), [batch, ...c.inputShape]);
    const classes = model.outputShape(c.inputShape)[0] as number;
    const labels = Int32Array.from({ length: batch }, (_, i) => (i * 7 + seed) % classes);
    const nchw = x.rank === 4 ? tf.transpose(x, [0, 3, 1, 2]) : x;
    writeTensors(
      join(dir, 'input.safetensors'),
      { x: { data: (await nchw.data()) as Float32Array, shape: nchw.shape }, labels: { data: labels, shape: [batch] } },
      { aux_weight: String(AUX_WEIGHT), forward_only: String(c.forwardOnly === true) },
    );
    const side = await convkitSide(model, x, labels, classes, c.forwardOnly === true);
    if (process.env.CONVKIT_PARITY_KEEP) {
      const mine = Object.fromEntries([...side.grads].map(([n, g]) => [`grad:${n}`, { data: g, shape: [g.length] }]));
      writeTensors(join(dir, 'convkit.safetensors'), mine);
    }
    tf.dispose([x, nchw]);
    return side;
  } finally {
    model.dispose();
  }
}

async function convkitSide(
  model: Layer,
  x: tf.Tensor,
  labels: Int32Array,
  classes: number,
  forwardOnly: boolean,
): Promise<ConvkitSide> {
  const yOut = tf.tidy(() => {
    const y = model.apply(x);
    return y.rank === 4 ? tf.transpose(y, [0, 3, 1, 2]) : y;
  });
  const y = (await yOut.data()) as Float32Array;
  yOut.dispose();
  if (forwardOnly) return { y, grads: new Map(), after: new Map(), auxCount: 0 };
  let auxCount = 0;
  const trainable = model.trainableWeights();
  const { value, grads } = tf.variableGrads(() => {
    const { output, auxiliary } = applyWithAuxiliary(model, x, { training: true });
    auxCount = auxiliary.length;
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
    const ce = (logits: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)));
    return auxiliary.reduce((loss, a) => tf.add(loss, tf.mul(ce(a), AUX_WEIGHT)), ce(output)) as tf.Scalar;
  }, trainable);
  value.dispose();
  const names = new Map(model.namedWeights().map(([n, v]) => [v.name, n]));
  const gradValues = new Map<string, Float32Array>();
  for (const [id, g] of Object.entries(grads)) gradValues.set(names.get(id) ?? id, (await g.data()) as Float32Array);
  tf.dispose(Object.values(grads));
  const after = new Map<string, Float32Array>();
  for (const [name, v] of model.namedWeights()) if (!v.trainable) after.set(name, (await v.data()) as Float32Array);
  return { y, grads: gradValues, after, auxCount };
}

/** max |a − b| and max |b| over two arrays of one length. */
function diff(a: ArrayLike<number>, b: ArrayLike<number>): { worst: number; scale: number } {
  if (a.length !== b.length) return { worst: Number.POSITIVE_INFINITY, scale: 0 };
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return { worst, scale };
}

/** Compares one case's PyTorch answers (its folder's out.safetensors) with convkit's. */
function compare(name: string, dir: string, side: ConvkitSide): ParityResult {
  const { tensors } = readTensors(join(dir, 'out.safetensors'));
  const get = (key: string) => tensors.get(key)?.values ?? new Float32Array(0);
  const forward = diff(get('y'), side.y);
  let grad = 0;
  let gradWeight = '';
  let matched = 0;
  // A gradient that is 0 in exact arithmetic (a conv bias before training-mode batch norm) is rounding
  // noise on both sides (~1e-7 of the largest gradient): it is measured against 1% of the model's
  // largest gradient instead of its own size. A wrong backward is off by its own order, so it still shows.
  const floor = 1e-2 * Math.max(1e-30, ...[...side.grads.values()].map((g) => diff(g, g).scale));
  for (const [weight, g] of side.grads) {
    if (!tensors.has(`grad:${weight}`)) continue;
    matched++;
    const d = diff(get(`grad:${weight}`), g);
    const rel = d.worst / Math.max(d.scale, floor);
    if (d.worst > 0 && rel > grad) [grad, gradWeight] = [rel, weight];
  }
  let conditioning = tensors.size > 0 && [...tensors.keys()].some((k) => k.startsWith('grad64:')) ? 0 : Number.NaN;
  let toFloat64 = conditioning;
  for (const [weight, g] of side.grads) {
    if (!tensors.has(`grad64:${weight}`)) continue;
    const d = diff(get(`grad:${weight}`), get(`grad64:${weight}`));
    conditioning = Math.max(conditioning, d.worst / Math.max(d.scale, floor));
    const mine = diff(g, get(`grad64:${weight}`));
    toFloat64 = Math.max(toFloat64, mine.worst / Math.max(mine.scale, floor));
  }
  let stats = 0;
  for (const [weight, v] of side.after) {
    const d = diff(get(`after:${weight}`), v);
    stats = Math.max(stats, d.worst / Math.max(1, d.scale));
  }
  const auxCount: [number, number] = [Number(get('aux_count')[0] ?? 0), side.auxCount];
  return {
    name,
    forward: forward.worst,
    scale: forward.scale,
    grad,
    gradWeight,
    gradCount: [matched, side.grads.size],
    stats,
    auxCount,
    conditioning,
    toFloat64,
    reluLeast: Number(get('relu_least')[0] ?? Number.POSITIVE_INFINITY),
    reluNear: Number(get('relu_near')[0] ?? 0),
  };
}

function failed(name: string, error: string): ParityResult {
  const inf = Number.POSITIVE_INFINITY;
  return {
    name,
    error,
    forward: inf,
    scale: 0,
    grad: inf,
    gradWeight: '',
    gradCount: [0, 0],
    stats: inf,
    auxCount: [0, 0],
    conditioning: Number.NaN,
    toFloat64: Number.NaN,
    reluLeast: 0,
    reluNear: 0,
  };
}

/**
 * Runs every case through convkit (here) and its generated model.py (one `python` process for all),
 * and returns what each comparison found. A case convkit cannot export, or Python cannot run, comes back
 * with its `error` instead of failing the others.
 */
export async function torchParity(python: string, cases: readonly ParityCase[]): Promise<ParityResult[]> {
  const folder = tempFolder('convkit-torch-parity-');
  try {
    const prepared: { c: ParityCase; dir: string; side?: ConvkitSide; error?: string }[] = [];
    for (const [k, c] of cases.entries()) {
      const dir = join(folder.dir, `case${k}`);
      mkdirSync(dir);
      try {
        const start = Date.now();
        prepared.push({ c, dir, side: await prepare(c, dir) });
        if (c.logTime) console.log(`${c.name}: convkit side ${((Date.now() - start) / 1000).toFixed(1)} s`);
      } catch (e) {
        prepared.push({ c, dir, error: String(e) });
      }
    }
    writeFileSync(join(folder.dir, 'driver.py'), DRIVER);
    const ready = prepared.filter((p) => p.side);
    if (ready.length > 0)
      runPython(
        python,
        folder.dir,
        'driver.py',
        ready.map((p) => p.dir),
      );
    return prepared.map(({ c, dir, side, error }) => {
      if (!side) return failed(c.name, error ?? 'not prepared');
      if (existsSync(join(dir, 'error.txt'))) return failed(c.name, readFileSync(join(dir, 'error.txt'), 'utf8'));
      return compare(c.name, dir, side);
    });
  } finally {
    // CONVKIT_PARITY_KEEP=1 leaves the folders (model.py, weights, input, PyTorch's answers) for a look.
    if (process.env.CONVKIT_PARITY_KEEP) console.log(`parity folders kept in ${folder.dir}`);
    else folder.remove();
  }
}
