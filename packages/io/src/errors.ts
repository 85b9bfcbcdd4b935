/**
 * A file that is not what its header or its name promises. The message names
 * the file, the byte offset where the problem shows and the values found there.
 *
 * @example
 * ```ts
 * try { decodeSafetensors(bytes, 'model.safetensors'); }
 * catch (e) { if (e instanceof FormatError) console.log(e.file, e.offset); }
 * ```
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  readonly file: string;
  readonly offset: number;

  constructor(file: string, offset: number, problem: string) {
    super(`${file} at byte ${offset}: ${problem}`);
    this.file = file;
    this.offset = offset;
  }
}

/**
 * Something convkit has no counterpart for: a layer ONNX export cannot
 * write, an ONNX node convkit has no layer for, a model without a
 * torchvision mapping. `subject` names the layer, node or model; the message
 * repeats what was found and lists what is supported.
 *
 * @example
 * ```ts
 * try { await exportOnnx(model, { input: [28, 28, 1] }); }
 * catch (e) { if (e instanceof UnsupportedError) console.log(e.subject); } // 'maxout1 (maxout)'
 * ```
 */
export class UnsupportedError extends Error {
  override readonly name = 'UnsupportedError';
  readonly subject: string;

  constructor(subject: string, problem: string) {
    super(`${subject}: ${problem}`);
    this.subject = subject;
  }
}

/** One tensor whose shape or type does not fit: its torchvision key, the convkit weight, both shapes. */
export interface Misfit {
  key: string;
  weight: string;
  expected: number[];
  received: number[];
  /** The file's dtype when that is the problem (an integer tensor where a float is needed). */
  dtype?: string;
  hint?: string;
}

/**
 * A torchvision `state_dict` that does not fit a model: every missing,
 * unexpected and mis-shaped tensor at once, by name.
 *
 * @example
 * ```ts
 * try { loadTorchvision(model, 'vgg16', tensors); }
 * catch (e) { if (e instanceof TorchvisionMismatchError) console.log(e.missing, e.unexpected, e.misfits); }
 * ```
 */
export class TorchvisionMismatchError extends Error {
  override readonly name = 'TorchvisionMismatchError';
  readonly model: string;
  readonly missing: string[];
  readonly unexpected: string[];
  readonly misfits: Misfit[];

  constructor(model: string, missing: string[], unexpected: string[], misfits: Misfit[]) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`${missing.length} missing (${missing.join(', ')})`);
    if (unexpected.length > 0) parts.push(`${unexpected.length} unexpected (${unexpected.join(', ')})`);
    if (misfits.length > 0) {
      const shown = misfits.map(
        (m) =>
          `${m.key} for ${m.weight}: expected ${m.dtype ? 'a float tensor' : `[${m.expected.join(', ')}]`}, received ${m.dtype ?? ''}${m.dtype ? ' ' : ''}[${m.received.join(', ')}]${m.hint ? ` (${m.hint})` : ''}`,
      );
      parts.push(`${misfits.length} mis-shaped (${shown.join('; ')})`);
    }
    super(`the torchvision state_dict does not fit ${model}: ${parts.join('; ')}`);
    this.model = model;
    this.missing = missing;
    this.unexpected = unexpected;
    this.misfits = misfits;
  }
}
