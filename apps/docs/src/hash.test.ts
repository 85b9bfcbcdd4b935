import { describe, expect, it } from 'vitest';
import { readableHash } from './hash.js';
import { readState, stateParam } from './state.js';

describe('readableHash', () => {
  it('leaves a hash that decodes alone', () => {
    for (const hash of ['', '#', '#pooling', '#state=eyJuIjozMn0', '#state=%7Bnot-base64', '#caf%C3%A9']) {
      expect(readableHash(hash)).toBe(hash);
    }
  });

  it('escapes the % of a malformed hash so that it decodes to the text as typed', () => {
    for (const hash of ['#state=%E0%A4%A', '#state=%', '#a%zz', '#%FF%FE']) {
      expect(() => decodeURIComponent(hash)).toThrow(URIError);
      const fixed = readableHash(hash);
      expect(decodeURIComponent(fixed)).toBe(hash);
    }
  });

  it('turns a junk state into the reader’s "not base64url" message', () => {
    const fixed = readableHash('#state=%E0%A4%A');
    expect(stateParam(fixed)).toBe('%E0%A4%A');
    const result = readState(fixed, { n: { kind: 'int', min: 1, max: 9 } }, { n: 1 });
    expect(result).toEqual({
      ok: false,
      error: 'the state is not base64url-encoded: it has characters outside base64url (A–Z, a–z, 0–9, -, _)',
    });
  });
});
