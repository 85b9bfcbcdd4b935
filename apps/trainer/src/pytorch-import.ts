import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@convkit/io/node';
import { type Checkpoint, decodeCheckpoint, loadWeights } from '@convkit/train/node';
import type { TrainConfig } from './config.js';
import { UsageError } from './errors.js';
import { buildModel } from './model.js';
import { EXPORT_INFO, type PytorchExportInfo } from './pytorch-export.js';
import { defaultRunDir, openRunFolder, readRunJson } from './run-folder.js';

const EXPECTED =
  `${EXPORT_INFO}, model.py, train.py and weights.safetensors (written by convkit export RUN|MODEL --format pytorch --out DIR), ` +
  'and after training run/checkpoints/last.safetensors and run/metrics.jsonl (written by train.py --out run)';

/** What `convkit import` made. */
export interface ImportedRun {
  dir: string;
  model: string;
  epochs: number;
  checkpoints: string[];
}

/** The export's description, checked: a folder that is not an export says what one holds. */
export function readExportInfo(dir: string): PytorchExportInfo {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`${dir}: no such folder. convkit import takes the folder of a PyTorch export: ${EXPECTED}`);
  const path = join(dir, EXPORT_INFO);
  const missing = [EXPORT_INFO, 'model.py', 'train.py', 'weights.safetensors'].filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0)
    throw new UsageError(`${dir} is not a convkit PyTorch export: ${missing.join(', ')} missing. Expected ${EXPECTED}`);
  const info = readRunJson(path) as Partial<PytorchExportInfo> | null;
  if (info?.format !== 'convkit-pytorch-export/1' || typeof info.model !== 'string' || !Array.isArray(info.input))
    throw new UsageError(
      `${path}: "format" is ${JSON.stringify(info?.format) ?? 'missing'}, expected "convkit-pytorch-export/1" with "model" and "input"; export again with convkit export --format pytorch`,
    );
  return info as PytorchExportInfo;
}

/** Decodes a checkpoint train.py wrote and checks that it fits the exported model (names, shapes, configuration). */
function checkedCheckpoint(file: string, info: PytorchExportInfo): Checkpoint & { bytes: Uint8Array } {
  const bytes = new Uint8Array(readFileSync(file));
  const checkpoint = decodeCheckpoint(bytes, file);
  const config = (checkpoint.extra as { config?: TrainConfig } | null)?.config;
  if (config?.model !== info.model)
    throw new UsageError(
      `${file} holds no run configuration of ${info.model} (extra.config.model is ${JSON.stringify(config?.model)})`,
    );
  const model = buildModel(info.model, info.input, info.classes);
  try {
    model.build(info.input, { seed: config.seed });
    loadWeights(model, checkpoint.weights, file);
  } finally {
    model.dispose();
  }
  return { ...checkpoint, bytes };
}

/**
 * Turns a trained PyTorch export back into a convkit run folder: config.json
 * (the checkpoint's configuration), data.json, environment.json (the engine),
 * metrics.jsonl (the checkpoint's history, the source of truth) and
 * checkpoints/{last,best}.safetensors byte for byte, after checking that they
 * decode and fit the model. `eval`, `viz`, `export` and the report read it as
 * they read a run of `convkit train`.
 */
export async function importPytorchRun(
  dir: string,
  options: { out?: string; from?: string } = {},
): Promise<ImportedRun> {
  const info = readExportInfo(dir);
  const from = resolve(dir, options.from ?? info.run);
  const last = join(from, 'checkpoints', 'last.safetensors');
  if (!existsSync(last))
    throw new UsageError(
      `${dir} has not been trained yet: ${last} is missing. Train first: cd ${dir} && torchrun --nproc_per_node=2 train.py --out ${options.from ?? info.run}`,
    );
  const checkpoints = { last: checkedCheckpoint(last, info) } as Record<string, Checkpoint & { bytes: Uint8Array }>;
  const bestFile = join(from, 'checkpoints', 'best.safetensors');
  if (existsSync(bestFile)) checkpoints.best = checkedCheckpoint(bestFile, info);
  const latest = checkpoints.last as Checkpoint & { bytes: Uint8Array };
  const { config, engine } = latest.extra as { config: TrainConfig; engine?: Record<string, unknown> };
  const out = options.out ?? defaultRunDir(`${info.model}-pytorch`);
  if (existsSync(join(out, 'config.json'))) throw new UsageError(`${out} already holds a run: choose another --out`);
  const run = openRunFolder(out);
  await run.writeJsonFiles({
    'config.json': config,
    'data.json': {
      ...info.data,
      spec: config.data,
      source: `PyTorch export ${resolve(dir)}`,
      classes: info.classes,
      classNames: info.classNames,
    },
    'environment.json': { ...engine, importedFrom: resolve(dir), imported: new Date().toISOString() },
  });
  for (const [name, checkpoint] of Object.entries(checkpoints))
    await writeFileAtomic(join(run.checkpoints, `${name}.safetensors`), checkpoint.bytes);
  const history = latest.progress.history;
  await writeFileAtomic(run.file('metrics.jsonl'), history.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return { dir: run.dir, model: info.model, epochs: history.length, checkpoints: Object.keys(checkpoints) };
}
