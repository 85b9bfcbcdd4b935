import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from './errors.js';

/**
 * `--import MODULE` (any command, repeatable): modules to load before the command runs, so that a
 * downstream project's layers, zoo models and ONNX exporters (`registerLayer`, `registerModel`,
 * `registerOnnxExport`) are registered in this process, as they are in the code that trained them.
 * Returns the modules and the arguments without them.
 */
export function takeImports(argv: readonly string[]): { imports: string[]; rest: string[] } {
  const imports: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith('--import=')) {
      imports.push(arg.slice('--import='.length));
    } else if (arg === '--import') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError('--import needs a module: a file (./my-layers.js) or a package name');
      imports.push(value);
      i++;
    } else {
      rest.push(arg);
    }
  }
  if (imports.some((m) => m === '')) throw new UsageError('--import needs a module, received ""');
  return { imports, rest };
}

/** A file path (relative to the working directory) as a file URL; a package name as it is. */
export function importSpecifier(module: string, cwd = process.cwd()): string {
  const isPath = module.startsWith('.') || isAbsolute(module);
  return isPath ? pathToFileURL(resolve(cwd, module)).href : module;
}

/** Imports each module in order; one that fails is a UsageError naming it and repeating why. */
export async function loadImports(imports: readonly string[]): Promise<void> {
  for (const module of imports) {
    try {
      await import(importSpecifier(module));
    } catch (error) {
      throw new UsageError(
        `--import ${module}: cannot load it (${error instanceof Error ? error.message : String(error)}); give a file path or an installed package`,
      );
    }
  }
}
