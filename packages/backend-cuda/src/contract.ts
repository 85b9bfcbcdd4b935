// Compile-time check that this package exports what @convkit/backend's
// initBackend('cuda') imports (the contract is defined there, once).
import type { CudaAdapter } from '@convkit/backend/adapter';
import type * as adapter from './index.js';

type Satisfies<T extends U, U> = T;
/** This package's exports, checked against @convkit/backend's CudaAdapter. */
export type CheckedCudaAdapter = Satisfies<typeof adapter, CudaAdapter>;
