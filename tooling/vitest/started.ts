/**
 * Those of `names` that `start` brings up here, in order: the optional backends a test also runs on
 * (native only where its addon is built). `start` is the caller's `initBackend` — this package cannot
 * import @convkit/backend, whose own tests use it. One probe for every package's tests.
 *
 * @example
 * ```ts
 * const fusing = ['wasm', ...(await namesThatStart(['native'], (n) => initBackend(n, { threads: 2 })))];
 * ```
 */
export async function namesThatStart<N extends string>(
  names: readonly N[],
  start: (name: N) => Promise<unknown>,
): Promise<N[]> {
  const started: N[] = [];
  for (const name of names) {
    try {
      await start(name);
      started.push(name);
    } catch {
      // Not here (no addon built): the backend's own tests say why.
    }
  }
  return started;
}
