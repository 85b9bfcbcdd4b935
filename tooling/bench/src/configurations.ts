/** Where a configuration's code runs: a tfjs backend in Node, PyTorch in Python, or onnxruntime-node. */
export type Engine = 'tfjs' | 'torch' | 'ort';

export type ConfigurationId = 'cpu' | 'wasm' | 'webgpu' | 'native' | 'tfjs-cpu' | 'tfjs-wasm' | 'torch' | 'ort';

/** One column of the comparison: an engine with its settings. */
export interface Configuration {
  id: ConfigurationId;
  label: string;
  engine: Engine;
  /** tfjs only: the backend and which kernels `initBackend` installs. */
  backend?: 'cpu' | 'wasm' | 'webgpu' | 'native';
  kernels?: 'convkit' | 'stock';
}

export const CONFIGURATIONS: readonly Configuration[] = [
  { id: 'cpu', label: 'convkit cpu', engine: 'tfjs', backend: 'cpu', kernels: 'convkit' },
  { id: 'wasm', label: 'convkit wasm', engine: 'tfjs', backend: 'wasm', kernels: 'convkit' },
  { id: 'webgpu', label: 'convkit webgpu', engine: 'tfjs', backend: 'webgpu', kernels: 'convkit' },
  { id: 'native', label: 'convkit native', engine: 'tfjs', backend: 'native', kernels: 'convkit' },
  { id: 'tfjs-cpu', label: 'tfjs cpu (stock)', engine: 'tfjs', backend: 'cpu', kernels: 'stock' },
  { id: 'tfjs-wasm', label: 'tfjs wasm (stock)', engine: 'tfjs', backend: 'wasm', kernels: 'stock' },
  { id: 'torch', label: 'PyTorch CPU', engine: 'torch' },
  { id: 'ort', label: 'onnxruntime-node', engine: 'ort' },
];

export function configurationById(id: string): Configuration | undefined {
  return CONFIGURATIONS.find((c) => c.id === id);
}

/** Threads the peers and the native backend are given: the machine's two cores, as in FACTS.md's figures. */
export const PEER_THREADS = 2;
