/**
 * Which software Vulkan driver WebGPU in Node (Dawn) runs on when there is
 * no GPU and `'webgpu'` is asked for by name. The one place that knows the
 * drivers, where Debian installs them and which one wins.
 */

/** The software Vulkan drivers convkit knows, fastest first. */
export type SoftwareVulkanDriverName = 'lavapipe' | 'swiftshader';

/** A software Vulkan driver: its name and its ICD manifest (what `VK_ICD_FILENAMES` names). */
export interface SoftwareVulkanDriver {
  name: SoftwareVulkanDriverName;
  icd: string;
}

/** Debian's chromium package ships SwiftShader's Vulkan driver here. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Mesa's lavapipe (Debian's `mesa-vulkan-drivers`). Mesa 25 (bookworm-backports) names its manifest without the
 * architecture; Mesa 22.3 (bookworm) with it, and Dawn rejects that lavapipe ("Vulkan
 * shaderUniform*ArrayDynamicIndexing required"), which is why every candidate is tried before it is chosen.
 */
export const LAVAPIPE_ICDS = ['/usr/share/vulkan/icd.d/lvp_icd.json', '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json'];

/**
 * In order of preference. A LeNet-5 training step (batch 64, `pnpm bench`, one run on 2 busy Zen 4 cores):
 * lavapipe (Mesa 25) 1.8 s and SwiftShader 23 s with tfjs' kernels; 0.75 s and 5.9 s with convkit's.
 */
export const SOFTWARE_VULKAN_DRIVERS: readonly SoftwareVulkanDriver[] = [
  ...LAVAPIPE_ICDS.map((icd) => ({ name: 'lavapipe' as const, icd })),
  { name: 'swiftshader', icd: SWIFTSHADER_ICD },
];

/** What the choice reads from the machine, injected so that it can be tested without one. */
export interface DriverProbe {
  /** Whether a manifest is installed. */
  exists(path: string): Promise<boolean>;
  /** Whether Dawn gets an adapter from the driver of this manifest alone. */
  works(icd: string): Promise<boolean>;
}

/** Why no software driver was chosen: each manifest looked for and what was wrong with it. */
export interface NoDriver {
  tried: readonly { icd: string; problem: 'not installed' | 'Dawn finds no adapter on it' }[];
}

/**
 * The first driver of `candidates` that is installed and on which Dawn finds
 * an adapter, or what was tried. Manifests are checked in order and a
 * driver's `works` probe runs only when its manifest exists, so the usual
 * case (Mesa 25 installed) costs one probe.
 */
export async function chooseSoftwareDriver(
  probe: DriverProbe,
  candidates: readonly SoftwareVulkanDriver[] = SOFTWARE_VULKAN_DRIVERS,
): Promise<SoftwareVulkanDriver | NoDriver> {
  const tried: NoDriver['tried'][number][] = [];
  for (const driver of candidates) {
    if (!(await probe.exists(driver.icd))) tried.push({ icd: driver.icd, problem: 'not installed' });
    else if (!(await probe.works(driver.icd))) tried.push({ icd: driver.icd, problem: 'Dawn finds no adapter on it' });
    else return driver;
  }
  return { tried };
}

/** The drivers of one name (`'lavapipe'` has one manifest per Mesa naming), or all of them. */
export function driversNamed(name?: SoftwareVulkanDriverName): readonly SoftwareVulkanDriver[] {
  return name === undefined ? SOFTWARE_VULKAN_DRIVERS : SOFTWARE_VULKAN_DRIVERS.filter((d) => d.name === name);
}

/** One line for an error message: what was looked for and why none was taken. */
export function describeNoDriver(none: NoDriver): string {
  return none.tried.map((t) => `${t.icd}: ${t.problem}`).join('; ');
}
