import { closeName } from '@convkit/layers';

/** A mistake in how convkit was called: shown with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * `; did you mean NAME?` when a known name is close to `name`, else `''`: the suggestion is
 * `@convkit/layers`' `closeName`, the one rule behind every "did you mean" in convkit.
 */
export function didYouMean(name: string, known: readonly string[]): string {
  const near = closeName(name, known);
  return near === undefined ? '' : `; did you mean ${near}?`;
}
