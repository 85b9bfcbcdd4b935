import { describe, expect, it } from 'vitest';
import { calculate, SHAPE_CALC_DEFAULTS, SHAPE_CALC_SCHEMA } from './shape-calc.js';
import { decodeState, encodeState, MAX_STATE_LENGTH, readState, stateParam, validate } from './state.js';
import { TRAIN_DEFAULTS, TRAIN_SCHEMA } from './training.js';

const hashOf = (text: string) => `#state=${Buffer.from(text).toString('base64url')}`;

describe('URL state', () => {
  it('round-trips a state through the hash', () => {
    const state = { ...SHAPE_CALC_DEFAULTS, n: 32, kernel: 5, padding: 'same' as const };
    const hash = encodeState(state);
    expect(hash).toMatch(/^#state=[A-Za-z0-9_-]+$/);
    expect(readState(hash, SHAPE_CALC_SCHEMA, SHAPE_CALC_DEFAULTS)).toEqual({ ok: true, value: state });
  });

  it('keeps text outside ASCII intact', () => {
    const decoded = decodeState(stateParam(encodeState({ source: '28×28 — ok' })) as string);
    expect(decoded).toEqual({ ok: true, value: { source: '28×28 — ok' } });
  });

  it('fills in defaults for missing fields', () => {
    expect(readState(hashOf('{"n":28}'), SHAPE_CALC_SCHEMA, SHAPE_CALC_DEFAULTS)).toEqual({
      ok: true,
      value: { ...SHAPE_CALC_DEFAULTS, n: 28 },
    });
  });

  it('is absent without a state parameter', () => {
    expect(readState('', SHAPE_CALC_SCHEMA, SHAPE_CALC_DEFAULTS)).toBeUndefined();
    expect(readState('#other=1', SHAPE_CALC_SCHEMA, SHAPE_CALC_DEFAULTS)).toBeUndefined();
  });

  it.each([
    ['not base64url', '#state=%%%', /not base64url/],
    ['not JSON', hashOf('{n: 28'), /not JSON/],
    ['not UTF-8', `#state=${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}`, /not base64url/],
    ['an array', hashOf('[1, 2]'), /must be a JSON object, received an array/],
    ['null', hashOf('null'), /must be a JSON object, received null/],
    ['a string', hashOf('"hi"'), /must be a JSON object/],
    ['an unknown field', hashOf('{"n": 28, "evil": 1}'), /unknown field "evil"/],
    ['a prototype key', hashOf('{"__proto__": {"n": 1}}'), /unknown field "__proto__"/],
    ['a negative size', hashOf('{"n": -3}'), /n must be an integer from 1/],
    ['a fractional stride', hashOf('{"stride": 1.5}'), /stride must be an integer/],
    ['a string number', hashOf('{"kernel": "3"}'), /kernel must be an integer/],
    [
      'an unknown padding mode',
      hashOf('{"padding": "full"}'),
      /padding must be an integer from 0 to 10000 or one of same, valid/,
    ],
    ['a non-boolean', hashOf('{"ceilMode": "yes"}'), /ceilMode must be true or false/],
    ['code', hashOf('{"n": "alert(1)"}'), /n must be an integer/],
  ])('rejects %s with a message', (_, hash, message) => {
    const result = readState(hash, SHAPE_CALC_SCHEMA, SHAPE_CALC_DEFAULTS);
    expect(result?.ok).toBe(false);
    expect(result && !result.ok && result.error).toMatch(message);
  });

  it('rejects a state that is too long before decoding it', () => {
    const result = decodeState('A'.repeat(MAX_STATE_LENGTH + 1));
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/more than the/) });
  });

  it('never evaluates what it reads', () => {
    const marker = globalThis as { convkitEvaluated?: boolean };
    const hash = hashOf('{"backend": "(() => { globalThis.convkitEvaluated = true; return \\"cpu\\" })()"}');
    expect(readState(hash, TRAIN_SCHEMA, TRAIN_DEFAULTS)?.ok).toBe(false);
    expect(marker.convkitEvaluated).toBeUndefined();
  });

  it('validates number ranges and enums of the training state', () => {
    expect(validate({ lr: 0.01, backend: 'wasm', autostart: true }, TRAIN_SCHEMA, TRAIN_DEFAULTS)).toEqual({
      ok: true,
      value: { ...TRAIN_DEFAULTS, lr: 0.01, backend: 'wasm', autostart: true },
    });
    expect(validate({ lr: Number.POSITIVE_INFINITY }, TRAIN_SCHEMA, TRAIN_DEFAULTS).ok).toBe(false);
    expect(validate({ backend: 'tpu' }, TRAIN_SCHEMA, TRAIN_DEFAULTS)).toEqual({
      ok: false,
      error: 'backend must be one of auto, webgpu, wasm, cpu, received "tpu"',
    });
  });
});

describe('shape calculator', () => {
  it('gives 55 for 227, 11, 4 with the formula', () => {
    const result = calculate(SHAPE_CALC_DEFAULTS);
    expect(result.ok && result.explanation.size).toBe(55);
    expect(result.ok && result.explanation.formula).toBe('(227 + 2·0 − 11)/4 + 1 = 55');
  });

  it('explains an inexact size with its fixes', () => {
    const result = calculate({ ...SHAPE_CALC_DEFAULTS, n: 224 });
    expect(result.ok && result.explanation.size).toBe(54);
    expect(result.ok && result.summary).toMatch(/not an integer.*54 outputs.*use padding/);
  });

  it("reports the library's error for impossible geometry", () => {
    const result = calculate({ ...SHAPE_CALC_DEFAULTS, n: 3, kernel: 7, stride: 1 });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/^output size: kernel 7, more than the padded input/),
    });
  });

  it('refuses in the form exactly what the link format refuses, with the same words', () => {
    const cases: Record<string, unknown>[] = [
      { n: 200_000 },
      { n: 0 },
      { kernel: 2.5 },
      { stride: '' },
      { padding: -1 },
      { padding: 1.5 },
      { dilation: 1001 },
    ];
    for (const change of cases) {
      const state = { ...SHAPE_CALC_DEFAULTS, ...change };
      const link = readState(encodeState(state), SHAPE_CALC_SCHEMA, SHAPE_CALC_DEFAULTS);
      const form = calculate(state as typeof SHAPE_CALC_DEFAULTS);
      expect(link?.ok, JSON.stringify(change)).toBe(false);
      expect(form.ok, JSON.stringify(change)).toBe(false);
      if (link && !link.ok && !form.ok) expect(form.error.toLowerCase()).toBe(`${link.error}.`.toLowerCase());
    }
    // NaN (JSON writes it as null) is refused too.
    expect(calculate({ ...SHAPE_CALC_DEFAULTS, padding: Number.NaN })).toEqual({
      ok: false,
      error: 'Padding must be an integer from 0 to 10000 or one of same, valid, received NaN.',
    });
    // The largest values the schema allows still compute.
    expect(calculate({ ...SHAPE_CALC_DEFAULTS, n: 100_000, kernel: 3, stride: 1 }).ok).toBe(true);
  });
});
