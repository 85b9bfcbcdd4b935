import { type AdapterInfo, adapterInfo, type MinimalAdapter } from './webgpu.js';

/**
 * What a child process found: an adapter (or none) and the child's stderr,
 * or `missing` when the optional `webgpu` package is not installed.
 */
export type ChildProbe = { adapter: AdapterInfo | undefined; stderr: string } | { missing: string };

// Runs in the child: loads Dawn, asks for one adapter and prints the fields adapterInfo() reads, as JSON.
const SCRIPT = `
const [url, powerPreference] = process.argv.slice(1);
const { create } = await import(url);
const adapter = await create([]).requestAdapter({ powerPreference });
const info = adapter?.info ?? {};
const pick = (k) => (typeof info[k] === 'string' ? info[k] : undefined);
process.stdout.write(JSON.stringify(adapter ? {
  isFallbackAdapter: adapter.isFallbackAdapter ?? info.isFallbackAdapter,
  info: { vendor: pick('vendor'), architecture: pick('architecture'), description: pick('description'), device: pick('device') },
} : null));
process.exit(0);
`;

/** Long enough for Dawn to enumerate a software driver on a loaded machine; a hung driver must not hang 'auto'. */
const PROBE_TIMEOUT_MS = 60_000;

/**
 * Asks Dawn (the optional `webgpu` package) for an adapter in a short child
 * Node process. Without a Vulkan driver, the Vulkan loader and Dawn write
 * warnings with stack frames to stderr from native code
 * (`vkCreateInstance: Found no drivers!`, "Couldn't load Vulkan"), which no
 * JavaScript console filter can hold back; in the child they go to a pipe.
 * `initBackend('auto')` starts Dawn in its own process only when this found
 * a hardware adapter, so a machine without one prints no driver noise.
 */
export async function probeAdapterInChild(
  powerPreference: 'high-performance' | 'low-power' = 'high-performance',
  /** Set in the child's environment over this process's (a Vulkan driver to try: `VK_ICD_FILENAMES`). */
  env: Record<string, string> = {},
): Promise<ChildProbe> {
  const { createRequire } = await import(/* @vite-ignore */ 'node:module');
  const { pathToFileURL } = await import(/* @vite-ignore */ 'node:url');
  let url: string;
  try {
    // Resolved here, as this module's own `import('webgpu')` would resolve it.
    url = pathToFileURL(createRequire(import.meta.url).resolve('webgpu')).href;
  } catch (cause) {
    return { missing: cause instanceof Error ? cause.message : String(cause) };
  }
  const { execFile } = await import(/* @vite-ignore */ 'node:child_process');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', SCRIPT, url, powerPreference],
      { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, maxBuffer: 1 << 20, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error) {
          const why = error.killed ? `did not answer in ${PROBE_TIMEOUT_MS / 1000} s` : `exited with ${error.code}`;
          const last = stderr.trim().split('\n').pop() ?? '';
          reject(new Error(`the WebGPU adapter probe (a child Node process) ${why}${last ? `: ${last}` : ''}`));
          return;
        }
        try {
          const raw = JSON.parse(stdout) as MinimalAdapter | null;
          resolve({ adapter: raw ? adapterInfo(raw) : undefined, stderr });
        } catch {
          reject(new Error(`the WebGPU adapter probe printed no adapter description: ${stdout.slice(0, 200)}`));
        }
      },
    );
  });
}
