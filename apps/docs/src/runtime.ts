/**
 * Starting a compute backend in the page. Library packages never pick a
 * backend: the site does, through @convkit/backend, loaded only when a
 * component first needs tensors (never during the static build).
 */
import type { BackendInfo, BackendName } from '@convkit/backend';

export type BackendChoice = BackendName | 'auto';

let current: { choice: BackendChoice; info: Promise<BackendInfo> } | undefined;

/** Where the wasm backend's `.wasm` files are served (copied into `public/wasm/` at build). */
export function wasmPrefix(base: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}wasm/`;
}

/**
 * Starts `choice` once and reuses it; asking for another backend switches
 * (tensors move lazily). `'auto'` takes a hardware WebGPU adapter, else
 * wasm, else cpu.
 */
export function startBackend(choice: BackendChoice, base = '/'): Promise<BackendInfo> {
  if (current && current.choice === choice) return current.info;
  const info = import('@convkit/backend').then(({ initBackend }) =>
    initBackend(choice, choice === 'wasm' || choice === 'auto' ? { wasmPaths: wasmPrefix(base) } : {}),
  );
  current = { choice, info };
  info.catch(() => {
    if (current?.info === info) current = undefined;
  });
  return info;
}

/** Whatever backend is running, or the cpu backend (small demos need no more). */
export function anyBackend(base = '/'): Promise<BackendInfo> {
  return current ? current.info : startBackend('cpu', base);
}
