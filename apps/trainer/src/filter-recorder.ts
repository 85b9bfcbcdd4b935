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
      this.evolution = new (await this.viz).FilterEvolution({ scale: 4 });
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
    const { image } = await filterGrid(conv[1], { scale: 6, columns: gridColumns(conv[1]) });
    await writeFileAtomic(this.run.file('filters.png'), encodePng(image));
  }

  async finish(): Promise<void> {
    if (this.recorded < 2 || !this.evolution) return;
    const { encodePng } = await this.viz;
    await writeFileAtomic(this.run.file('filters-evolution.png'), encodePng(this.evolution.grid().image));
    await writeFileAtomic(this.run.file('filters-evolution.gif'), this.evolution.gif({ delay: 500 }));
  }
}
