import { resolvePadding } from '@convkit/shape';
import { FormatError } from '../errors.js';
import type { OnnxNode } from './decode.js';
import { describeNode } from './statics.js';

/** Typed reads of a node's attributes; a wrong type or value is a `FormatError` naming the node. */
export class Attributes {
  constructor(
    private readonly node: OnnxNode,
    private readonly file: string,
  ) {}

  private fail(problem: string): never {
    throw new FormatError(this.file, this.node.offset, `${describeNode(this.node)}: ${problem}`);
  }

  int(name: string, fallback: number): number {
    const a = this.node.attributes.get(name);
    if (a === undefined) return fallback;
    if (a.type !== 'int') this.fail(`attribute ${name} must be an int, is ${a.type}`);
    return a.value;
  }

  /** A float attribute, as the shortest decimal that rounds to the stored float32 (1e-4, not 9.99999974738e-5). */
  float(name: string, fallback: number): number {
    const a = this.node.attributes.get(name);
    if (a === undefined) return fallback;
    if (a.type === 'int') return a.value;
    if (a.type !== 'float') this.fail(`attribute ${name} must be a float, is ${a.type}`);
    return shortestFloat32(a.value);
  }

  string(name: string, fallback: string): string {
    const a = this.node.attributes.get(name);
    if (a === undefined) return fallback;
    if (a.type !== 'string') this.fail(`attribute ${name} must be a string, is ${a.type}`);
    return a.value;
  }

  ints(name: string, fallback: number[] | undefined, length: number): number[] | undefined {
    const a = this.node.attributes.get(name);
    if (a === undefined) return fallback;
    if (a.type !== 'ints') this.fail(`attribute ${name} must be a list of ints, is ${a.type}`);
    if (a.value.length !== length)
      this.fail(`attribute ${name} has ${a.value.length} values [${a.value.join(', ')}], expected ${length}`);
    return a.value;
  }

  /** A list of `length` positive integers (strides, dilations, kernel sizes). */
  positive(name: string, fallback: number[] | undefined, length: number): number[] | undefined {
    const values = this.ints(name, fallback, length);
    if (values?.some((v) => v < 1)) this.fail(`attribute ${name} is [${values.join(', ')}]; it needs integers ≥ 1`);
    return values;
  }
}

/**
 * The shortest decimal that float32 rounds to `value`: ONNX stores float
 * attributes in 32 bits, and a convkit config written as 1e-3 should come
 * back as 1e-3 (tfjs adds ε in double precision).
 */
export function shortestFloat32(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/** A window's padding for convkit and the pads it resolves to, from ONNX `auto_pad` / `pads`. */
export interface Padding {
  /** For the layer's config: a number, `[[top, bottom], [left, right]]`, `'same'` or `'same-lower'`. */
  config: number | [[number, number], [number, number]] | 'same' | 'same-lower';
  /** `[top, left, bottom, right]`. */
  pads: [number, number, number, number];
}

/** Reads `auto_pad` and `pads` of a 2-D window on an `[h, w]` input. */
export function windowPadding(
  attributes: Attributes,
  node: OnnxNode,
  file: string,
  [h, w]: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
): Padding {
  const mode = attributes.string('auto_pad', 'NOTSET');
  const axis = (k: 0 | 1, n: number, padding: 'same' | 'same-lower') =>
    resolvePadding(describeNode(node), n, padding, {
      kernel: kernel[k] as number,
      stride: stride[k] as number,
      dilation: dilation[k] as number,
    });
  if (mode === 'SAME_UPPER' || mode === 'SAME_LOWER') {
    const padding = mode === 'SAME_UPPER' ? 'same' : 'same-lower';
    const [top, bottom] = axis(0, h ?? 0, padding);
    const [left, right] = axis(1, w ?? 0, padding);
    return { config: padding, pads: [top, left, bottom, right] };
  }
  if (mode === 'VALID') return { config: 0, pads: [0, 0, 0, 0] };
  if (mode !== 'NOTSET' && mode !== '') {
    throw new FormatError(
      file,
      node.offset,
      `${describeNode(node)}: auto_pad ${JSON.stringify(mode)} is not an ONNX mode`,
    );
  }
  const pads = attributes.ints('pads', [0, 0, 0, 0], 4) as number[];
  if (pads.some((p) => p < 0)) {
    throw new FormatError(file, node.offset, `${describeNode(node)}: pads [${pads.join(', ')}] are negative`);
  }
  const [top = 0, left = 0, bottom = 0, right = 0] = pads;
  const config =
    top === bottom && left === right && top === left
      ? top
      : ([
          [top, bottom],
          [left, right],
        ] as [[number, number], [number, number]]);
  return { config, pads: [top, left, bottom, right] };
}
