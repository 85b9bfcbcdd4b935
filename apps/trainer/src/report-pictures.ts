import { join } from 'node:path';
import type { Normalize } from '@convkit/data';
import { writeFileAtomic } from '@convkit/io/node';
import { ConfigError, type Layer } from '@convkit/layers';
import {
  activationAt,
  encodePng,
  featureMaps,
  fieldAt,
  heatmapImage,
  occlusion,
  upscale,
  zeilerFergus,
} from '@convkit/viz';
import * as tf from '@tensorflow/tfjs-core';
import { equivarianceFigure } from './report-equivariance.js';
import { drawMisclassified } from './report-gallery.js';
import {
  base64Png,
  convLayers,
  digit,
  layerFile,
  midGray,
  preprocessor,
  type Sample,
  sampleNote,
  testSample,
  type Write,
} from './report-input.js';

/** Convolutions drawn by default: the lecture's figure shows layers 1–4; deeper ones cost more and tell less on small data. */
const MAX_LAYERS = 4;

/**
 * Zeiler & Fergus's figure for one layer: `zf-<layer>.png`, and `zf-<layer>.json`
 * with its caption and units. Returns the caption.
 */
export async function drawZeilerFergus(
  model: Layer,
  sample: Sample,
  layer: string,
  { normalize, write, units }: { normalize: Normalize; write: Write; units?: readonly number[] },
): Promise<string> {
  const [fieldSide = sample.height] = fieldAt(model, [sample.height, sample.width, sample.channels], layer)
    .receptiveField?.size ?? [sample.height];
  const zf = await zeilerFergus(model, sample, {
    layer,
    preprocess: preprocessor(normalize),
    columns: 4,
    // Cells of about 40 px: a 5×5 field at 8 px a pixel, LeNet's 14×14 conv2 field at 3.
    scale: Math.max(2, Math.min(8, Math.ceil(40 / fieldSide))),
    ...(units ? { units } : {}),
  });
  const size = zf.field ? `${zf.field.size[0]}×${zf.field.size[1]}` : 'the whole image';
  const caption =
    `${layer}: ${zf.note}, searched in ${sampleNote(sample)}. For each unit, left: the deconvnet projection of its activation ` +
    `back to pixels (Zeiler & Fergus 2014: unpooling through the recorded switches, ReLU, transposed filters; mid gray is 0, ` +
    `each projection scaled to its own peak); right: the input patch under the unit's receptive field (${size} px) that caused it, strongest first.`;
  const name = layerFile('zf', layer);
  await write(`${name}.png`, encodePng(zf.image));
  await write(`${name}.json`, JSON.stringify({ caption, layer, units: zf.units.map((u) => u.unit) }));
  return caption;
}

/** One test image's feature maps after `layer`: `maps-<layer>.png` and its caption in `maps-<layer>.json`. */
async function drawLayerMaps(
  model: Layer,
  sample: Sample,
  layer: string,
  { normalize, write, classNames }: { normalize: Normalize; write: Write; classNames: readonly string[] },
): Promise<void> {
  const maps = tf.tidy(() => {
    const x = preprocessor(normalize)(sample.images.subarray(0, sample.height * sample.width * sample.channels), [
      1,
      sample.height,
      sample.width,
      sample.channels,
    ]);
    return activationAt(model, x, layer);
  });
  const side = maps.shape[1] ?? 1;
  const drawn = await featureMaps(maps, { scale: Math.max(2, Math.ceil(64 / side)), columns: 8, spacing: 2 }).finally(
    () => maps.dispose(),
  );
  const [min, max] = drawn.range.map((v) => v.toPrecision(3));
  const caption =
    `${layer}: the ${drawn.total} feature maps of test image 0 (class ${classNames[sample.labels[0] ?? 0]}), after the layer's activation, ` +
    `on one colour scale (viridis: dark ${min}, yellow ${max})${drawn.note ? `; ${drawn.note}` : ''}.`;
  const name = layerFile('maps', layer);
  await write(`${name}.png`, encodePng(drawn.image));
  await write(`${name}.json`, JSON.stringify({ caption, layer, range: drawn.range }));
}

/** Occlusion maps (Zeiler & Fergus §4.2) of the first `count` test images for their true class: `occlusion.json`. */
async function drawOcclusion(
  model: Layer,
  sample: Sample,
  { normalize, write, classNames }: { normalize: Normalize; write: Write; classNames: readonly string[] },
  count = 4,
): Promise<void> {
  const n = Math.min(count, sample.count);
  const { height, width, channels } = sample;
  const x = preprocessor(normalize)(sample.images.subarray(0, n * height * width * channels), [
    n,
    height,
    width,
    channels,
  ]);
  const size = Math.max(3, Math.round(Math.min(height, width) / 4));
  const classes = [...sample.labels.subarray(0, n)];
  const map = await occlusion(model, x, { size, stride: 2, fill: midGray(normalize), classes, batchSize: 64 }).finally(
    () => x.dispose(),
  );
  const scale = Math.max(1, Math.round(112 / height));
  const rows = map.shape[1] ?? 1;
  const items = classes.map((label, i) => {
    const values = map.data.subarray(i * rows * (map.shape[2] ?? 1), (i + 1) * rows * (map.shape[2] ?? 1));
    return {
      image: base64Png(upscale(digit(sample, i), scale)),
      map: base64Png(heatmapImage(map, i, { range: [0, 1], scale: Math.max(1, Math.round((height * scale) / rows)) })),
      label: classNames[label] ?? String(label),
      baseline: map.baseline[i] ?? 0,
      lowest: Math.min(...values),
    };
  });
  const caption =
    `A ${size}×${size} gray square slid over each image in steps of 2 px; each map pixel is the probability of the true class ` +
    `with the square there (viridis: dark 0, yellow 1). Where it drops, the network looks.`;
  await write('occlusion.json', JSON.stringify({ caption, items }));
}

/**
 * The pictures the report shows beyond filters and curves, drawn from the
 * trained model and a sample of the test set into the run folder: the
 * misclassified gallery, each convolution's feature maps and Zeiler–Fergus
 * figure (the first four), occlusion maps. A layer the deconvnet cannot
 * invert (a branch, a normalization) is left out with a line in the log.
 */
export async function drawReportPictures(
  model: Layer,
  {
    test,
    classNames,
    input,
    normalize,
    dir,
  }: {
    test: Parameters<typeof testSample>[0];
    classNames: readonly string[];
    input: readonly number[];
    normalize: Normalize;
    dir: string;
  },
  log: (line: string) => void = () => {},
): Promise<void> {
  const sample = testSample(test, input);
  if (sample.count === 0) return;
  const write: Write = (name, bytes) => writeFileAtomic(join(dir, name), bytes);
  const options = { normalize, write, classNames };
  await drawMisclassified(model, sample, options);
  const layers = convLayers(model).slice(0, MAX_LAYERS);
  for (const layer of layers) {
    await drawLayerMaps(model, sample, layer, options);
    await drawZeilerFergus(model, sample, layer, options).catch((error: unknown) => {
      if (!(error instanceof ConfigError)) throw error;
      log(`no Zeiler–Fergus figure for ${layer}: ${error.message}`);
    });
  }
  await drawOcclusion(model, sample, options);
  const first = layers[0];
  if (first) {
    const x = preprocessor(normalize)(sample.images.subarray(0, sample.height * sample.width * sample.channels), [
      1,
      sample.height,
      sample.width,
      sample.channels,
    ]);
    const data = (await x.data()) as Float32Array;
    const shape = [...x.shape];
    x.dispose();
    await equivarianceFigure(model, { data, shape }, first, write);
  }
}
