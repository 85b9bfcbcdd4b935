// Prints the WebGPU adapter that Dawn (the `webgpu` package, resolved as @convkit/backend resolves it) finds
// with the system's Vulkan drivers, and the Vulkan driver manifests there are. Exit 0: a hardware adapter;
// 1: none; 3: a software one (on a GPU machine: the NVIDIA Vulkan driver is missing, or VK_ICD_FILENAMES
// names a software driver). Run by check.sh; `node tooling/gpu/adapter.mjs` on its own as well.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const backend = fileURLToPath(new URL('../../packages/backend/package.json', import.meta.url));
for (const folder of ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d']) {
  let files = [];
  try {
    files = readdirSync(folder);
  } catch {
    // No such folder: nothing installed there.
  }
  console.log(`Vulkan drivers in ${folder}: ${files.join(', ') || 'none'}`);
}
console.log(`VK_ICD_FILENAMES: ${process.env.VK_ICD_FILENAMES ?? '(unset: the Vulkan loader finds the drivers)'}`);

const { create } = await import(pathToFileURL(createRequire(backend).resolve('webgpu')).href);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) {
  console.log('no WebGPU adapter');
  process.exit(1);
}
const info = adapter.info ?? {};
const fallback = adapter.isFallbackAdapter ?? info.isFallbackAdapter ?? false;
console.log(
  `adapter: vendor ${info.vendor}, architecture ${info.architecture}, device ${info.device}, description ${info.description}, fallback ${fallback}`,
);
const software = fallback || /swiftshader|llvmpipe|lavapipe|software/i.test(`${info.description} ${info.device}`);
if (software) console.log('a software adapter: Vulkan on the CPU, not the GPU');
process.exit(software ? 3 : 0);
