import { findSoftwareVulkanDriver, type SoftwareVulkanDriverName } from '@convkit/backend';
import type { PeerStatus } from './onnxruntime.js';

/** The ICD manifest of each software Vulkan driver found working here, for the cells' `VK_ICD_FILENAMES`. */
export const VULKAN_ICDS = new Map<SoftwareVulkanDriverName, string>();

/**
 * Whether Dawn finds an adapter on `driver` here, asked once before its
 * cells (by `@convkit/backend`, the one place that knows the drivers and
 * their manifests). Each cell then starts Dawn on it in its own process:
 * Dawn reads `VK_ICD_FILENAMES` when it starts, so the driver is chosen per
 * child process, never switched inside one.
 */
export async function findVulkanDriver(driver: SoftwareVulkanDriverName): Promise<PeerStatus> {
  const found = await findSoftwareVulkanDriver(driver);
  if (!('icd' in found)) {
    const tried = found.tried.map((t) => `${t.icd}: ${t.problem}`).join('; ');
    return { available: false, reason: `no working ${driver} Vulkan driver (${tried})` };
  }
  VULKAN_ICDS.set(driver, found.icd);
  return { available: true, version: found.icd, detail: `${driver}: VK_ICD_FILENAMES=${found.icd}` };
}
