import type { SoftwareVulkanDriverName } from '@convkit/backend';

/** Where a configuration's code runs: a tfjs backend in Node, PyTorch in Python, or onnxruntime-node. */
export type Engine = 'tfjs' | 'torch' | 'ort';

export type ConfigurationId =
  | 'cpu'
  | 'wasm'
  | 'wasm-1t'
  | 'wasm-2t'
  | 'webgpu'
  | 'webgpu-lavapipe'
  | 'webgpu-swiftshader'
  | 'native'
  | 'cuda'
  | 'tfjs-cpu'
  | 'tfjs-wasm'
  | 'tfjs-webgpu-lavapipe'
  | 'tfjs-webgpu-swiftshader'
  | 'torch'
  | 'torch-cuda'
  | 'ort';

/**
 * What a configuration needs that the bench finds (or installs) at run time,
 * before any cell runs: a peer runtime, or a GPU. Where it is missing, every
 * cell of the configuration is reported as unavailable with the reason.
 */
export type Requirement = 'torch' | 'torch-cuda' | 'ort' | 'cuda' | SoftwareVulkanDriverName;

/** One column of the comparison: an engine with its settings. */
export interface Configuration {
  id: ConfigurationId;
  label: string;
  engine: Engine;
  /** tfjs only: the backend and which kernels `initBackend` installs. */
  backend?: 'cpu' | 'wasm' | 'webgpu' | 'native' | 'cuda';
  kernels?: 'convkit' | 'stock';
  /** wasm only: the threads `initBackend` is given (default: the backend's own, the machine's cores). */
  threads?: number;
  /**
   * webgpu only: the software Vulkan driver Dawn runs on, named to the child process by `VK_ICD_FILENAMES`
   * (Dawn reads it when it starts). Without it, `initBackend('webgpu')` picks the driver itself.
   */
  vulkanDriver?: SoftwareVulkanDriverName;
  /** torch only: where the model and the tensors live (default the CPU). */
  device?: 'cpu' | 'cuda';
  requires?: Requirement;
  /** Run only when named in `--backends`, never in the default run. */
  optIn?: boolean;
}

const DRIVERS = ['lavapipe', 'swiftshader'] as const;

/**
 * webgpu on one software Vulkan driver, with convkit's kernels or tfjs' own (before and after convkit's WGSL
 * kernels, in one run). Opt-in: the plain `webgpu` row already runs on the driver `@convkit/backend` picks.
 */
function onDriver(driver: SoftwareVulkanDriverName, kernels: 'convkit' | 'stock'): Configuration {
  return {
    id: kernels === 'convkit' ? `webgpu-${driver}` : `tfjs-webgpu-${driver}`,
    label: kernels === 'convkit' ? `convkit webgpu ${driver}` : `tfjs webgpu ${driver} (stock)`,
    engine: 'tfjs',
    backend: 'webgpu',
    kernels,
    vulkanDriver: driver,
    requires: driver,
    optIn: true,
  };
}

export const CONFIGURATIONS: readonly Configuration[] = [
  { id: 'cpu', label: 'convkit cpu', engine: 'tfjs', backend: 'cpu', kernels: 'convkit' },
  // Threads fixed, so rows compare across machines and the scaling from 1 to 2 threads is in every run (issue 17);
  // plain `wasm` takes the backend's default (the machine's cores), on 2 cores the same as wasm-2t, so it is opt-in.
  { id: 'wasm', label: 'convkit wasm', engine: 'tfjs', backend: 'wasm', kernels: 'convkit', optIn: true },
  ...[1, 2].map(
    (threads): Configuration => ({
      id: threads === 1 ? 'wasm-1t' : 'wasm-2t',
      label: `convkit wasm ${threads} thread${threads === 1 ? '' : 's'}`,
      engine: 'tfjs',
      backend: 'wasm',
      kernels: 'convkit',
      threads,
    }),
  ),
  { id: 'webgpu', label: 'convkit webgpu', engine: 'tfjs', backend: 'webgpu', kernels: 'convkit' },
  ...DRIVERS.map((driver) => onDriver(driver, 'convkit')),
  { id: 'native', label: 'convkit native', engine: 'tfjs', backend: 'native', kernels: 'convkit' },
  { id: 'cuda', label: 'convkit cuda', engine: 'tfjs', backend: 'cuda', kernels: 'convkit', requires: 'cuda' },
  { id: 'tfjs-cpu', label: 'tfjs cpu (stock)', engine: 'tfjs', backend: 'cpu', kernels: 'stock' },
  { id: 'tfjs-wasm', label: 'tfjs wasm (stock)', engine: 'tfjs', backend: 'wasm', kernels: 'stock' },
  ...DRIVERS.map((driver) => onDriver(driver, 'stock')),
  { id: 'torch', label: 'PyTorch CPU', engine: 'torch', device: 'cpu', requires: 'torch' },
  { id: 'torch-cuda', label: 'PyTorch CUDA', engine: 'torch', device: 'cuda', requires: 'torch-cuda' },
  { id: 'ort', label: 'onnxruntime-node', engine: 'ort', requires: 'ort' },
];

export function configurationById(id: string): Configuration | undefined {
  return CONFIGURATIONS.find((c) => c.id === id);
}

/**
 * Threads the peers and the native backend are given: the machine's two
 * cores, as in FACTS.md's figures. Not the GPU configurations': their work
 * is on the device.
 */
export const PEER_THREADS = 2;
