/**
 * A unit of LeNet-5's conv1 or conv2 as CNN Explainer and Zeiler & Fergus
 * show it: its feature map for one digit, the test digits' patches that
 * excite it most, and its deconvnet projection back to pixels; and conv1's
 * map recomputed from weights a reader edits. Async reads only.
 */
import type { ImageDataset } from '@convkit/data/browser';
import type { Layer } from '@convkit/layers';
import * as viz from '@convkit/viz';
import * as tf from '@tensorflow/tfjs-core';

export type UnitLayer = 'conv1' | 'conv2';

/** The layer's maps of one digit, one image per channel, on the layer's one colour scale. */
export async function channelMaps(
  model: Layer,
  x: tf.Tensor,
  layer: UnitLayer,
  scale = 3,
): Promise<{ images: viz.RgbaImage[]; range: [number, number] }> {
  const activation = viz.activationAt(model, x, layer);
  const plain = { data: await activation.data().finally(() => activation.dispose()), shape: activation.shape };
  const all = await viz.featureMaps(plain, { name: layer });
  const images = [];
  for (let c = 0; c < (plain.shape[3] ?? 0); c++)
    images.push((await viz.featureMaps(plain, { channels: [c], range: all.range, scale, spacing: 0 })).image);
  return { images, range: all.range };
}

export interface UnitViews {
  map: viz.RgbaImage;
  patches: viz.RgbaImage;
  projection: viz.RgbaImage;
  /** Test digits searched for the patches. */
  searched: number;
}

/** Feature map (enlarged), top-9 patches among the first `limit` test digits, and the deconvnet projection. */
export async function unitViews(
  model: Layer,
  x: tf.Tensor,
  test: ImageDataset,
  target: { layer: UnitLayer; channel: number },
  limit = 500,
): Promise<UnitViews> {
  const { layer, channel } = target;
  const activation = viz.activationAt(model, x, layer);
  const map = await viz
    .featureMaps(activation, { channels: [channel], scale: layer === 'conv1' ? 6 : 12, spacing: 0 })
    .finally(() => activation.dispose());
  const top = await viz.topPatches(model, test, { layer, units: [channel], k: 9, limit, scale: 3 });
  const projected = await viz.deconvnet(model, x, { layer, channel });
  return {
    map: map.image,
    patches: top.image,
    projection: viz.projectionImage(projected, 0, { scale: 6 }),
    searched: top.examples,
  };
}

/** conv1's filter `f` as 25 numbers, row by row (HWIO kernel [5, 5, 1, 6]). */
export async function filterWeights(model: Layer, f: number): Promise<number[]> {
  const kernel = viz.layerKernel(model, 'conv1');
  const values = await kernel.data();
  const filters = kernel.shape[3] ?? 1;
  return Array.from({ length: values.length / filters }, (_, i) => values[i * filters + f] as number);
}

/**
 * conv1's map for filter `f` with `weights` (25, row by row) in place of
 * its own: the same convolution as the layer ('same' padding, stride 1,
 * the filter's bias, ReLU), drawn on the colour scale `range`.
 */
export async function editedMap(
  model: Layer,
  x: tf.Tensor,
  weights: readonly number[],
  f: number,
  range: readonly [number, number],
): Promise<{ image: viz.RgbaImage; values: Float32Array }> {
  const bias = model.namedWeights().find(([name]) => name === 'conv1/bias')?.[1];
  if (!bias) throw new Error('editedMap: the model has no conv1/bias weight');
  if (weights.length !== 25) throw new RangeError(`editedMap: a 5×5 filter has 25 weights, received ${weights.length}`);
  const out = tf.tidy(() => {
    const kernel = tf.tensor4d(Float32Array.from(weights), [5, 5, 1, 1]);
    const b = tf.slice(bias, [f], [1]);
    return tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, kernel, 1, 'same'), b));
  });
  const values = (await out.data().finally(() => out.dispose())) as Float32Array;
  const image = (await viz.featureMaps({ data: values, shape: out.shape }, { range, scale: 6, spacing: 0 })).image;
  return { image, values };
}

/** conv1's filters, one image each (signed weights on the diverging colour map, 0 white), for hover linking. */
export async function filterImages(model: Layer, scale = 8): Promise<viz.RgbaImage[]> {
  const filters = viz.layerKernel(model, 'conv1').shape[3] ?? 0;
  const images = [];
  for (let f = 0; f < filters; f++) {
    const data = Float32Array.from(await filterWeights(model, f));
    images.push(
      (await viz.filterGrid({ data, shape: [5, 5, 1, 1] }, { scale, colormap: 'diverging', spacing: 0 })).image,
    );
  }
  return images;
}
