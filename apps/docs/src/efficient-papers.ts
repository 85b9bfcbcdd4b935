/**
 * The efficient networks as their papers report them: ImageNet top-1
 * accuracy, parameters and multiply-adds, each with the table it is printed
 * in, beside torchvision 0.14's exact counts and, for the models the zoo
 * has, the counts convkit computes from shapes (`modelTable`).
 */

import { summary } from '@convkit/layers';
import { formatCount, formatMetric } from '@convkit/shape';
import { getModel } from '@convkit/zoo';

export interface PaperEntry {
  model: string;
  paper: string;
  year: number;
  /** Where the numbers are printed. */
  source: string;
  /** ImageNet top-1 accuracy in percent, single model, as printed (an error e is given as 100 − e); undefined where no paper reports one. */
  top1?: number;
  /** Parameters in millions as printed, or undefined where the paper prints none. */
  paramsM?: number;
  /** Multiply-adds in millions as printed (ShuffleNet calls them FLOPs), or undefined. */
  macsM?: number;
  /** torchvision 0.14's model and its `num_params` (counted with PyTorch), where torchvision has the model. */
  torchvision?: { name: string; params: number };
  /** The zoo's name for it. */
  zoo?: string;
}

export const EFFICIENT_PAPERS: readonly PaperEntry[] = [
  {
    model: 'VGG-16 (for scale)',
    paper: 'Simonyan & Zisserman',
    year: 2014,
    source: 'as MobileNet v1, Table 8, lists it',
    top1: 71.5,
    paramsM: 138,
    macsM: 15300,
    torchvision: { name: 'vgg16', params: 138_357_544 },
    zoo: 'vgg16',
  },
  {
    model: 'GoogLeNet (for scale)',
    paper: 'Szegedy et al.',
    year: 2014,
    source: 'as MobileNet v1, Table 8, lists it',
    top1: 69.8,
    paramsM: 6.8,
    macsM: 1550,
    zoo: 'googlenet',
  },
  {
    model: 'SqueezeNet 1.0',
    paper: 'Iandola et al.',
    year: 2016,
    source: 'Table 2 (4.8 MB of 32-bit weights: 1.2 M parameters)',
    top1: 57.5,
    paramsM: 1.2,
    torchvision: { name: 'squeezenet1_0', params: 1_248_424 },
    zoo: 'squeezenet-1.0',
  },
  {
    model: 'SqueezeNet 1.1',
    paper: 'Iandola et al.',
    year: 2016,
    source:
      'not in the paper: the SqueezeNet repository gives v1.1 2.4× less computation than 1.0 at the same accuracy',
    torchvision: { name: 'squeezenet1_1', params: 1_235_496 },
    zoo: 'squeezenet-1.1',
  },
  {
    model: 'MobileNet v1 1.0-224',
    paper: 'Howard et al.',
    year: 2017,
    source: 'Table 8',
    top1: 70.6,
    paramsM: 4.2,
    macsM: 569,
    zoo: 'mobilenet-v1',
  },
  {
    model: 'ShuffleNet 1× (g = 4)',
    paper: 'Zhang et al.',
    year: 2018,
    source: 'Table 2 (top-1 error 32.8 %; its "FLOPs" are multiply-adds)',
    top1: 67.2,
    macsM: 140,
  },
  {
    model: 'ShuffleNet g = 4, the ONNX model zoo graph',
    paper: 'Zhang et al.',
    year: 2018,
    source:
      'not a row of the paper: stage widths 136, 272, 544 with bottlenecks as wide as the output (see the card of shufflenet-v1-g4)',
    zoo: 'shufflenet-v1-g4',
  },
  {
    model: 'MobileNet v2 1.0',
    paper: 'Sandler et al.',
    year: 2018,
    source: 'Table 4',
    top1: 72.0,
    paramsM: 3.4,
    macsM: 300,
    torchvision: { name: 'mobilenet_v2', params: 3_504_872 },
    zoo: 'mobilenet-v2',
  },
  {
    model: 'ShuffleNet v2 1×',
    paper: 'Ma et al.',
    year: 2018,
    source: 'Tables 5 and 8 (top-1 error 30.6 %)',
    top1: 69.4,
    paramsM: 2.3,
    macsM: 146,
    torchvision: { name: 'shufflenet_v2_x1_0', params: 2_278_604 },
    zoo: 'shufflenet-v2-x1.0',
  },
  {
    model: 'DenseNet-121',
    paper: 'Huang et al.',
    year: 2017,
    source: 'Table 3 (single crop, top-1 error 25.02 %)',
    top1: 74.98,
    torchvision: { name: 'densenet121', params: 7_978_856 },
    zoo: 'densenet121',
  },
];

export interface PaperRow extends PaperEntry {
  /** The paper's figures as printed ('—' where it prints none). */
  printed: { top1: string; params: string; macs: string };
  /** The zoo's trainable parameters and MACs at 224×224×3, computed from shapes (no weight allocated). */
  computed?: { params: number; macs: number; paramsText: string; macsText: string };
}

/**
 * Every entry beside the zoo's counts, computed at 224×224×3 from shapes.
 * An entry naming a model the zoo does not register throws (getModel's
 * ConfigError lists the names): a renamed model must not vanish from the page.
 */
export function paperRows(entries: readonly PaperEntry[] = EFFICIENT_PAPERS): PaperRow[] {
  return entries.map((entry) => {
    const printed = {
      // 72.0 stays 72.0 and 74.98 stays 74.98: the paper's own digits.
      top1:
        entry.top1 === undefined
          ? '—'
          : entry.top1.toFixed(Math.max(1, (String(entry.top1).split('.')[1] ?? '').length)),
      params: entry.paramsM === undefined ? '—' : `${entry.paramsM} M`,
      macs: entry.macsM === undefined ? '—' : `${formatCount(entry.macsM)} M`,
    };
    if (!entry.zoo) return { ...entry, printed };
    const { totals } = summary(getModel(entry.zoo, { input: [224, 224, 3] }), { input: [224, 224, 3] });
    // Trainable parameters: batch norm's running statistics are state, and torchvision's num_params leaves them out too.
    const computed = {
      params: totals.trainable,
      macs: totals.macs,
      paramsText: formatCount(totals.trainable),
      macsText: formatMetric(totals.macs, 'MACs'),
    };
    return { ...entry, printed, computed };
  });
}
