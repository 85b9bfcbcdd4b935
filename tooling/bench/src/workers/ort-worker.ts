import { parseJobArgument } from '../job.js';
import { measure } from '../measure.js';
import { architectureToOnnx, ONNX_INPUT } from '../onnx/architecture-model.js';
import { type Outcome, reportAndExit } from '../outcome.js';
import { loadOrt } from '../peers/onnxruntime.js';
import { seededRandom, uniformArray } from '../random.js';

/**
 * Child process: one forward workload on onnxruntime-node's CPU execution
 * provider, on a model generated from the architecture table (NCHW).
 */
async function main(): Promise<Outcome> {
  const job = parseJobArgument(process.argv);
  const ort = loadOrt();
  const { architecture, batch } = job.workload;
  const session = await ort.InferenceSession.create(architectureToOnnx(architecture, batch), {
    intraOpNumThreads: job.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const [h, w, c] = architecture.input;
  const dims = [batch, c, h, w];
  const input = new ort.Tensor('float32', uniformArray(batch * c * h * w, 1, seededRandom(7)), dims);
  const timing = await measure(async () => {
    await session.run({ [ONNX_INPUT]: input });
  }, job.policy);
  await session.release?.();
  const version = ort.env.versions?.node ?? 'unknown';
  return {
    kind: 'ok',
    ...timing,
    runtime: `onnxruntime-node ${version} CPU EP, ${job.threads} intra-op threads, opset 13 model`,
  };
}

main().then(reportAndExit, (error: unknown) =>
  reportAndExit({ kind: 'failed', reason: error instanceof Error ? error.message : String(error) }),
);
