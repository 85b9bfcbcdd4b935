/** The usage texts, apart so `help` loads nothing else (the backend names come from an entry that imports nothing). */

import { BACKEND_CHOICES } from '@convkit/backend/names';

/** The `--backend` line both texts share. */
const BACKEND_LINE = `  --backend NAME     ${BACKEND_CHOICES.join(' | ')}`;

export const USAGE = `usage: convkit <command> [options]

commands:
  train <model> --data SPEC [...]    train a zoo model, with progress, checkpoints and a report (convkit train --help)
  eval <run|checkpoint> [--data SPEC] [--json]
                                     loss, top-1/top-5 error, per-class accuracy, confusion matrix
  export <run|checkpoint> --format onnx|safetensors|torchvision [--out FILE]
                                     the trained model for ONNX Runtime, safetensors readers or PyTorch
  export <run|model> --format pytorch [--out DIR] [--data SPEC] [--recipe NAME]
                                     model.py, train.py (the recipe under torchrun/DDP), weights, README.md
  import <dir> [--out RUN]           a trained PyTorch export back as a run folder (eval, viz, export, report)
  summary <model> [--input HxWxC] [--classes N] [--batch N] [--json]
                                     the layer table and totals, no weights allocated
  models [--json]                    the model zoo
  backends [--json]                  what this machine runs, the default and why, kernel coverage
  viz <run> filters|maps|patches|zf|evolution|curves|equivariance [--layer NAME] [--image FILE]
                                     pictures of what the network learned, into the run folder;
                                     zf: Zeiler–Fergus grid of --layer [--units 0,3] [--limit N test images]
  lecture [--batch N]                the CNN lecture's numbers, computed by @convkit/zoo/lecture
  help                               this text

options of train, eval, export and viz:
${BACKEND_LINE} (default auto; export: cpu)

options of every command:
  --import MODULE    load a module first (repeatable): a file or package that registers your own
                     layers, models and ONNX exporters (registerLayer, registerModel, registerOnnxExport)

exit codes: 0 success, 1 failure, 2 usage, 130 interrupted (a checkpoint was written)`;

export const TRAIN_USAGE = `convkit train <model> [options]
  --data SPEC        mnist | fashion-mnist[:<dir>] | cifar10:<dir> | cifar100:<dir> | folder:<dir> (default mnist)
  --recipe NAME      lenet5 | alexnet2012 | vgg2014 | googlenet2014 (default: the model's family)
  --epochs N  --batch N  --lr X  --seed N
${BACKEND_LINE} (default auto)
  --limit N          train on N examples only (a quick look)
  --out DIR          the run folder (default runs/<model>-<time>)
  --resume DIR       continue the run in DIR from its last checkpoint (flags given now win)
  --config FILE      a JSON file of these settings; flags win over it
  --json             progress as JSON lines on stdout`;
