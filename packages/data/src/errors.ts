// One FormatError for every convkit parser, so `instanceof` works across packages.
export { FormatError } from '@convkit/io';
