import { ConfigError } from '@convkit/layers';
import { drawFilterGrid, type FilterGridOptions, type FilterNormalize } from './filters.js';
import { encodeGif, type GifOptions } from './gif.js';
import { checkCount, sampleIndices } from './grid.js';
import { createImage, drawImage, type RgbaImage, WHITE } from './image.js';
import { finiteRange, readValues, type TensorInput, type Values } from './tensor-data.js';

/** Options of {@link FilterEvolution}: those of `filterGrid`, plus a bound on rows. */
export interface FilterEvolutionOptions extends Omit<FilterGridOptions, 'range' | 'columns'> {
  /**
   * `'filter'` (default) stretches each filter in each snapshot, to show its
   * structure; `'global'` uses one range over every snapshot, to show weights
   * growing; `'tile'` stretches each tile.
   */
  normalize?: FilterNormalize;
  /** Tiles per snapshot; more are evenly sampled (the same ones in every snapshot). Default 64. */
  maxTiles?: number;
  /** Rows (snapshots) in `grid()`; more are evenly sampled, with a note. Default 64. */
  maxRows?: number;
}

/** A row of {@link FilterEvolution.grid}. */
export interface EvolutionRow {
  label: string;
  /** Top pixel row of the snapshot's tiles, and their height. */
  y: number;
  height: number;
}

/**
 * Snapshots of one layer's filters during training: `record` copies the
 * kernel (HWIO) under a label, e.g. from an epoch-end training event, and
 * returns a Promise (a tensor is read with `await t.data()`; await it
 * before the next training step changes the kernel); `grid()` draws one
 * row per snapshot, `frames()` one filter grid per snapshot and `gif()`
 * animates them, from the copies, without reading any tensor.
 *
 * @example
 * ```ts
 * const evolution = new FilterEvolution({ scale: 4 });
 * await evolution.record('init', layerKernel(model, 'conv1'));
 * // … after each epoch:
 * await evolution.record(`epoch ${epoch}`, layerKernel(model, 'conv1'));
 * writePng('conv1-evolution.png', evolution.grid().image);
 * writeFile('conv1.gif', evolution.gif({ delay: 400 }));
 * ```
 */
export class FilterEvolution {
  private readonly snapshots: { label: string; values: Values }[] = [];

  constructor(private readonly options: FilterEvolutionOptions = {}) {}

  private get op(): string {
    return this.options.name ? `FilterEvolution(${this.options.name})` : 'FilterEvolution';
  }

  /**
   * Copies the kernel's current values (a tensor or `{ data, shape }`, HWIO)
   * under `label`; resolves once the copy is made. Await it before the
   * next training step changes the kernel, and before the next `record`.
   */
  async record(label: string, kernel: TensorInput): Promise<void> {
    const values = await readValues(kernel, 4, this.op, 'the kernel (HWIO: [kh, kw, in, filters])');
    const first = this.snapshots[0];
    if (first && first.values.shape.join() !== values.shape.join()) {
      throw new ConfigError(
        this.op,
        `snapshot ${JSON.stringify(label)} has shape [${values.shape.join(', ')}], the first (${JSON.stringify(first.label)}) [${first.values.shape.join(', ')}]: record one layer's kernel`,
      );
    }
    this.snapshots.push({ label, values });
  }

  /** The labels recorded, in order. */
  get labels(): string[] {
    return this.snapshots.map((s) => s.label);
  }

  get length(): number {
    return this.snapshots.length;
  }

  /** One filter grid per snapshot (all the same size), tiles in one row. */
  frames(): RgbaImage[] {
    return this.grids(this.snapshots).map((g) => g.image);
  }

  /** One row per snapshot (evenly sampled beyond `maxRows`, with a `note`), labels and positions in `rows`. */
  grid(): { image: RgbaImage; rows: EvolutionRow[]; note?: string } {
    const maxRows = checkCount(this.op, 'maxRows', this.options.maxRows ?? 64);
    const picked = sampleIndices(this.snapshots.length, maxRows).map(
      (i) => this.snapshots[i] as (typeof this.snapshots)[number],
    );
    const grids = this.grids(picked);
    const first = grids[0];
    if (!first) throw new ConfigError(this.op, 'no snapshot recorded: call record(label, kernel) first');
    const spacing = this.options.spacing ?? 1;
    // Row images carry `spacing` on every side: overlap the borders.
    const step = first.image.height - spacing;
    const image = createImage(first.image.width, step * grids.length + spacing, this.options.background ?? WHITE);
    const rows = grids.map((g, i) => {
      drawImage(image, g.image, 0, i * step);
      return { label: (picked[i] as (typeof picked)[number]).label, y: i * step + spacing, height: step - spacing };
    });
    const result: { image: RgbaImage; rows: EvolutionRow[]; note?: string } = { image, rows };
    const notes = [
      picked.length < this.snapshots.length
        ? `showing ${picked.length} of ${this.snapshots.length} snapshots, evenly sampled: raise maxRows to see all`
        : '',
      first.note ?? '',
    ].filter(Boolean);
    if (notes.length > 0) result.note = notes.join('; ');
    return result;
  }

  /** The snapshots as an animated GIF (see `encodeGif`). */
  gif(options: GifOptions = {}): Uint8Array {
    return encodeGif(this.frames(), options);
  }

  private grids(snapshots: readonly { label: string; values: Values }[]) {
    if (snapshots.length === 0)
      throw new ConfigError(this.op, 'no snapshot recorded: call record(label, kernel) first');
    const { maxRows: _maxRows, ...rest } = this.options;
    const global = this.options.normalize === 'global';
    const range = global ? this.globalRange() : undefined;
    return snapshots.map(({ values }) =>
      drawFilterGrid(values, {
        ...rest,
        maxTiles: this.options.maxTiles ?? 64,
        columns: Number.MAX_SAFE_INTEGER,
        ...(range ? { range } : {}),
      }),
    );
  }

  private globalRange(): [number, number] {
    const ranges = this.snapshots.map((s) => finiteRange(s.values.data));
    let [min, max] = [Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))];
    if (this.options.symmetric ?? this.options.colormap === 'diverging') {
      const m = Math.max(Math.abs(min), Math.abs(max));
      [min, max] = [-m, m];
    }
    return [min, max];
  }
}
