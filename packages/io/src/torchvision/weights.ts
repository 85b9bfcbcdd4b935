import { type Misfit, TorchvisionMismatchError } from '../errors.js';
import { denseFromTorch, denseToTorch, hwioToOihw, oihwToHwio } from '../layout.js';
import { assignWeights, flattenedDenses, type LayerLike, readWeights, valuesOf, type WeightValues } from '../model.js';
import type { DecodedTensor, TensorInput } from '../safetensors.js';
import { torchvisionModel, torchvisionNames } from './names.js';

/** A built model: its weights exist and it knows the input it was built for. */
export type BuiltModel = LayerLike & { readonly inputShape?: number[] | undefined };

/** Options of {@link loadTorchvision}. */
export interface LoadTorchvisionOptions {
  /** Key prefixes of the file to skip, e.g. `['aux1.', 'aux2.']` to load GoogLeNet's weights into a model built without its auxiliary heads. */
  ignore?: readonly string[];
}

/** One weight's layouts: convkit's shape, torchvision's, and the map a Flatten made before it (dense layers). */
interface Plan {
  weight: string;
  key: string;
  shape: number[];
  torchShape: number[];
  flat?: [number, number, number];
}

function plan(model: BuiltModel, modelName: string): Plan[] {
  const input = model.inputShape;
  if (!input)
    throw new RangeError(`${model.name} is not built: call build(inputShape) before mapping torchvision weights`);
  const flattened = flattenedDenses(model, input);
  const flatOf = new Map<string, [number, number, number]>();
  for (const [dense, source] of flattened) flatOf.set(`${dense.name}/kernel`, source.map);
  const names = torchvisionNames(modelName, model);
  return model.namedWeights().map(([weight, variable]) => {
    const shape = [...variable.shape];
    const [a = 0, b = 0, c = 0, d = 0] = shape;
    const torchShape = shape.length === 4 ? [d, c, a, b] : shape.length === 2 ? [b, a] : shape;
    const flat = flatOf.get(weight);
    return { weight, key: names.get(weight) as string, shape, torchShape, ...(flat ? { flat } : {}) };
  });
}

const FLOAT_DTYPES: readonly string[] = ['F32', 'F16', 'BF16', 'F64'];

/**
 * Loads a torchvision `state_dict` (as `decodeSafetensors` / `readSafetensors`
 * give it) into a built zoo model: OIHW kernels become HWIO, `[out, in]`
 * dense weights `[in, out]` (the first one after a Flatten also has its
 * inputs reordered from PyTorch's (c, h, w) flattening to convkit's
 * (h, w, c)), batch-norm `running_mean` / `running_var` become the moving
 * statistics; `num_batches_tracked` is ignored. Nothing is assigned unless
 * everything fits: missing, unexpected and mis-shaped tensors are reported
 * together in one `TorchvisionMismatchError`.
 *
 * @example
 * ```ts
 * const model = getModel('vgg16').build([224, 224, 3]);
 * const { tensors } = await readSafetensors('vgg16.safetensors');
 * loadTorchvision(model, 'vgg16', tensors);
 * ```
 */
export function loadTorchvision(
  model: BuiltModel,
  modelName: string,
  tensors: ReadonlyMap<string, DecodedTensor>,
  options: LoadTorchvisionOptions = {},
): { loaded: number; ignored: string[] } {
  const canonical = torchvisionModel(modelName);
  const plans = plan(model, modelName);
  const expected = new Set(plans.map((p) => p.key));
  const ignored: string[] = [];
  const unexpected: string[] = [];
  for (const key of tensors.keys()) {
    if (expected.has(key)) continue;
    if (key.endsWith('.num_batches_tracked') || (options.ignore ?? []).some((prefix) => key.startsWith(prefix)))
      ignored.push(key);
    else unexpected.push(key);
  }
  const missing: string[] = [];
  const misfits: Misfit[] = [];
  for (const p of plans) {
    const tensor = tensors.get(p.key);
    if (!tensor) missing.push(p.key);
    else if (!FLOAT_DTYPES.includes(tensor.dtype)) {
      misfits.push({
        key: p.key,
        weight: p.weight,
        expected: p.torchShape,
        received: tensor.shape,
        dtype: tensor.dtype,
      });
    } else if (tensor.shape.join() !== p.torchShape.join()) {
      const hint = p.flat
        ? `${p.weight.split('/')[0]} reads a flattened ${p.flat.join('×')} map; build the model at the input size the weights were trained for`
        : undefined;
      misfits.push({
        key: p.key,
        weight: p.weight,
        expected: p.torchShape,
        received: tensor.shape,
        ...(hint ? { hint } : {}),
      });
    }
  }
  if (missing.length + unexpected.length + misfits.length > 0) {
    throw new TorchvisionMismatchError(canonical, missing, unexpected, misfits);
  }
  const values: Record<string, WeightValues> = {};
  for (const p of plans) {
    const raw = (tensors.get(p.key) as DecodedTensor).values;
    const floats = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number>);
    values[p.weight] = { data: fromTorch(floats, p), shape: p.shape };
  }
  assignWeights(model, values);
  return { loaded: plans.length, ignored };
}

function fromTorch(values: Float32Array, p: Plan): Float32Array {
  if (p.shape.length === 4) return oihwToHwio(values, p.torchShape);
  if (p.shape.length === 2) return denseFromTorch(values, p.torchShape, p.flat);
  return values.slice();
}

/**
 * A built zoo model's weights under torchvision's `state_dict` keys and
 * layouts, ready for `encodeSafetensors` (PyTorch reads the file with
 * `safetensors.torch.load_file` and `load_state_dict`; it fills in
 * `num_batches_tracked` itself). Every weight is read once with
 * `await data()` (no synchronous read), hence the Promise.
 *
 * @example
 * ```ts
 * const bytes = encodeSafetensors(await exportTorchvision(model, 'vgg16'));
 * ```
 */
export async function exportTorchvision(model: BuiltModel, modelName: string): Promise<Record<string, TensorInput>> {
  const plans = plan(model, modelName);
  const variables = new Map(model.namedWeights());
  const weights = await readWeights(model);
  const out: Record<string, TensorInput> = {};
  for (const p of plans) {
    const values = valuesOf(weights, variables.get(p.weight) as NonNullable<ReturnType<typeof variables.get>>);
    const data =
      p.shape.length === 4
        ? hwioToOihw(values, p.shape)
        : p.shape.length === 2
          ? denseToTorch(values, p.shape, p.flat)
          : values.slice();
    out[p.key] = { data, shape: p.torchShape };
  }
  return out;
}
