import { UnsupportedError } from '../errors.js';
import type { LayerLike } from '../model.js';

/**
 * convkit weight names ↔ torchvision `state_dict` keys for the zoo's
 * torchvision ports. GoogLeNet, Inception v3, the ResNets, SqueezeNets,
 * MobileNet v2, ShuffleNet v2 and DenseNet-121 already use torchvision's
 * module names (`inception3a/branch2/0/conv` is `inception3a.branch2.0.conv`,
 * `layer2/0/downsample/1` is `layer2.0.downsample.1`);
 * AlexNet and VGG use the papers' layer names (`conv1`, `conv3_2`, `fc6`),
 * which map to indices in torchvision's `features` and `classifier`.
 */

/** The torchvision architectures convkit maps, by the zoo's name. */
export const TORCHVISION_MODELS = [
  'alexnet-torchvision',
  'vgg11',
  'vgg13',
  'vgg16',
  'vgg19',
  'vgg11-bn',
  'vgg13-bn',
  'vgg16-bn',
  'vgg19-bn',
  'googlenet-torchvision',
  'inception-v3',
  'resnet18',
  'resnet34',
  'resnet50',
  'resnet101',
  'resnet152',
  'squeezenet-1.0',
  'squeezenet-1.1',
  'mobilenet-v2',
  'shufflenet-v2-x1.0',
  'densenet121',
] as const;

export type TorchvisionModel = (typeof TORCHVISION_MODELS)[number];

const ALIASES: Record<string, TorchvisionModel> = {
  'torchvision-alexnet': 'alexnet-torchvision',
  'torchvision-googlenet': 'googlenet-torchvision',
  inception_v3: 'inception-v3',
  inceptionv3: 'inception-v3',
  'vgg-a': 'vgg11',
  'vgg-b': 'vgg13',
  'vgg-d': 'vgg16',
  'vgg-e': 'vgg19',
  squeezenet1_0: 'squeezenet-1.0',
  squeezenet1_1: 'squeezenet-1.1',
  mobilenet_v2: 'mobilenet-v2',
  shufflenet_v2_x1_0: 'shufflenet-v2-x1.0',
};

/** Convolutions per block of torchvision's VGG configurations A, B, D and E. */
const VGG_BLOCKS: Record<string, readonly number[]> = {
  vgg11: [1, 1, 2, 2, 2],
  vgg13: [2, 2, 2, 2, 2],
  vgg16: [2, 2, 3, 3, 3],
  vgg19: [2, 2, 4, 4, 4],
};

const ALEXNET: Record<string, string> = {
  conv1: 'features.0',
  conv2: 'features.3',
  conv3: 'features.6',
  conv4: 'features.8',
  conv5: 'features.10',
  fc6: 'classifier.1',
  fc7: 'classifier.4',
  fc8: 'classifier.6',
};

/** A weight's short convkit name → torchvision's parameter or buffer name. */
const PARAMETER: Record<string, string> = {
  kernel: 'weight',
  bias: 'bias',
  gamma: 'weight',
  beta: 'bias',
  movingMean: 'running_mean',
  movingVariance: 'running_var',
};

/** `record[key]` for the record's own keys only (a layer named `constructor` is not a method). */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * The zoo name a model goes by (aliases, `_bn` and torchvision's own
 * spellings accepted), or `UnsupportedError` listing the mapped models.
 *
 * @example
 * ```ts
 * torchvisionModel('vgg11_bn'); // 'vgg11-bn'
 * ```
 */
export function torchvisionModel(name: string): TorchvisionModel {
  const spelled = name.toLowerCase().replace(/_bn$/, '-bn');
  const bn = spelled.endsWith('-bn') ? '-bn' : '';
  const base = bn ? spelled.slice(0, -3) : spelled;
  const canonical = `${own(ALIASES, base) ?? base}${bn}`;
  if ((TORCHVISION_MODELS as readonly string[]).includes(canonical)) return canonical as TorchvisionModel;
  throw new UnsupportedError(
    `model ${JSON.stringify(name)}`,
    `has no torchvision mapping; mapped are ${TORCHVISION_MODELS.join(', ')} (the Caffe 'alexnet' and 'googlenet' are not torchvision's)`,
  );
}

/** The torchvision module path of a convkit layer, or undefined when the model has no such layer. */
function modulePath(model: TorchvisionModel, layer: string): string | undefined {
  if (model === 'alexnet-torchvision') return own(ALEXNET, layer);
  if (model.startsWith('vgg')) return vggPath(model, layer);
  if (model === 'googlenet-torchvision') {
    // torchvision's auxiliary heads call their dense layers fc1 and fc2.
    const aux = /^(aux[12])\/(fc|classifier)$/.exec(layer);
    if (aux) return `${aux[1]}.${aux[2] === 'fc' ? 'fc1' : 'fc2'}`;
  }
  return layer.split('/').join('.');
}

function vggPath(model: TorchvisionModel, layer: string): string | undefined {
  const classifier: Record<string, string> = { fc6: 'classifier.0', fc7: 'classifier.3', fc8: 'classifier.6' };
  const dense = own(classifier, layer);
  if (dense) return dense;
  const match = /^(conv|bn)(\d)_(\d)$/.exec(layer);
  const batchNorm = model.endsWith('-bn');
  const blocks = VGG_BLOCKS[model.replace('-bn', '')] ?? [];
  if (!match || (match[1] === 'bn' && !batchNorm)) return undefined;
  const [block, conv] = [Number(match[2]), Number(match[3])];
  if (block < 1 || block > blocks.length || conv < 1 || conv > (blocks[block - 1] as number)) return undefined;
  // torchvision's `features`: each convolution is conv, [bn,] relu; each block ends in a max pool.
  const perConv = batchNorm ? 3 : 2;
  let index = 0;
  for (let b = 0; b < block - 1; b++) index += (blocks[b] as number) * perConv + 1;
  index += (conv - 1) * perConv + (match[1] === 'bn' ? 1 : 0);
  return `features.${index}`;
}

/**
 * The torchvision `state_dict` key of each convkit weight (`<layer>/<weight>`)
 * of a model: from a built model or from its weight names. A name with no
 * torchvision counterpart throws `UnsupportedError` naming it.
 *
 * @example
 * ```ts
 * torchvisionNames('vgg16', ['conv3_2/kernel', 'fc6/bias']);
 * // Map { 'conv3_2/kernel' => 'features.12.weight', 'fc6/bias' => 'classifier.0.bias' }
 * ```
 */
export function torchvisionNames(modelName: string, weights: Iterable<string> | LayerLike): Map<string, string> {
  const model = torchvisionModel(modelName);
  const names = isLayer(weights) ? weights.namedWeights().map(([name]) => name) : [...weights];
  const out = new Map<string, string>();
  const unknown: string[] = [];
  for (const name of names) {
    const slash = name.lastIndexOf('/');
    const path = modulePath(model, name.slice(0, slash));
    const parameter = own(PARAMETER, name.slice(slash + 1));
    if (slash < 0 || path === undefined || parameter === undefined) unknown.push(name);
    else out.set(name, `${path}.${parameter}`);
  }
  if (unknown.length > 0) {
    throw new UnsupportedError(
      `model ${JSON.stringify(modelName)}`,
      `has weights with no torchvision name: ${unknown.join(', ')}`,
    );
  }
  return out;
}

function isLayer(value: Iterable<string> | LayerLike): value is LayerLike {
  return typeof (value as LayerLike).namedWeights === 'function';
}
