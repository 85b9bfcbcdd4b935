import { describe, expect, it } from 'vitest';
import { parseResultLine, RESULT_PREFIX } from './outcome.js';

describe('parseResultLine', () => {
  it('finds the result among library chatter, the last one winning', () => {
    const stdout = [
      'Hi there 👋. Looks like you are running TensorFlow.js in Node.js.',
      `${RESULT_PREFIX}{"kind":"skipped","reason":"first"}`,
      `${RESULT_PREFIX}{"kind":"ok","warmupMs":[3],"samplesMs":[1,2],"runtime":"x"}`,
      '',
    ].join('\n');
    expect(parseResultLine(stdout)).toEqual({ kind: 'ok', warmupMs: [3], samplesMs: [1, 2], runtime: 'x' });
  });

  it('is undefined when the child wrote no result', () => {
    expect(parseResultLine('Segmentation fault\n')).toBeUndefined();
  });

  it('rejects an unknown kind', () => {
    expect(() => parseResultLine(`${RESULT_PREFIX}{"kind":"fast"}`)).toThrow(/unknown outcome kind/);
  });
});
