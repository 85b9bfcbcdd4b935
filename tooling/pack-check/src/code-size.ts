import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT } from './workspace.js';

/** The size limits of CONTRIBUTING.md: a file is read in one sitting, a function on one screen or two. */
export const MAX_FILE_LINES = 350;
export const MAX_FUNCTION_LINES = 80;

/** Where the limits apply: the sources of every package and app (tests beside them included). */
const SOURCE_ROOTS = ['packages', 'apps'];

/** Every `.ts` file under `packages/<name>/src` and `apps/<name>/src`, as a path relative to the root. */
export function sourceFiles(): string[] {
  const files: string[] = [];
  for (const top of SOURCE_ROOTS) {
    for (const entry of readdirSync(join(ROOT, top), { withFileTypes: true })) {
      if (entry.isDirectory()) collect(join(ROOT, top, entry.name, 'src'), files);
    }
  }
  return files.map((file) => relative(ROOT, file).split('\\').join('/')).sort();
}

function collect(dir: string, into: string[]): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') collect(path, into);
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) into.push(path);
  }
}

/**
 * Kernels are exempt from the function rule: a kernel is one long loop nest (tiles, an unrolled micro-kernel,
 * edge cases) that reads best whole. Kernels are the non-test files of a `kernels/` folder in a backend
 * package's src, and the files directly in backend's cpu/, wasm/ and webgpu/ folders, where its hand-written
 * kernels live. Tests and any test helper put there (named `testing.ts` or `oracles.ts`: naive references,
 * not kernels; CONTRIBUTING puts them in `test/`) are held to the rule.
 */
export function isKernel(file: string): boolean {
  if (/(\.test|\/testing|\/oracles)\.ts$/.test(file)) return false;
  return (
    /^packages\/backend[^/]*\/src\/(.+\/)?kernels\/[^/]+\.ts$/.test(file) ||
    /^packages\/backend\/src\/(cpu|wasm|webgpu)\/[^/]+\.ts$/.test(file)
  );
}

/** One function-like node and its length in lines, first line to last, both counted. */
export interface FunctionSize {
  file: string;
  name: string;
  line: number;
  lines: number;
}

/** The identifier a call chain starts from: `describe` for `describe(…)`, `describe.skipIf(c)(…)`, `describe.each(t)(…)`. */
function rootName(expression: ts.Expression): string | undefined {
  let node: ts.Expression = expression;
  while (ts.isCallExpression(node) || ts.isPropertyAccessExpression(node)) node = node.expression;
  return ts.isIdentifier(node) ? node.text : undefined;
}

/** A test's `describe(…, () => { … })` body: a list of cases, read one `it` at a time, not as one function. */
function isDescribeBody(node: ts.Node): boolean {
  const call = node.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(node as ts.Expression)) return false;
  return rootName(call.expression) === 'describe';
}

function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText(source);
  }
  if (ts.isCallExpression(parent)) return `callback of ${parent.expression.getText(source).slice(0, 40)}`;
  return '(anonymous)';
}

/** Function declarations, methods, accessors, constructors, arrow functions and function expressions of one file. */
export function functionSizes(file: string): FunctionSize[] {
  return functionSizesOf(file, readFileSync(join(ROOT, file), 'utf8'));
}

/** {@link functionSizes} of source text, named `file`. */
export function functionSizesOf(file: string, text: string): FunctionSize[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const sizes: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && !isDescribeBody(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      sizes.push({
        file,
        name: nameOf(node as ts.FunctionLikeDeclaration, source),
        line: first + 1,
        lines: last - first + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sizes;
}

/** A file's length in lines (a final newline does not open another line). */
export function fileLines(file: string): number {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}
