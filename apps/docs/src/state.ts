/**
 * Playground state in the URL: `#state=<base64url of JSON>`. The text is
 * parsed as JSON data (never evaluated as code) and validated against a
 * small schema before any of it reaches a component; anything else is
 * reported as a message, and the page keeps its defaults.
 */

/** The longest encoded state accepted, in characters. */
export const MAX_STATE_LENGTH = 64_000;

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

/** A field's rule: what it must be. Validation reports the first field that breaks one. */
export type Rule =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'number'; min: number; max: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'string'; maxLength: number }
  | { kind: 'intOrEnum'; min: number; max: number; values: readonly string[] };

export type Schema = Record<string, Rule>;

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(encoded: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new Error('it has characters outside base64url (A–Z, a–z, 0–9, -, _)');
  const base64 = encoded.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** The URL hash (`#state=…`) for a state object. */
export function encodeState(state: unknown): string {
  return `#state=${toBase64Url(JSON.stringify(state))}`;
}

/** The `state` parameter of a hash, or `undefined` when the hash has none. */
export function stateParam(hash: string): string | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  return params.get('state') ?? undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

function checkRule(key: string, rule: Rule, value: unknown): string | undefined {
  switch (rule.kind) {
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < rule.min || value > rule.max) {
        return `${key} must be an integer from ${rule.min} to ${rule.max}, received ${describe(value)}`;
      }
      return undefined;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < rule.min || value > rule.max) {
        return `${key} must be a number from ${rule.min} to ${rule.max}, received ${describe(value)}`;
      }
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${key} must be true or false, received ${describe(value)}`;
    case 'enum':
      return typeof value === 'string' && rule.values.includes(value)
        ? undefined
        : `${key} must be one of ${rule.values.join(', ')}, received ${describe(value)}`;
    case 'string':
      return typeof value === 'string' && value.length <= rule.maxLength
        ? undefined
        : `${key} must be text of at most ${rule.maxLength} characters, received ${describe(value)}`;
    case 'intOrEnum':
      if (typeof value === 'string' && rule.values.includes(value)) return undefined;
      if (typeof value === 'number' && Number.isInteger(value) && value >= rule.min && value <= rule.max) {
        return undefined;
      }
      return `${key} must be an integer from ${rule.min} to ${rule.max} or one of ${rule.values.join(', ')}, received ${describe(value)}`;
  }
}

/**
 * Checks a parsed value against a schema: an object whose keys are all in
 * the schema (missing keys keep their defaults) and whose values follow
 * their rules. Unknown keys are rejected, so a typo does not pass silently.
 */
export function validate<T extends object>(value: unknown, schema: Schema, defaults: T): Validated<T> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `the state must be a JSON object, received ${describe(value)}` };
  }
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, field] of Object.entries(value)) {
    const rule = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (!rule)
      return { ok: false, error: `unknown field ${JSON.stringify(key)}: expected ${Object.keys(schema).join(', ')}` };
    const problem = checkRule(key, rule, field);
    if (problem) return { ok: false, error: problem };
    out[key] = field;
  }
  return { ok: true, value: out as T };
}

/** Decodes `#state=…` text into JSON data: base64url → UTF-8 → `JSON.parse`, each step checked. */
export function decodeState(encoded: string): Validated<unknown> {
  if (encoded.length > MAX_STATE_LENGTH) {
    return {
      ok: false,
      error: `the state is ${encoded.length} characters long, more than the ${MAX_STATE_LENGTH} allowed`,
    };
  }
  let text: string;
  try {
    text = fromBase64Url(encoded);
  } catch (error) {
    return { ok: false, error: `the state is not base64url-encoded: ${(error as Error).message}` };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `the state is not JSON: ${(error as Error).message}` };
  }
}

/**
 * Reads a page's state from a URL hash: `{ ok: true, value }` with the
 * defaults filled in, `undefined` when the hash carries no state, or
 * `{ ok: false, error }` saying what was wrong.
 */
export function readState<T extends object>(hash: string, schema: Schema, defaults: T): Validated<T> | undefined {
  const encoded = stateParam(hash);
  if (encoded === undefined) return undefined;
  const decoded = decodeState(encoded);
  if (!decoded.ok) return decoded;
  return validate(decoded.value, schema, defaults);
}
