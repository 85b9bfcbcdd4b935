/**
 * tfjs throws "Kernel 'Conv2DBackpropFilter' not registered for backend
 * 'wasm'" when a backend lacks a gradient kernel: for a training workload
 * that is "cannot train", a fact about the backend, not a bench failure.
 */
export function missingKernel(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return /'(\w+)' not registered for backend/.exec(message)?.[1];
}
