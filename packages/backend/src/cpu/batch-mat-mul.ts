import {
  BatchMatMul,
  type BatchMatMulAttrs,
  broadcast_util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import { floatValues, type KernelArgs, sizeOf } from './cpu-data.js';
import { gemm, type MatrixView, rowMajor, transposed } from './gemm.js';

// Batched matrix product through the packed SGEMM. Transposed operands are
// strided views, so `transposeA`/`transposeB` (which every dense layer's
// gradient uses) cost no copy. Batch dimensions broadcast the way the stock
// kernel does: batch i of the output takes batch i mod (batches of a) of a,
// and likewise for b.

function batchMatMulKernel({ inputs, backend, attrs }: KernelArgs<{ a: TensorInfo; b: TensorInfo }, BatchMatMulAttrs>) {
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const aRows = a.shape[aRank - 2] ?? 1;
  const aCols = a.shape[aRank - 1] ?? 1;
  const bRows = b.shape[bRank - 2] ?? 1;
  const bCols = b.shape[bRank - 1] ?? 1;
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const kOfB = transposeB ? bCols : bRows;
  const n = transposeB ? bRows : bCols;
  if (k !== kOfB) {
    throw new BackendError(
      'cpu',
      `matMul: inner dimensions ${k} and ${kOfB} of shapes [${a.shape}] and [${b.shape}] (transposeA=${transposeA}, transposeB=${transposeB}) must match`,
    );
  }
  const batchDims = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchesA = sizeOf(a.shape.slice(0, -2));
  const batchesB = sizeOf(b.shape.slice(0, -2));
  const batches = Math.max(batchesA, batchesB);
  const aValues = floatValues(backend, a, BatchMatMul);
  const bValues = floatValues(backend, b, BatchMatMul);
  const out = new Float32Array(batches * m * n);
  for (let batch = 0; batch < batches; batch++) {
    const aOffset = (batch % batchesA) * m * k;
    const bOffset = (batch % batchesB) * k * n;
    const left: MatrixView = transposeA ? transposed(aValues, aOffset, m) : rowMajor(aValues, aOffset, k);
    const right: MatrixView = transposeB ? transposed(bValues, bOffset, k) : rowMajor(bValues, bOffset, n);
    gemm(m, n, k, left, right, out, batch * m * n, n, false);
  }
  const shape = [...batchDims, m, n];
  // The stock kernel answers in a's dtype; int32 products are exact below 2^24.
  return backend.makeTensorInfo(shape, a.dtype, a.dtype === 'float32' ? out : Int32Array.from(out));
}

/** BatchMatMul through the packed SGEMM, transposes as strided views. */
export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'cpu',
  kernelFunc: batchMatMulKernel as unknown as KernelFunc,
};
