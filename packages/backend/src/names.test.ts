import { describe, expect, it } from 'vitest';
import { BACKEND_CHOICES, BACKEND_NAMES, type BackendName, isBackendChoice } from './names.js';

describe('backend names', () => {
  it('lists every backend initBackend starts, once, and auto before them', () => {
    expect(BACKEND_NAMES).toEqual(['cpu', 'wasm', 'webgpu', 'native', 'cuda']);
    expect(BACKEND_CHOICES).toEqual(['auto', ...BACKEND_NAMES]);
    const name: BackendName = BACKEND_NAMES[0];
    expect(name).toBe('cpu');
  });

  it('isBackendChoice accepts exactly the listed names', () => {
    for (const name of BACKEND_CHOICES) expect(isBackendChoice(name)).toBe(true);
    for (const name of ['tpu', 'CPU', '', 'auto ', 'toString', undefined, 3]) expect(isBackendChoice(name)).toBe(false);
  });
});
