/**
 * Thrown when a backend cannot start or an option does not apply: the
 * message says which backend, why, and what to do.
 *
 * @example
 * ```ts
 * try {
 *   await initBackend('webgpu');
 * } catch (error) {
 *   if (error instanceof BackendError) console.error(error.message);
 * }
 * ```
 */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  /** The backend that was asked for. */
  readonly backend: string;

  constructor(backend: string, message: string, options?: { cause?: unknown }) {
    super(`${backend}: ${message}`, options);
    this.backend = backend;
  }
}
