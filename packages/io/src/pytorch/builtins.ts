import { CONV_EMITTERS } from './emit-builtins-conv.js';
import { MERGE_EMITTERS } from './emit-builtins-merge.js';
import { MISC_EMITTERS } from './emit-builtins-misc.js';
import { POOL_EMITTERS } from './emit-builtins-pool.js';
import { PAPER_EMITTERS } from './emit-paper.js';
import { PAPER_PYTHON_HELPERS } from './emit-paper-runtime.js';
import { BUILT_IN_PYTHON_HELPERS } from './python-runtime-builtins.js';
import type { BuiltInEmitter, PythonHelper } from './registry.js';

/** convkit's own layer emitters, by type: the registry loads them on first use. */
export function builtInPytorch(): Record<string, BuiltInEmitter> {
  return { ...CONV_EMITTERS, ...POOL_EMITTERS, ...MISC_EMITTERS, ...MERGE_EMITTERS, ...PAPER_EMITTERS };
}

/** The runtime helpers convkit's own emitters use. */
export function builtInHelpers(): readonly PythonHelper[] {
  return [...BUILT_IN_PYTHON_HELPERS, ...PAPER_PYTHON_HELPERS];
}
