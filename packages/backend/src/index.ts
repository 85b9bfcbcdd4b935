/**
 * @convkit/backend — the one place that starts a compute backend for convkit.
 *
 * @packageDocumentation
 */

export type { CoverageRow, KernelSource } from './coverage.js';
export { formatCoverage, kernelCoverage, LAYER_KERNELS } from './coverage.js';
export { cpuKernels } from './cpu/index.js';
export { BackendError } from './errors.js';
export type { BackendInfo, InitOptions } from './init.js';
export { initBackend } from './init.js';
export type { KernelSet } from './kernels.js';
export { useKernels } from './kernels.js';
export type { BackendChoice, BackendName } from './names.js';
export { BACKEND_CHOICES, BACKEND_NAMES, isBackendChoice } from './names.js';
export type { NoDriver, SoftwareVulkanDriver, SoftwareVulkanDriverName } from './vulkan-driver.js';
export { LAVAPIPE_ICDS, SOFTWARE_VULKAN_DRIVERS, SWIFTSHADER_ICD } from './vulkan-driver.js';
export { wasmKernels } from './wasm/index.js';
export { webgpuKernels } from './webgpu/index.js';
export type { AdapterInfo } from './webgpu.js';
export { findSoftwareVulkanDriver } from './webgpu.js';
