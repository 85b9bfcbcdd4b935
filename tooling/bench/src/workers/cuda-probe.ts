import { initBackend } from '@convkit/backend';
import { PROBE_PREFIX, type ProbeAnswer } from '../peers/cuda.js';

/**
 * Child process: whether `initBackend('cuda')` starts here, asked once before
 * the cuda cells (in a child, so that the orchestrator holds no CUDA context
 * while the cells run). Prints one line: PROBE_PREFIX + ProbeAnswer.
 */
async function main(): Promise<ProbeAnswer> {
  try {
    const info = await initBackend('cuda');
    return { available: true, device: info.device.description };
  } catch (error) {
    return { available: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

main().then((answer) => process.stdout.write(`\n${PROBE_PREFIX}${JSON.stringify(answer)}\n`, () => process.exit(0)));
