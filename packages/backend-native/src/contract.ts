// Compile-time check that this package exports what @convkit/backend's
// initBackend('native') imports (the contract is defined there, once).
import type { NativeAdapter } from '@convkit/backend/adapter';
import type * as adapter from './index.js';

type Satisfies<T extends U, U> = T;
/** This package's exports, checked against @convkit/backend's NativeAdapter. */
export type CheckedNativeAdapter = Satisfies<typeof adapter, NativeAdapter>;
