/** One kernel call's GPU time in a profiled step, as tfjs' `tf.profile()` reports it. */
export interface KernelSample {
  name: string;
  ms: number;
  /** Which profiled step (0, 1, …) the call belongs to. */
  step: number;
}

/** One row of the per-kernel table: a kernel's calls and GPU time per step, and its share of the step. */
export interface KernelRow {
  kernel: string;
  callsPerStep: number;
  msPerStep: number;
  share: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Per kernel name: calls and GPU time per step, the time being the median
 * over the `steps` profiled steps of the kernel's total in each (a median,
 * because a software GPU shares the CPU with whatever else runs, and one
 * step can be slowed throughout); sorted slowest first (ties by name, so
 * the table is stable between runs). Shares are of the sum of the medians.
 */
export function aggregateKernels(samples: readonly KernelSample[], steps: number): KernelRow[] {
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`steps must be a positive integer, received ${steps}`);
  const byName = new Map<string, { calls: number; perStep: number[] }>();
  for (const { name, ms, step } of samples) {
    if (!(step >= 0 && step < steps))
      throw new RangeError(`${name}: step ${step} is not one of the ${steps} profiled steps`);
    const row = byName.get(name) ?? { calls: 0, perStep: new Array<number>(steps).fill(0) };
    row.calls += 1;
    row.perStep[step] = (row.perStep[step] ?? 0) + ms;
    byName.set(name, row);
  }
  const rows = [...byName].map(([kernel, { calls, perStep }]) => ({
    kernel,
    callsPerStep: calls / steps,
    msPerStep: median(perStep),
    share: 0,
  }));
  const total = rows.reduce((t, r) => t + r.msPerStep, 0);
  for (const r of rows) r.share = total > 0 ? r.msPerStep / total : 0;
  return rows.sort((a, b) => b.msPerStep - a.msPerStep || a.kernel.localeCompare(b.kernel));
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

/**
 * The per-kernel table as markdown: kernel, calls per step, ms per step
 * (`unit` names the column: GPU time, or a CPU kernel's wall time) and
 * share; the rows past `top` are folded into one "other kernels" row.
 */
export function kernelTable(rows: readonly KernelRow[], top = 15, unit = 'GPU ms/step'): string {
  const shown = rows.slice(0, top);
  const rest = rows.slice(top);
  const lines = [`| kernel | calls/step | ${unit} | share |`, '|---|---:|---:|---:|'];
  for (const r of shown) lines.push(`| ${r.kernel} | ${r.callsPerStep} | ${ms(r.msPerStep)} | ${pct(r.share)} |`);
  if (rest.length > 0) {
    const sum = (f: (r: KernelRow) => number) => rest.reduce((t, r) => t + f(r), 0);
    lines.push(
      `| ${rest.length} other kernels | ${sum((r) => r.callsPerStep)} | ${ms(sum((r) => r.msPerStep))} | ${pct(sum((r) => r.share))} |`,
    );
  }
  const total = rows.reduce((t, r) => t + r.msPerStep, 0);
  lines.push(`| **total** | ${rows.reduce((t, r) => t + r.callsPerStep, 0)} | ${ms(total)} | 100 % |`);
  return lines.join('\n');
}

/**
 * Two kernel sets side by side (tfjs' stock kernels and convkit's), per
 * kernel: GPU ms per step in each and the speed-up (stock ÷ convkit).
 */
export function comparisonTable(stock: readonly KernelRow[], convkit: readonly KernelRow[], top = 12): string {
  const mine = new Map(convkit.map((r) => [r.kernel, r]));
  const lines = ['| kernel | stock ms/step | convkit ms/step | speed-up |', '|---|---:|---:|---:|'];
  for (const r of stock.slice(0, top)) {
    const c = mine.get(r.kernel);
    const ratio = c && c.msPerStep > 0 ? `${(r.msPerStep / c.msPerStep).toFixed(1)}×` : '—';
    lines.push(`| ${r.kernel} | ${ms(r.msPerStep)} | ${c ? ms(c.msPerStep) : '—'} | ${ratio} |`);
  }
  const total = (rows: readonly KernelRow[]) => rows.reduce((t, r) => t + r.msPerStep, 0);
  const [s, c] = [total(stock), total(convkit)];
  lines.push(`| **all kernels** | ${ms(s)} | ${ms(c)} | ${c > 0 ? `${(s / c).toFixed(1)}×` : '—'} |`);
  return lines.join('\n');
}
