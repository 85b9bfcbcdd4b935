import { ConfigError, type Layer, walkLayers } from '@convkit/layers';
import { windowOutputSize } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { checkCount } from '../grid.js';
import type { ProjectionData } from './target.js';

/** Options of {@link occlusion}. */
export interface OcclusionOptions {
  /** Side of the grey square, in input pixels. Default: a quarter of the smaller image side. */
  size?: number;
  /** Step between square positions, in pixels. Default: half the size (at least 1). */
  stride?: number;
  /** The square's value in the model's input scale. Default 0.5 (mid grey for inputs in [0, 1]; use 0 for mean-centred inputs). */
  fill?: number;
  /** The class whose probability is mapped, one for all or one per example. Default: each example's predicted class. */
  classes?: number | readonly number[];
  /** Occluded images per forward pass (memory is one batch). Default 32. */
  batchSize?: number;
  /**
   * Apply a softmax to the model's output. Default: unless the model's last
   * layer already ends in a softmax (its output then is the probability).
   */
  softmax?: boolean;
}

/** What {@link occlusion} measured: `data` of `shape` `[batch, rows, columns]`, the class probability per square position. */
export interface OcclusionResult extends ProjectionData {
  /** The class mapped in each example. */
  classes: number[];
  /** Its probability on the image without the square. */
  baseline: number[];
  /** Square `(row, column)` covers pixels `row·stride … row·stride + size − 1` (likewise columns). */
  size: number;
  stride: number;
}

/**
 * Occlusion sensitivity (Zeiler & Fergus 2014, §4.2): a grey `size × size`
 * square slides over each image with `stride` (positions inside the image,
 * as a valid convolution's windows), and the model's probability of the
 * class at each position makes a map: where it drops, the model looks. The
 * occluded images are evaluated `batchSize` at a time, each batch freed
 * before the next; reads are asynchronous; nothing is random. Draw a map
 * with {@link heatmapImage} (lower = more important).
 *
 * @example
 * ```ts
 * const o = await occlusion(model, x, { size: 7, stride: 2 }); // x: [n, 28, 28, 1] in [0, 1]
 * o.shape;       // [n, 11, 11]
 * o.baseline[0]; // the predicted class's probability without the square
 * const picture = heatmapImage(o, 0, { scale: 8 });
 * ```
 */
export async function occlusion(model: Layer, x: tf.Tensor, options: OcclusionOptions = {}): Promise<OcclusionResult> {
  const op = 'occlusion';
  if (!(x instanceof tf.Tensor) || x.rank !== 4) {
    const got = x instanceof tf.Tensor ? `[${x.shape.join(', ')}]` : String(x);
    throw new ConfigError(op, `the input must be an NHWC batch [batch, h, w, channels], received ${got}`);
  }
  const [n, h, w] = x.shape as [number, number, number, number];
  const size = checkCount(op, 'size', options.size ?? Math.max(1, Math.floor(Math.min(h, w) / 4)));
  const stride = checkCount(op, 'stride', options.stride ?? Math.max(1, Math.floor(size / 2)));
  const batchSize = checkCount(op, 'batchSize', options.batchSize ?? 32);
  const fill = options.fill ?? 0.5;
  if (size > Math.min(h, w) || !Number.isFinite(fill)) {
    throw new ConfigError(
      op,
      `size must fit in the ${h}×${w} image and fill be a finite number, received size ${size}, fill ${fill}`,
    );
  }
  const probabilities = (options.softmax ?? !endsInSoftmax(model)) ? tf.softmax : (t: tf.Tensor) => tf.clone(t);
  const score = (images: tf.Tensor, classes: number[]) => {
    const p = probabilities(model.apply(images) as tf.Tensor2D);
    if (p.rank !== 2) {
      throw new ConfigError(
        op,
        `${model.name}'s output is [${p.shape.join(', ')}]: occlusion maps a class of a [batch, classes] output`,
      );
    }
    const wrong = classes.find((c) => c >= (p.shape[1] as number));
    if (wrong !== undefined) {
      throw new ConfigError(op, `class ${wrong} is out of range: ${model.name} has ${p.shape[1]} classes`);
    }
    return tf.sum(tf.mul(p, tf.oneHot(tf.tensor1d(classes, 'int32'), p.shape[1] as number)), 1);
  };
  const { classes, baseline } = await baselines(model, x, options.classes, probabilities, score);
  const rows = windowOutputSize(h, size, stride, [0, 0]);
  const cols = windowOutputSize(w, size, stride, [0, 0]);
  const data = new Float32Array(n * rows * cols);
  for (let start = 0; start < data.length; start += batchSize) {
    const count = Math.min(batchSize, data.length - start);
    const examples = Array.from({ length: count }, (_, i) => Math.floor((start + i) / (rows * cols)));
    const scores = tf.tidy(() => {
      const mask = tf.tensor4d(squares(start, count, rows, cols, { h, w, size, stride }), [count, h, w, 1]);
      const images = tf.gather(x, tf.tensor1d(examples, 'int32'));
      const occluded = tf.add(tf.mul(images, tf.sub(1, mask)), tf.mul(mask, fill));
      return score(
        occluded,
        examples.map((e) => classes[e] as number),
      );
    });
    data.set(await scores.data(), start);
    scores.dispose();
  }
  return { data, shape: [n, rows, cols], classes, baseline, size, stride };
}

/** The 0/1 masks of square positions `start … start + count − 1` (example-major, then row, column), `[count, h, w]`. */
function squares(
  start: number,
  count: number,
  rows: number,
  cols: number,
  g: Record<'h' | 'w' | 'size' | 'stride', number>,
) {
  const masks = new Float32Array(count * g.h * g.w);
  for (let i = 0; i < count; i++) {
    const position = (start + i) % (rows * cols);
    const top = Math.floor(position / cols) * g.stride;
    const left = (position % cols) * g.stride;
    for (let y = top; y < top + g.size; y++)
      masks.fill(1, (i * g.h + y) * g.w + left, (i * g.h + y) * g.w + left + g.size);
  }
  return masks;
}

/** The class of each example (given, or predicted) and its probability without occlusion. */
async function baselines(
  model: Layer,
  x: tf.Tensor,
  requested: OcclusionOptions['classes'],
  probabilities: (t: tf.Tensor) => tf.Tensor,
  score: (images: tf.Tensor, classes: number[]) => tf.Tensor,
): Promise<{ classes: number[]; baseline: number[] }> {
  const n = x.shape[0] as number;
  let classes: number[];
  if (requested === undefined) {
    const predicted = tf.tidy(() => tf.argMax(probabilities(model.apply(x)), -1));
    classes = Array.from(await predicted.data());
    predicted.dispose();
  } else {
    classes = typeof requested === 'number' ? Array.from({ length: n }, () => requested) : [...requested];
    if (classes.length !== n || classes.some((c) => !Number.isInteger(c) || c < 0)) {
      throw new ConfigError(
        'occlusion',
        `classes must be one class index or one per example (${n}), received ${JSON.stringify(requested)}`,
      );
    }
  }
  const values = tf.tidy(() => score(x, classes));
  const baseline = Array.from(await values.data());
  values.dispose();
  return { classes, baseline };
}

/** Whether the model's last leaf (the end of its chain of last children) applies a softmax. */
function endsInSoftmax(model: Layer): boolean {
  const leaves = walkLayers(model).filter((v) => v.layer.children.length === 0);
  const config = (leaves.at(-1)?.layer.config ?? {}) as { activation?: string; fn?: string };
  return config.activation === 'softmax' || config.fn === 'softmax';
}
