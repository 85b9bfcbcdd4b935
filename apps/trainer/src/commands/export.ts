import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '@convkit/backend';
import type { BackendChoice } from '@convkit/backend/names';
import type { Normalize } from '@convkit/data';
import {
  encodeSafetensors,
  exportOnnx,
  exportTorchvision,
  type LayerLike,
  TORCHVISION_MODELS,
  UnsupportedError,
} from '@convkit/io';
import { writeFileAtomic } from '@convkit/io/node';
import { type Layer, toJSON } from '@convkit/layers';
import { backendFlag } from '../args.js';
import { UsageError } from '../errors.js';
import { loadRun } from '../load-run.js';

export const EXPORT_FORMATS = ['onnx', 'safetensors', 'torchvision', 'pytorch'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What `convkit export` was asked for. */
export interface ExportArgs {
  target: string;
  format: ExportFormat;
  out?: string;
  opset?: number;
  backend: BackendChoice;
  /** --format pytorch of a zoo model: the data and recipe train.py starts from. */
  data?: string;
  recipe?: string;
  /** A JSON file of `convkit train` settings (as its --config). */
  config?: string;
}

/** Parses `convkit export <run|checkpoint|model> --format onnx|safetensors|torchvision|pytorch [--out PATH] [--opset N] [--backend NAME] [--data SPEC] [--recipe NAME]`. */
export function parseExportArgs(argv: string[]): ExportArgs {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      opset: { type: 'string' },
      backend: { type: 'string' },
      data: { type: 'string' },
      recipe: { type: 'string' },
      config: { type: 'string' },
    },
  });
  const backend = backendFlag(values.backend) ?? 'cpu';
  const [target, ...extra] = positionals;
  if (!target) throw new UsageError('convkit export needs a run folder or a checkpoint file');
  if (extra.length > 0)
    throw new UsageError(`convkit export takes one run or checkpoint, received also ${extra.join(', ')}`);
  const format = values.format;
  if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format must be one of ${EXPORT_FORMATS.join(', ')}, received ${JSON.stringify(format ?? null)}`,
    );
  }
  const opset = values.opset === undefined ? undefined : Number(values.opset);
  if (opset !== undefined && (format !== 'onnx' || !Number.isInteger(opset))) {
    throw new UsageError(
      `--opset takes an integer and goes with --format onnx, received ${JSON.stringify(values.opset)} with --format ${format}`,
    );
  }
  const zooFlags = { data: values.data, recipe: values.recipe, config: values.config };
  if (Object.values(zooFlags).some((v) => v !== undefined) && format !== 'pytorch')
    throw new UsageError(
      `--data, --recipe and --config go with --format pytorch of a zoo model, received --format ${format}`,
    );
  return {
    target,
    format: format as ExportFormat,
    backend,
    ...(values.data !== undefined ? { data: values.data } : {}),
    ...(values.recipe !== undefined ? { recipe: values.recipe } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(opset !== undefined ? { opset } : {}),
  };
}

/** The file a format is written to when --out is not given: `<run>/export/<model>.<ext>`. */
export function defaultExportPath(runDir: string, model: string, format: ExportFormat): string {
  if (format === 'pytorch') return join(runDir, 'export', 'pytorch');
  const extension = format === 'onnx' ? 'onnx' : format === 'torchvision' ? 'torchvision.safetensors' : 'safetensors';
  return join(runDir, 'export', `${model}.${extension}`);
}

/**
 * A built model's bytes in one of the export formats: ONNX (graph and
 * weights, NHWC input), safetensors under convkit's weight names with the
 * architecture as metadata, or safetensors under torchvision's names and layouts.
 */
export async function exportBytes(
  model: Layer,
  modelName: string,
  input: [number, number, number],
  format: ExportFormat,
  options: { opset?: number } = {},
): Promise<Uint8Array> {
  try {
    if (format === 'onnx')
      return await exportOnnx(model as LayerLike, {
        input,
        ...(options.opset !== undefined ? { opset: options.opset } : {}),
      });
    if (format === 'torchvision')
      return encodeSafetensors(await exportTorchvision(model as LayerLike & { inputShape?: number[] }, modelName));
  } catch (error) {
    if (error instanceof UnsupportedError) {
      const hint =
        format === 'torchvision'
          ? ` (torchvision names exist for ${TORCHVISION_MODELS.join(', ')}; --format safetensors keeps convkit's)`
          : '';
      throw new UsageError(`cannot export ${modelName} as ${format}: ${error.message}${hint}`);
    }
    throw error;
  }
  const tensors = Object.fromEntries(
    await Promise.all(
      model.namedWeights().map(async ([name, v]) => [name, { data: (await v.data()) as Float32Array, shape: v.shape }]),
    ),
  );
  return encodeSafetensors(tensors, {
    format: 'convkit-weights/1',
    model: modelName,
    input: JSON.stringify(input),
    architecture: JSON.stringify(toJSON(model)),
  });
}

const HOW_TO_LOAD: Record<ExportFormat, (file: string) => string> = {
  onnx: (file) => `onnxruntime: InferenceSession.create('${file}'), feeds { input: float32 [batch, h, w, c] (NHWC) }`,
  safetensors: (file) => `convkit: readSafetensors('${file}'); the architecture is in its metadata`,
  torchvision: (file) => `PyTorch: model.load_state_dict(safetensors.torch.load_file('${file}'))`,
  pytorch: (dir) =>
    `torchrun --nproc_per_node=2 ${join(dir, 'train.py')} (README.md there; then convkit import ${dir})`,
};

/**
 * The line `convkit export --format onnx` prints about the input: fit scales
 * the pixels (its `normalize` option) outside the model, so the exported graph
 * expects them scaled, and a runtime fed raw 0–255 pixels gives wrong answers
 * without any error.
 */
export function preprocessingNote(normalize: Normalize | undefined): string {
  const list = (v: number | readonly number[]) => (typeof v === 'number' ? String(v) : `[${v.join(', ')}]`);
  const scaling =
    normalize === undefined || normalize === 'unit'
      ? 'pixels / 255 (values in [0, 1])'
      : `(pixels / 255 − mean) / std with mean ${list(normalize.mean)} and std ${list(normalize.std)} per channel`;
  return `note: the graph has no preprocessing: feed what training fed the model, ${scaling}`;
}

/** `convkit export <run|checkpoint> --format onnx|safetensors|torchvision|pytorch [--out PATH]`: a trained model for other tools. */
export async function exportCommand(argv: string[], out: (line: string) => void): Promise<number> {
  const args = parseExportArgs(argv);
  await initBackend(args.backend);
  if (args.format === 'pytorch') return (await import('../pytorch-export.js')).pytorchExportCommand(args, out);
  const run = loadRun(args.target);
  const bytes = await exportBytes(
    run.model,
    run.config.model,
    run.input,
    args.format,
    args.opset !== undefined ? { opset: args.opset } : {},
  );
  const file = args.out ?? defaultExportPath(run.dir, run.config.model, args.format);
  mkdirSync(dirname(file), { recursive: true });
  await writeFileAtomic(file, bytes);
  out(`${run.config.model} (${run.input.join('×')}, ${run.classes} classes) from ${run.checkpoint}`);
  out(`wrote ${file}: ${args.format}, ${bytes.length.toLocaleString('en-US')} bytes`);
  out(`load it with ${HOW_TO_LOAD[args.format](file)}`);
  if (args.format === 'onnx') out(preprocessingNote(run.config.normalize));
  run.model.dispose();
  return 0;
}
