import { BACKEND_CHOICES } from '@convkit/backend/names';
import { describe, expect, it } from 'vitest';
import { checkConfigFields } from './config-check.js';
import { UsageError } from './errors.js';

describe('checkConfigFields: backend', () => {
  it('takes every backend name the backend package lists', () => {
    for (const backend of BACKEND_CHOICES) expect(() => checkConfigFields({ backend }, 'config.json')).not.toThrow();
  });

  it('refuses a name that is not a backend, naming the file, the key, the names and the value', () => {
    const check = () => checkConfigFields({ backend: 'tpu' }, 'runs/x/config.json');
    expect(check).toThrow(UsageError);
    expect(check).toThrow(
      'runs/x/config.json: "backend" must be one of auto, cpu, wasm, webgpu, native, cuda, received "tpu"',
    );
    expect(() => checkConfigFields({ backend: 7 }, 'c.json')).toThrow('received 7');
  });
});
