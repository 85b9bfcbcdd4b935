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
