// convkit's threaded wasm loader relies on private parts of
// tfjs-backend-wasm 4.22. These checks fail, naming the part, when an
// upgrade changes one of them, before the loader fails in a user's hands.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TFJS_CWRAPS } from '../src/wasm/threaded.js';
import { THREADED_FILES } from '../src/wasm/threaded-files.js';
import { threadedWorkerSource } from '../src/wasm/threaded-node.js';

const require = createRequire(import.meta.url);
const tfjsDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const text = (path: string) => readFile(join(tfjsDir, path), 'utf8');

describe("tfjs-backend-wasm's private parts the threaded loader uses", () => {
  it('the worker script is still exported as the string wasmWorkerContents and parses once its newlines are escaped', async () => {
    const source = await threadedWorkerSource();
    expect(() => new Function(source)).not.toThrow();
    // It loads the factory script it is sent and calls the factory by this name.
    expect(source).toContain('importScripts(e.data.urlOrBlob)');
    expect(source).toContain('WasmBackendModuleThreadedSimd(Module)');
  });

  it('init() still adds exactly the cwraps convkit adds, with the same signatures', async () => {
    const init = await text('dist/backend_wasm.js');
    const found = [
      ...init.matchAll(/(\w+): module\.cwrap\('(\w+)', (null|'number'|voidReturnType), \[([^\]]*)\]/g),
    ].map(([, key, name, returns, args]) => [
      key,
      name,
      returns === "'number'" ? 'number' : null,
      (args ?? '').match(/'\w+'/g)?.map((a) => a.slice(1, -1)) ?? [],
    ]);
    const ours = Object.entries(TFJS_CWRAPS).map(([key, [name, returns, args]]) => [key, name, returns, [...args]]);
    expect(found).toEqual(ours);
  });

  it('BackendWasm still takes the module and starts XNNPACK with the count setThreadsCount set', async () => {
    const backend = await text('dist/backend_wasm.js');
    expect(backend).toContain('this.wasm.tfjs.initWithThreadsCount(threadsCount);');
    expect(backend).toContain('actualThreadsCount = this.wasm.tfjs.getThreadsCount();');
  });

  it('the factory script defines WasmBackendModuleThreadedSimd, imports the core count by name and exposes PThread', async () => {
    const factory = await text(`wasm-out/${THREADED_FILES.factory}`);
    expect(factory).toContain('var WasmBackendModuleThreadedSimd =');
    expect(factory).toContain('"emscripten_num_logical_cores":_emscripten_num_logical_cores');
    expect(factory).toContain('Module["instantiateWasm"](info,receiveInstance)');
    expect(factory).toContain('var pthreadPoolSize=8;');
    expect(factory).toMatch(/Module\["PThread"\]=PThread/);
    expect(factory).toContain('if(ENVIRONMENT_IS_NODE){worker.ref()}');
  });
});
