import { InferenceSession, Tensor } from 'onnxruntime-node';

/** Runs an ONNX model's first output on one float32 input with onnxruntime-node (CPU, one thread: reproducible). */
export async function runOnnx(
  bytes: Uint8Array,
  data: Float32Array,
  dims: readonly number[],
): Promise<{ dims: number[]; data: Float32Array }> {
  const session = await InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Errors only: IR-3 graphs (the ONNX light data) list every initializer as an input, one warning each.
    logSeverityLevel: 3,
  });
  try {
    const input = session.inputNames[0] ?? '';
    const outputs = await session.run({ [input]: new Tensor('float32', data, [...dims]) });
    const output = outputs[session.outputNames[0] ?? ''];
    if (!output) throw new Error('onnxruntime returned no output');
    return { dims: [...output.dims], data: output.data as Float32Array };
  } finally {
    await session.release();
  }
}
