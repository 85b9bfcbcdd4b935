/** The MNIST subset the playground trains on: the first N digits of each split. */
export declare const SUBSET: { train: number; test: number };
/** Packages documented in the API reference, in reading order. */
export declare const API_PACKAGES: string[];
/** Subpath entries (`zoo/lecture`) documented in the API reference beside their package. */
export declare const API_SUBPATHS: string[];
/** Writes the subset's four gzipped IDX files into `out` (default: the site's public/mnist). */
export declare function writeMnistSubset(out?: string): void;
/** Adds typedoc's `{#api-constructor-N}` anchors to a generated page's plain "Constructor" headings. */
export declare function anchorConstructors(markdown: string, prefix?: string): string;
