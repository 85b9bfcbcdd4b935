/**
 * @convkit/io — weight formats for convkit: safetensors read and write with a
 * validated header, torchvision `state_dict` mapping, ONNX export and import,
 * and the `FormatError` every parser throws. The main entry is browser-safe;
 * `@convkit/io/node` adds files. Models are taken by shape (`LayerLike`):
 * io needs no layer code at run time.
 *
 * @packageDocumentation
 */

// safetensors
export type { Dtype, TensorData } from './dtypes.js';
export { DTYPE_BYTES, decodeValues, dtypeOf, encodeValues } from './dtypes.js';
// Errors
export type { Misfit } from './errors.js';
export { FormatError, TorchvisionMismatchError, UnsupportedError } from './errors.js';
// Weight layouts and models
export { denseFromTorch, denseToTorch, hwioToOihw, oihwToHwio } from './layout.js';
export type { FlattenSource, LayerLike, WeightValues } from './model.js';
export { assignWeights, flattenedDenses } from './model.js';
// ONNX
export type { Attribute as OnnxAttribute, GraphParts, ModelOptions as OnnxModelOptions } from './onnx/builders.js';
export { int64TensorProto, irVersionFor, modelProto, node, tensorProto, valueInfo } from './onnx/builders.js';
export type {
  DecodedAttribute,
  DecodeOnnxOptions,
  OnnxModel,
  OnnxNode,
  OnnxTensor,
  OnnxValueInfo,
} from './onnx/decode.js';
export { decodeOnnx, MAX_ONNX_NODES, tensorFloats, tensorNumbers } from './onnx/decode.js';
export type { ExportOnnxOptions } from './onnx/export.js';
export { exportOnnx, ONNX_EXPORT_LAYERS } from './onnx/export.js';
export type { OnnxGraphWriter } from './onnx/export-graph.js';
export type { OnnxExportContext, OnnxExporter, OnnxValue, OnnxWeightLayout } from './onnx/export-registry.js';
export { onnxExportTypes, registerOnnxExport } from './onnx/export-registry.js';
export type { ConvertedOnnx, OnnxImportOptions } from './onnx/import.js';
export { convertOnnx, importOnnx } from './onnx/import.js';
export type { ImportedWeight, LayerJSON } from './onnx/import-context.js';
export { ONNX_IMPORT_OPS } from './onnx/import-ops.js';
export type {
  OnnxAttributeReader,
  OnnxImportContext,
  OnnxImporter,
  OnnxStaticInput,
} from './onnx/import-registry.js';
export { registerOnnxImport } from './onnx/import-registry.js';
// Protobuf
export type { WireField, WireSource, WireValue } from './proto/reader.js';
export { readFields, readVarint } from './proto/reader.js';
export { encodeVarint, ProtoMessage } from './proto/writer.js';
export { CONNECTIONS_CONV } from './pytorch/emit-builtins-conv.js';
// PyTorch model generation
export type { PytorchModelOptions } from './pytorch/emit-model.js';
export { pytorchModelFiles } from './pytorch/emit-model.js';
export type {
  PythonHelper,
  PytorchEmitContext,
  PytorchEmitter,
  PytorchExportOptions,
  PytorchLayer,
  PytorchValue,
  PytorchWeightLayout,
} from './pytorch/registry.js';
export { pytorchExportTypes, registerPytorchExport, registerPytorchHelper } from './pytorch/registry.js';
export type {
  DecodedTensor,
  SafetensorsHeader,
  SafetensorsReadOptions,
  TensorInfo,
  TensorInput,
} from './safetensors.js';
export { decodeSafetensors, encodeSafetensors, MAX_HEADER_BYTES, MAX_TENSORS, parseHeader } from './safetensors.js';
// torchvision
export type { TorchvisionModel } from './torchvision/names.js';
export { TORCHVISION_MODELS, torchvisionModel, torchvisionNames } from './torchvision/names.js';
export type { BuiltModel, LoadTorchvisionOptions } from './torchvision/weights.js';
export { exportTorchvision, loadTorchvision } from './torchvision/weights.js';
