import { closeName } from '@convkit/layers';

/** The JavaScript type an option must have. */
export type OptionKind = 'number' | 'boolean' | 'numbers' | 'object' | 'string';

/** Every option of a config type and its kind: the compiler checks the table against the type both ways. */
export type OptionKinds<T> = { readonly [K in keyof Required<T>]: OptionKind };

const kindOf = (value: unknown): OptionKind | 'other' => {
  if (typeof value === 'number') return Number.isFinite(value) ? 'number' : 'other';
  if (typeof value === 'boolean' || typeof value === 'string') return typeof value as OptionKind;
  if (Array.isArray(value))
    return value.every((v) => typeof v === 'number' && Number.isFinite(v)) ? 'numbers' : 'other';
  return typeof value === 'object' && value !== null ? 'object' : 'other';
};

const described: Record<OptionKind, string> = {
  number: 'a finite number',
  boolean: 'true or false',
  numbers: 'an array of finite numbers',
  object: 'an object',
  string: 'a string',
};

/**
 * Refuses options that `kinds` does not list (naming the close one: a
 * misspelt `momentun` would otherwise be ignored and train without
 * momentum) and values of the wrong type (`"0.9"` passes a range check by
 * coercion and fails later inside a kernel). Ranges stay with each option's use.
 */
export function checkOptions<T extends object>(where: string, options: T, kinds: OptionKinds<T>): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new RangeError(`${where} must be an object, received ${JSON.stringify(options)}`);
  const known = Object.keys(kinds);
  for (const [key, value] of Object.entries(options)) {
    const kind = (kinds as Record<string, OptionKind>)[key];
    if (kind === undefined || !Object.hasOwn(kinds, key)) {
      const near = closeName(key, known);
      throw new RangeError(
        `${where} has no option ${JSON.stringify(key)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}; its options are ${known.join(', ')}`,
      );
    }
    if (value !== undefined && kindOf(value) !== kind)
      throw new RangeError(`${where}.${key} must be ${described[kind]}, received ${JSON.stringify(value)}`);
  }
}
