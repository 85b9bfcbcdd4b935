import { expect } from 'vitest';

/**
 * The error of class `type` that `run` throws, for tests that check its fields
 * (`thrown(FormatError, () => readIdx(file)).offset`), which `toThrow` cannot
 * reach. The test fails if `run` throws anything else, or nothing. One helper
 * for every package's tests, instead of a `formatError` copy per package.
 */
export function thrown<E extends Error>(type: abstract new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}
