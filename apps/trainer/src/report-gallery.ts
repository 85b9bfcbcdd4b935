import type { Normalize } from '@convkit/data';
import { type Layer, walkLayers } from '@convkit/layers';
import { upscale } from '@convkit/viz';
import * as tf from '@tensorflow/tfjs-core';
import { base64Png, digit, preprocessor, type Sample, sampleNote, type Write } from './report-input.js';

/** One misclassified test image, as the report's gallery shows it. */
export interface Mistake {
  /** Index in the test set. */
  index: number;
  label: string;
  predicted: string;
  /** The probability of the predicted class. */
  confidence: number;
  /** The three most probable classes, most probable first. */
  top: { name: string; p: number }[];
  /** PNG, base64. */
  image: string;
}

/** Images per forward pass: the sample's predictions come in a few batches. */
const BATCH = 250;

/** Softmax probabilities of the sample, read asynchronously one batch at a time. */
export async function probabilities(model: Layer, sample: Sample, normalize: Normalize): Promise<Float32Array[]> {
  const pixels = sample.height * sample.width * sample.channels;
  const soft = endsInSoftmax(model);
  const out: Float32Array[] = [];
  for (let start = 0; start < sample.count; start += BATCH) {
    const n = Math.min(BATCH, sample.count - start);
    const p = tf.tidy(() => {
      const x = preprocessor(normalize)(sample.images.subarray(start * pixels, (start + n) * pixels), [
        n,
        sample.height,
        sample.width,
        sample.channels,
      ]);
      const y = model.apply(x) as tf.Tensor;
      return soft ? y.reshape([n, -1]) : tf.softmax(y.reshape([n, -1]));
    });
    const values = (await p.data()) as Float32Array;
    const classes = p.shape[1] ?? 1;
    p.dispose();
    for (let i = 0; i < n; i++) out.push(values.slice(i * classes, (i + 1) * classes));
  }
  return out;
}

/**
 * The sample's misclassified images, the most confident mistakes first (at
 * most `count`): `misclassified.json` with a caption, the number of mistakes
 * and each one's image, true and predicted class and top-3 probabilities.
 */
export async function drawMisclassified(
  model: Layer,
  sample: Sample,
  { normalize, write, classNames }: { normalize: Normalize; write: Write; classNames: readonly string[] },
  count = 24,
): Promise<void> {
  const probs = await probabilities(model, sample, normalize);
  const name = (c: number) => classNames[c] ?? String(c);
  const wrong: Omit<Mistake, 'image'>[] = [];
  probs.forEach((p, index) => {
    const ranked = [...p.keys()].sort((a, b) => (p[b] as number) - (p[a] as number));
    const best = ranked[0] ?? 0;
    const label = sample.labels[index] ?? 0;
    if (best === label) return;
    wrong.push({
      index,
      label: name(label),
      predicted: name(best),
      confidence: p[best] as number,
      top: ranked.slice(0, 3).map((c) => ({ name: name(c), p: p[c] as number })),
    });
  });
  wrong.sort((a, b) => b.confidence - a.confidence);
  const scale = Math.max(1, Math.round(84 / sample.height));
  const items: Mistake[] = wrong
    .slice(0, count)
    .map((m) => ({ ...m, image: base64Png(upscale(digit(sample, m.index), scale)) }));
  const caption =
    `${wrong.length} of ${sample.count} misclassified in ${sampleNote(sample)}` +
    `${wrong.length > items.length ? `; the ${items.length} most confident mistakes` : ''}: true class, predicted class and its probability, and the top 3.`;
  await write('misclassified.json', JSON.stringify({ caption, mistakes: wrong.length, examples: sample.count, items }));
}

/** Whether the model's last leaf applies a softmax already (its output is then the probability). */
function endsInSoftmax(model: Layer): boolean {
  const leaves = walkLayers(model).filter((v) => v.layer.children.length === 0);
  const config = (leaves.at(-1)?.layer.config ?? {}) as { activation?: string; fn?: string };
  return config.activation === 'softmax' || config.fn === 'softmax';
}
