/**
 * The "What the filters learn" lesson's pictures, computed in the page by
 * @convkit/viz — the code `convkit train`'s report uses — on a LeNet-5 the
 * page trains on the bundled digits: conv1's filters, the Zeiler–Fergus
 * figure (top-9 patches and their deconvnet projections) for conv1 and
 * conv2, one digit's feature maps, and occlusion maps. Async reads only.
 */
import type { ImageDataset } from '@convkit/data/browser';
import type { Layer } from '@convkit/layers';
import {
  activationAt,
  featureMaps,
  filterGrid,
  heatmapImage,
  layerKernel,
  occlusion,
  type RgbaImage,
  upscale,
  zeilerFergus,
} from '@convkit/viz';
import * as tf from '@tensorflow/tfjs-core';

export interface ZfPicture {
  layer: string;
  image: RgbaImage;
  caption: string;
}

export interface OcclusionPicture {
  digit: RgbaImage;
  map: RgbaImage;
  label: number;
  /** Probability of the true class without the square, and the lowest with it. */
  baseline: number;
  lowest: number;
}

export interface LessonPictures {
  filters: RgbaImage;
  /** The weights' range the diverging colour map spans, `[-m, m]`. */
  filterRange: [number, number];
  zf: ZfPicture[];
  maps: { image: RgbaImage; range: [number, number]; label: number };
  occlusion: OcclusionPicture[];
}

export interface LessonOptions {
  /** Test digits searched for the top patches (bounds the time). Default 500. */
  limit?: number;
  /** Units drawn per layer. Default 4. */
  units?: number;
  /** Digits given occlusion maps. Default 4. */
  occluded?: number;
}

/** A digit of the dataset (bytes, one channel) as a gray RGBA image. */
export function digitImage(data: ImageDataset, index: number): RgbaImage {
  const size = data.height * data.width;
  const out = new Uint8ClampedArray(size * 4);
  for (let p = 0; p < size; p++) {
    const v = data.images[(index * size + p) * data.channels] ?? 0;
    out.set([v, v, v, 255], 4 * p);
  }
  return { width: data.width, height: data.height, data: out };
}

/** The first `n` digits as the model's input: bytes / 255, as `fit` trains by default ('unit'). */
function batch(data: ImageDataset, n: number): tf.Tensor4D {
  const { height, width, channels } = data;
  const bytes = data.images.subarray(0, n * height * width * channels);
  return tf.tidy(() => tf.div(tf.tensor4d(bytes, [n, height, width, channels], 'float32'), 255));
}

async function drawZf(model: Layer, test: ImageDataset, layer: string, scale: number, o: Required<LessonOptions>) {
  const zf = await zeilerFergus(model, test, { layer, count: o.units, limit: o.limit, columns: 2, scale });
  const field = zf.field ? `${zf.field.size[0]}×${zf.field.size[1]}` : 'the whole image';
  return {
    layer,
    image: zf.image,
    caption:
      `${layer}: ${zf.note}. For each unit, left: its activation projected back to pixels by a deconvnet (mid gray is 0); ` +
      `right: the ${field} px patch under its receptive field that caused it, strongest first.`,
  };
}

async function drawOcclusion(model: Layer, test: ImageDataset, count: number): Promise<OcclusionPicture[]> {
  const x = batch(test, count);
  const classes = [...test.labels.subarray(0, count)];
  const map = await occlusion(model, x, { size: 7, stride: 2, fill: 0.5, classes }).finally(() => x.dispose());
  const [rows = 1, cols = 1] = map.shape.slice(1);
  return classes.map((label, i) => ({
    digit: upscale(digitImage(test, i), 4),
    map: heatmapImage(map, i, { range: [0, 1], scale: Math.max(1, Math.round((test.height * 4) / rows)) }),
    label,
    baseline: map.baseline[i] ?? 0,
    lowest: Math.min(...map.data.subarray(i * rows * cols, (i + 1) * rows * cols)),
  }));
}

/** Every picture of the lesson for a trained LeNet-5 and the test digits. */
export async function lessonPictures(
  model: Layer,
  test: ImageDataset,
  options: LessonOptions = {},
): Promise<LessonPictures> {
  const o = { limit: 500, units: 4, occluded: 4, ...options };
  const filters = await filterGrid(layerKernel(model, 'conv1'), {
    colormap: 'diverging',
    scale: 8,
    columns: 6,
    normalize: 'global',
  });
  const zf = [await drawZf(model, test, 'conv1', 8, o), await drawZf(model, test, 'conv2', 4, o)];
  const x = batch(test, 1);
  const act = tf.tidy(() => activationAt(model, x, 'conv1'));
  x.dispose();
  const drawn = await featureMaps(act, { scale: 4, columns: 6 }).finally(() => act.dispose());
  return {
    filters: filters.image,
    filterRange: filters.range,
    zf,
    maps: { image: drawn.image, range: drawn.range, label: test.labels[0] ?? 0 },
    occlusion: await drawOcclusion(model, test, o.occluded),
  };
}
