import { describe, expect, it } from 'vitest';
import { scanJsonKeys as scanBytes } from './json-keys.js';

const scanJsonKeys = (text: string, options?: Parameters<typeof scanBytes>[1]) =>
  scanBytes(new TextEncoder().encode(text), options);

describe('scanJsonKeys', () => {
  it('counts the outermost keys and finds the first repeated one, with its object and index', () => {
    expect(scanJsonKeys('{"a":1,"b":{"c":2,"c":3}}')).toEqual({
      count: 2,
      duplicate: { key: 'c', parent: 'b', index: 18 },
    });
  });

  it('compares keys by value, not by spelling, and gives byte indices', () => {
    expect(scanJsonKeys('{"é":1,"\\u00e9":2}').duplicate).toEqual({ key: 'é', parent: undefined, index: 8 });
    expect(scanJsonKeys('{"é":1,"é":2}').duplicate).toEqual({ key: 'é', parent: undefined, index: 8 });
  });

  it('ignores strings that are values, objects inside arrays are named by the array', () => {
    const text = '{"a":"b","c":"a","d":[{"x":1},{"x":2,"x":3}]}';
    expect(scanJsonKeys(text)).toEqual({
      count: 3,
      duplicate: { key: 'x', parent: 'd', index: text.lastIndexOf('"x"') },
    });
  });

  it('leaves out the uncounted key and keeps counting past maxKeys', () => {
    expect(scanJsonKeys('{"m":{},"a":1,"b":2,"c":3}', { maxKeys: 1, uncounted: 'm' }).count).toBe(3);
    expect(scanJsonKeys('{"a":1,"b":2,"\\u006d":{},"m":1}', { maxKeys: 1, uncounted: 'm' }).count).toBe(2);
  });

  it('ends on malformed text', () => {
    for (const text of ['{"a', '{"a":"\\', '}}]]', '{{{', '{"a":1,"a"']) expect(() => scanJsonKeys(text)).not.toThrow();
  });
});
