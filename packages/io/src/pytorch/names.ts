import type { LayerJSON } from '../onnx/import-context.js';
import { registeredPytorch } from './registry.js';

/** A config value that is a layer as data. */
function isLayerJSON(value: unknown): value is LayerJSON {
  return typeof value === 'object' && value !== null && typeof (value as LayerJSON).type === 'string';
}

/** A layer's children: its registration's `children`, else every layer-valued config entry in key order. */
export function childrenOf(json: LayerJSON): LayerJSON[] {
  const config = json.config ?? {};
  const declared = registeredPytorch(json.type)?.options.children;
  if (declared) return declared(config);
  return Object.values(config).flatMap((v) => (isLayerJSON(v) ? [v] : Array.isArray(v) ? v.filter(isLayerJSON) : []));
}

/**
 * Every layer's convkit name, as `nameTree` (`@convkit/layers`) gives them when the model is built from
 * this JSON: depth-first pre-order, each unnamed layer below the root `<type><n>` with one counter per
 * type across the whole tree (a configured name wins but still counts); the root is its name or type.
 * These are the names its weights carry (`<layer>/<weight>`).
 */
export function layerNames(root: LayerJSON): Map<LayerJSON, string> {
  const names = new Map<LayerJSON, string>();
  const counters = new Map<string, number>();
  const stack: [LayerJSON, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [json, depth] = stack.pop() as [LayerJSON, number];
    if (names.has(json)) continue;
    const configured = json.config?.name;
    let name = typeof configured === 'string' ? configured : json.type;
    if (depth > 0) {
      const n = (counters.get(json.type) ?? 0) + 1;
      counters.set(json.type, n);
      if (typeof configured !== 'string') name = `${json.type}${n}`;
    }
    names.set(json, name);
    const children = childrenOf(json);
    for (let k = children.length - 1; k >= 0; k--) stack.push([children[k] as LayerJSON, depth + 1]);
  }
  return names;
}

const KEYWORDS =
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield';

/** nn.Module's own attributes and the names model.py uses: a layer called `training` must not shadow them. */
const MODULE_ATTRIBUTES =
  'training forward eval train state_dict load_state_dict modules children parameters buffers named_modules named_children named_parameters named_buffers to cuda cpu type float double half bfloat16 apply zero_grad add_module register_buffer register_parameter register_module extra_repr requires_grad_ share_memory get_submodule get_parameter get_buffer dump_patches call_super_init T_destination ck nn F torch math';

/** The words a layer attribute may not be. */
export function reservedAttributes(): Set<string> {
  return new Set(`${KEYWORDS} ${MODULE_ATTRIBUTES}`.split(' '));
}

/** A convkit name as a Python identifier: `inc3a/3x3` → `inc3a_3x3`, `1x1` → `l_1x1`. */
export function pythonName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, '_') || 'layer';
  return /^[0-9]/.test(cleaned) ? `l_${cleaned}` : cleaned;
}
