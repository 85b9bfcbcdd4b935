import { writeFileAtomic } from '@convkit/io/node';
import type { Layer } from '@convkit/layers';
import type { FilterEvolution } from '@convkit/viz';
import type { RunFolder } from './run-folder.js';

/** The first convolution of a model: `[layer name, kernel]`, or undefined for a model without one. */
export function firstConv(model: Layer) {
  const found = model.namedWeights().find(([name, v]) => name.endsWith('/kernel') && v.rank === 4);
  return found && ([found[0].slice(0, -'/kernel'.length), found[1]] as const);
}

/** Filters side by side: one row for gray or RGB first layers (up to 12 a row), else a row per filter and a column per input channel. */
export function gridColumns(kernel: { shape: readonly number[] }): number {
  const [, , cin = 1, cout = 1] = kernel.shape;
  return cin === 1 || cin === 3 ? Math.min(cout, 12) : cin;
}

/**
 * Nearest-neighbour scale that draws each filter at least 48 px (8 px a weight
 * at least) and a row of them at least 240 px wide: a 5×5 filter at one pixel per weight is noise.
 */
export function filterScale(kernel: { shape: readonly number[] }): number {
  const [kh = 1, kw = 1] = kernel.shape;
  const columns = gridColumns(kernel);
  return Math.min(32, Math.max(8, Math.ceil(48 / Math.max(kh, kw)), Math.ceil(240 / (columns * kw))));
}

/** How filters are drawn everywhere in the trainer: large, signed weights on a diverging map symmetric around 0. */
export function filterStyle(kernel: { shape: readonly number[] }) {
  return { scale: filterScale(kernel), colormap: 'diverging' as const, normalize: 'global' as const, spacing: 4 };
}

/** The caption of a filter grid drawn with {@link filterStyle}, from the range it used. */
export function filterCaption(layer: string, kernel: { shape: readonly number[] }, range: readonly number[]): string {
  const [kh, kw, cin, cout] = kernel.shape;
  const m = Math.max(Math.abs(range[0] ?? 0), Math.abs(range[1] ?? 0));
  return (
    `${layer}: ${cout} filters of ${kh}×${kw}×${cin} weights, ${filterScale(kernel)} px per weight (nearest neighbour), ` +
    `on one diverging colour scale for all: blue −${m.toPrecision(3)}, white 0, red +${m.toPrecision(3)} (the largest |weight|).`
  );
}

/**
 * Snapshots of the first layer's filters during training — before the first
 * step and after every epoch — written as `filters.png` (the last),
 * `filters-evolution.png` (one row per snapshot) and `filters-evolution.gif`.
 */
export class FilterRecorder {
  private evolution: FilterEvolution | undefined;
  private recorded = 0;
  // @convkit/viz loads its chart library (most of a second): only once there is something to draw.
  private readonly viz = import('@convkit/viz');

  constructor(
    private readonly model: Layer,
    private readonly run: RunFolder,
  ) {}

  async start(epoch: number): Promise<void> {
    const conv = firstConv(this.model);
    if (conv && this.recorded === 0) {
      const { scale, colormap, spacing } = filterStyle(conv[1]);
      // One range over every snapshot: weights growing from their initialization show as colours deepening.
      this.evolution = new (await this.viz).FilterEvolution({
        scale,
        colormap,
        spacing,
        normalize: 'global',
        maxRows: 12,
      });
      await this.evolution.record(epoch === 0 ? 'init' : `resumed at epoch ${epoch + 1}`, conv[1]);
      this.recorded++;
    }
  }

  async record(epoch: number): Promise<void> {
    const conv = firstConv(this.model);
    if (!conv || !this.evolution) return;
    const { encodePng, filterGrid } = await this.viz;
    await this.evolution.record(`epoch ${epoch + 1}`, conv[1]);
    this.recorded++;
    const { image, range } = await filterGrid(conv[1], { ...filterStyle(conv[1]), columns: gridColumns(conv[1]) });
    await writeFileAtomic(this.run.file('filters.png'), encodePng(image));
    const caption = filterCaption(conv[0], conv[1], range);
    await writeFileAtomic(this.run.file('filters.json'), JSON.stringify({ caption, range }));
  }

  async finish(): Promise<void> {
    if (this.recorded < 2 || !this.evolution) return;
    const { encodePng } = await this.viz;
    const grid = this.evolution.grid();
    await writeFileAtomic(this.run.file('filters-evolution.png'), encodePng(grid.image));
    const caption =
      `rows, top to bottom: ${grid.rows.map((r) => r.label).join(', ')}; one diverging colour scale over all snapshots` +
      `${grid.note ? ` (${grid.note})` : ''}`;
    await writeFileAtomic(this.run.file('filters-evolution.json'), JSON.stringify({ caption }));
    await writeFileAtomic(this.run.file('filters-evolution.gif'), this.evolution.gif({ delay: 500 }));
  }
}
