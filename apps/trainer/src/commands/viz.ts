import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initBackend } from '@convkit/backend';
import { decodeImage, resizeBilinear } from '@convkit/data';
import { writeFileAtomic } from '@convkit/io/node';
import { type Layer, walkLayers } from '@convkit/layers';
import { activationAt, encodePng, featureMaps, fieldAt, filterGrid, layerKernel, topPatches } from '@convkit/viz';
import { trainingCurves } from '@convkit/viz/charts';
import * as tf from '@tensorflow/tfjs-core';
import { backendFlag } from '../args.js';
import { loadData } from '../datasets.js';
import { didYouMean, UsageError } from '../errors.js';
import { filterCaption, filterStyle, firstConv, gridColumns } from '../filter-recorder.js';
import { loadRun } from '../load-run.js';
import { writeReport } from '../report.js';
import { equivarianceFigure } from '../report-equivariance.js';
import { REPORT_SAMPLE, testSample } from '../report-input.js';
import { readMetrics } from '../run-folder.js';

const KINDS = ['filters', 'maps', 'patches', 'zf', 'evolution', 'curves', 'equivariance'];

/** The input pixels of one image: `--image FILE` (PNG/JPEG, resized to the model's input), else the first test image. */
function inputImage(
  file: string | undefined,
  input: [number, number, number],
  testImage: () => Uint8Array,
): Float32Array {
  let pixels: Uint8Array;
  if (file) {
    const decoded = decodeImage(new Uint8Array(readFileSync(file)), file, { channels: input[2] === 1 ? 1 : 3 });
    const resized = resizeBilinear(
      Float32Array.from(decoded.data),
      decoded.height,
      decoded.width,
      decoded.channels,
      input[0],
      input[1],
    );
    pixels = Uint8Array.from(resized, (v) => Math.max(0, Math.min(255, Math.round(v))));
  } else pixels = testImage();
  return Float32Array.from(pixels, (v) => v / 255);
}

/** The last layer of `type` in the model, depth-first. */
function lastLayerOfType(model: Layer, type: string): string | undefined {
  return walkLayers(model)
    .filter((v) => v.layer.type === type)
    .at(-1)?.layer.name;
}

type Run = ReturnType<typeof loadRun>;

/** What every picture is drawn from: the run, the layer it shows, the flags, and where it writes and prints. */
interface Picture {
  run: Run;
  layer: string;
  values: { layer?: string; image?: string; units?: string; limit?: string };
  write: (name: string, bytes: Uint8Array | string) => Promise<void>;
  out: (line: string) => void;
}

/** The test split of the run's data, read only by the pictures that need it. */
function testSet(run: Run) {
  return loadData(run.config.data).test;
}

/** The pixels `--image` names, else the first test image. */
function pictureInput({ run, values }: Picture): Float32Array {
  return inputImage(values.image, run.input, () => {
    const t = testSet(run);
    return t.images.subarray(0, t.height * t.width * t.channels);
  });
}

async function drawFilters({ run, layer, write }: Picture): Promise<void> {
  const kernel = layerKernel(run.model, layer);
  const { image, range } = await filterGrid(kernel, { ...filterStyle(kernel), columns: gridColumns(kernel) });
  await write('filters.png', encodePng(image));
  await write('filters.json', JSON.stringify({ caption: filterCaption(layer, kernel, range), range }));
}

async function drawMaps(picture: Picture): Promise<void> {
  const { run, layer, write } = picture;
  const x = tf.tensor4d(pictureInput(picture), [1, ...run.input]);
  const activation = activationAt(run.model, x, layer);
  const maps = await featureMaps(activation, { scale: 4 }).finally(() => tf.dispose([x, activation]));
  await write('maps.png', encodePng(maps.image));
}

async function drawPatches({ run, layer, values, write, out }: Picture): Promise<void> {
  // The deepest convolution sees the largest patches, the most telling ones (Zeiler & Fergus's layers 2–5).
  const patchLayer = values.layer ?? lastLayerOfType(run.model, 'conv2d') ?? layer;
  const depth = fieldAt(run.model, run.input, patchLayer).outputShape.at(-1) ?? 1;
  const units = values.units
    ? values.units.split(',').map(Number)
    : Array.from({ length: Math.min(8, depth) }, (_, i) => i);
  const result = await topPatches(run.model, testSet(run), { layer: patchLayer, units, k: 9, limit: 5000, scale: 4 });
  await write('patches.png', encodePng(result.image));
  out(`top patches of ${patchLayer}, units ${units.join(', ')}, over ${result.examples} test images`);
}

/** Zeiler & Fergus's figure for `--layer` (default the first convolution): zf-<layer>.png and its caption. */
async function drawZf({ run, layer, values, write, out }: Picture): Promise<void> {
  const { drawZeilerFergus } = await import('../report-pictures.js');
  const limit = values.limit === undefined ? REPORT_SAMPLE : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a positive integer, received ${values.limit}`);
  const sample = testSample(testSet(run), run.input, limit);
  const units = values.units?.split(',').map(Number);
  out(
    await drawZeilerFergus(run.model, sample, layer, {
      normalize: run.config.normalize,
      write,
      ...(units ? { units } : {}),
    }),
  );
}

async function drawEquivariance(picture: Picture): Promise<void> {
  const { run, layer, write, out } = picture;
  const x = { data: pictureInput(picture), shape: [1, ...run.input] };
  for (const line of await equivarianceFigure(run.model, x, layer, write)) out(line);
}

async function drawEvolution({ run, out }: Picture): Promise<void> {
  out(
    `the evolution of the first layer's filters is recorded during training: ${run.dir}/filters-evolution.png and .gif`,
  );
}

async function drawCurves({ run, write }: Picture): Promise<void> {
  await write('curves.svg', trainingCurves(readMetrics(run.dir)));
}

const DRAW: Record<string, (picture: Picture) => Promise<void>> = {
  filters: drawFilters,
  maps: drawMaps,
  patches: drawPatches,
  zf: drawZf,
  evolution: drawEvolution,
  curves: drawCurves,
  equivariance: drawEquivariance,
};

/** `convkit viz <run> filters|maps|patches|zf|evolution|curves|equivariance [--layer NAME] [--image FILE] [--units LIST] [--limit N]`: pictures into the run folder, and the report redone. */
export async function vizCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      layer: { type: 'string' },
      image: { type: 'string' },
      units: { type: 'string' },
      limit: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  const backend = backendFlag(values.backend) ?? 'auto';
  const [target, kind] = positionals;
  if (!target || !kind) throw new UsageError(`convkit viz needs a run folder and one of ${KINDS.join(', ')}`);
  const draw = KINDS.includes(kind) ? DRAW[kind] : undefined;
  if (!draw) {
    throw new UsageError(
      `unknown picture ${JSON.stringify(kind)}${didYouMean(kind, KINDS)} (one of ${KINDS.join(', ')})`,
    );
  }
  await initBackend(backend);
  const run = loadRun(target);
  const layer = values.layer ?? firstConv(run.model)?.[0];
  if (!layer) throw new UsageError(`${run.config.model} has no convolution; name a layer with --layer`);
  const written: string[] = [];
  const write = async (name: string, bytes: Uint8Array | string) => {
    await writeFileAtomic(`${run.dir}/${name}`, bytes);
    written.push(`${run.dir}/${name}`);
  };
  await draw({ run, layer, values, write, out });
  const report = await writeReport(run.dir, { model: run.model });
  for (const path of written) out(`wrote ${path}`);
  out(`report ${report}`);
  run.model.dispose();
  return 0;
}
