import { expect } from 'vitest';
import { FormatError } from '../src/errors.js';

/** The FormatError that `run` throws (the test fails if it throws anything else, or nothing), for checks of its fields. */
export function formatError(run: () => unknown): FormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error('expected a FormatError');
}
