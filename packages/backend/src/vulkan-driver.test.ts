import { describe, expect, it } from 'vitest';
import {
  chooseSoftwareDriver,
  type DriverProbe,
  describeNoDriver,
  driversNamed,
  LAVAPIPE_ICDS,
  SWIFTSHADER_ICD,
} from './vulkan-driver.js';

const MESA25 = '/usr/share/vulkan/icd.d/lvp_icd.json';
const MESA22 = '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json';

/** A machine with these manifests installed, of which Dawn accepts `working`; records every probe made. */
function machine(installed: string[], working: string[]) {
  const calls: string[] = [];
  const probe: DriverProbe = {
    exists: async (path) => {
      calls.push(`exists ${path}`);
      return installed.includes(path);
    },
    works: async (icd) => {
      calls.push(`works ${icd}`);
      return working.includes(icd);
    },
  };
  return { probe, calls };
}

describe('chooseSoftwareDriver', () => {
  it('knows the manifests Debian installs', () => {
    expect(LAVAPIPE_ICDS).toEqual([MESA25, MESA22]);
    expect(SWIFTSHADER_ICD).toBe('/usr/lib/chromium/vk_swiftshader_icd.json');
  });

  it('prefers lavapipe over SwiftShader when both work, and probes only what it takes', async () => {
    const { probe, calls } = machine([MESA25, SWIFTSHADER_ICD], [MESA25, SWIFTSHADER_ICD]);
    expect(await chooseSoftwareDriver(probe)).toEqual({ name: 'lavapipe', icd: MESA25 });
    expect(calls).toEqual([`exists ${MESA25}`, `works ${MESA25}`]);
  });

  it("falls back to SwiftShader when the installed lavapipe is one Dawn rejects (bookworm's Mesa 22.3)", async () => {
    const { probe, calls } = machine([MESA22, SWIFTSHADER_ICD], [SWIFTSHADER_ICD]);
    expect(await chooseSoftwareDriver(probe)).toEqual({ name: 'swiftshader', icd: SWIFTSHADER_ICD });
    // A manifest that is not there is never probed with Dawn.
    expect(calls).toEqual([
      `exists ${MESA25}`,
      `exists ${MESA22}`,
      `works ${MESA22}`,
      `exists ${SWIFTSHADER_ICD}`,
      `works ${SWIFTSHADER_ICD}`,
    ]);
  });

  it('takes lavapipe alone when chromium is not installed', async () => {
    const { probe } = machine([MESA25], [MESA25]);
    expect(await chooseSoftwareDriver(probe)).toEqual({ name: 'lavapipe', icd: MESA25 });
  });

  it('says what it looked for and why each was not taken when none works', async () => {
    const { probe } = machine([MESA22], []);
    const none = await chooseSoftwareDriver(probe);
    expect(none).toEqual({
      tried: [
        { icd: MESA25, problem: 'not installed' },
        { icd: MESA22, problem: 'Dawn finds no adapter on it' },
        { icd: SWIFTSHADER_ICD, problem: 'not installed' },
      ],
    });
    expect(describeNoDriver(none as { tried: [] })).toBe(
      `${MESA25}: not installed; ${MESA22}: Dawn finds no adapter on it; ${SWIFTSHADER_ICD}: not installed`,
    );
  });

  it('looks for one driver only when asked by name (a benchmark configuration per driver)', async () => {
    const { probe, calls } = machine([MESA25, SWIFTSHADER_ICD], [MESA25, SWIFTSHADER_ICD]);
    expect(await chooseSoftwareDriver(probe, driversNamed('swiftshader'))).toEqual({
      name: 'swiftshader',
      icd: SWIFTSHADER_ICD,
    });
    expect(calls).toEqual([`exists ${SWIFTSHADER_ICD}`, `works ${SWIFTSHADER_ICD}`]);
    expect(driversNamed('lavapipe').map((d) => d.icd)).toEqual([MESA25, MESA22]);
  });
});
