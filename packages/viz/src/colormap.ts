import { ConfigError } from '@convkit/layers';

/** A colour as `[red, green, blue]`, each 0–255. */
export type Rgb = [number, number, number];

/** A colour map: a value in [0, 1] (clamped) to a colour. */
export type Colormap = (t: number) => Rgb;

/** The built-in colour maps. */
export type ColormapName = 'viridis' | 'gray' | 'diverging';

/**
 * matplotlib's viridis (van der Walt & Smith, 2015), its 256 entries
 * (`_viridis_data` in `matplotlib/_cm_listed.py`) × 255, rounded, as hex.
 */
const VIRIDIS_HEX = [
  '44015444025645045745055946075a46085c460a5d460b5e470d60470e61471063471164471365481467481668481769',
  '48186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a',
  '472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f85',
  '4240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b',
  '3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d',
  '33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e',
  '2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e',
  '26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d',
  '21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f88',
  '1fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad81',
  '28ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc74',
  '3fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863',
  '5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d',
  '84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32',
  'addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21a',
  'd8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725',
].join('');

const VIRIDIS = Uint8Array.from(VIRIDIS_HEX.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

/**
 * ColorBrewer's RdBu (11 classes), blue for negative, near-white at zero,
 * red for positive: readable by the common forms of colour blindness.
 */
const RDBU: readonly Rgb[] = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

const NOT_A_NUMBER: Rgb = [255, 0, 255];

function clamp01(t: number): number {
  return Math.min(1, Math.max(0, t));
}

/**
 * Perceptually uniform, dark purple (0) → teal → yellow (1), as matplotlib
 * draws it: entry `min(255, floor(256·t))` of its 256-entry table. NaN is magenta.
 *
 * @example
 * ```ts
 * viridis(0);   // [68, 1, 84]    #440154
 * viridis(0.5); // [33, 145, 140] #21918c
 * viridis(1);   // [253, 231, 37] #fde725
 * ```
 */
export function viridis(t: number): Rgb {
  if (Number.isNaN(t)) return [...NOT_A_NUMBER];
  const i = 3 * Math.min(255, Math.floor(256 * clamp01(t)));
  return [VIRIDIS[i] ?? 0, VIRIDIS[i + 1] ?? 0, VIRIDIS[i + 2] ?? 0];
}

/**
 * Black (0) to white (1): `round(255·t)` on every channel. NaN is magenta.
 *
 * @example
 * ```ts
 * gray(0.5); // [128, 128, 128]
 * ```
 */
export function gray(t: number): Rgb {
  if (Number.isNaN(t)) return [...NOT_A_NUMBER];
  const v = Math.round(255 * clamp01(t));
  return [v, v, v];
}

/**
 * For signed values mapped so that 0 sits at t = 0.5: blue (0) → near-white
 * (0.5) → red (1), ColorBrewer RdBu interpolated linearly. NaN is magenta.
 *
 * @example
 * ```ts
 * diverging(0);   // [5, 48, 97]
 * diverging(0.5); // [247, 247, 247]
 * diverging(1);   // [103, 0, 31]
 * ```
 */
export function diverging(t: number): Rgb {
  if (Number.isNaN(t)) return [...NOT_A_NUMBER];
  const x = clamp01(t) * (RDBU.length - 1);
  const i = Math.min(RDBU.length - 2, Math.floor(x));
  const f = x - i;
  const a = RDBU[i] as Rgb;
  const b = RDBU[i + 1] as Rgb;
  return [0, 1, 2].map((k) => Math.round((a[k] as number) + f * ((b[k] as number) - (a[k] as number)))) as Rgb;
}

const MAPS: Record<ColormapName, Colormap> = { viridis, gray, diverging };

/**
 * A colour map by name, or the function itself when given one.
 *
 * @example
 * ```ts
 * colormap('viridis')(1); // [253, 231, 37]
 * ```
 */
export function colormap(map: ColormapName | Colormap, op = 'colormap'): Colormap {
  if (typeof map === 'function') return map;
  const found = MAPS[map];
  if (!found) {
    throw new ConfigError(
      op,
      `unknown colormap ${JSON.stringify(map)}: use ${Object.keys(MAPS).join(', ')} or a function`,
    );
  }
  return found;
}
