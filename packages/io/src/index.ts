/**
 * @convkit/io — file formats for convkit: safetensors read and write with a
 * validated header, atomic file writes, and the `FormatError` every parser
 * throws. The main entry is browser-safe; `@convkit/io/node` adds files.
 *
 * @packageDocumentation
 */
export type { Dtype, TensorData } from './dtypes.js';
export { DTYPE_BYTES, decodeValues, dtypeOf, encodeValues } from './dtypes.js';
export { FormatError } from './errors.js';
export type { DecodedTensor, SafetensorsHeader, TensorInfo, TensorInput } from './safetensors.js';
export { decodeSafetensors, encodeSafetensors, MAX_HEADER_BYTES, parseHeader } from './safetensors.js';
