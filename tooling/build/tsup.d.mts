import type { Options } from 'tsup';

export type LibraryDefaults = Pick<Options, 'format' | 'target' | 'sourcemap' | 'clean' | 'dts'>;

/** An ESM library (es2022) with declarations and source maps; `overrides` are applied last. */
export declare function libraryConfig(entry: Options['entry'], overrides?: Options): Options;
/** A Node program (ESM, node20) without declarations; `overrides` are applied last. */
export declare function nodeAppConfig(entry: Options['entry'], overrides?: Options): Options;
