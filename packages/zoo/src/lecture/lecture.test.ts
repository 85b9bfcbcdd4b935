import { convParams } from '@convkit/shape';
import { describe, expect, it } from 'vitest';
import {
  convolutionSteps,
  FILTERS_3X3,
  googlenetTable,
  IMAGE_6X6,
  mapOf,
  modelTable,
  OUTPUT_SIZE_CASES,
  outputSizeCases,
  parameterExample,
  samePaddingRows,
  stackedFields,
  stepFormula,
  vgg16Activations,
  vggConfigurations,
  vggMemory,
} from './index.js';

/** A plain-loop cross-correlation, valid padding: the oracle for the worked steps. */
function naiveCorrelation(image: number[][], kernel: number[][], stride: number): number[][] {
  const k = kernel.length;
  const out: number[][] = [];
  for (let top = 0; top + k <= image.length; top += stride) {
    const row: number[] = [];
    for (let left = 0; left + k <= image.length; left += stride) {
      let sum = 0;
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) sum += (image[top + i]?.[left + j] ?? 0) * (kernel[i]?.[j] ?? 0);
      row.push(sum);
    }
    out.push(row);
  }
  return out;
}

describe('the convolution worked example', () => {
  const [f1, f2] = FILTERS_3X3.map((f) => f.weights) as [number[][], number[][]];

  it('convolves the 6×6 image as the lecture prints it', () => {
    expect(mapOf(convolutionSteps(IMAGE_6X6, f1, 1))).toEqual([
      [3, -1, -3, -1],
      [-3, 1, 0, -3],
      [-3, -3, 0, 1],
      [3, -2, -2, -1],
    ]);
    expect(mapOf(convolutionSteps(IMAGE_6X6, f1, 2))).toEqual([
      [3, -3],
      [-3, 0],
    ]);
    expect(mapOf(convolutionSteps(IMAGE_6X6, f2, 1))[0]).toEqual([-1, -1, -1, -1]);
    expect(stepFormula(convolutionSteps(IMAGE_6X6, f1, 1)[0] as never)).toMatch(/= 3$/);
  });

  it('agrees with a plain-loop correlation for both filters and strides', () => {
    for (const f of [f1, f2]) {
      for (const stride of [1, 2, 3]) {
        expect(mapOf(convolutionSteps(IMAGE_6X6, f, stride))).toEqual(naiveCorrelation(IMAGE_6X6, f, stride));
      }
    }
  });

  it('reads zeros in the padding', () => {
    const padded = convolutionSteps(IMAGE_6X6, f1, 1, 1);
    expect(padded).toHaveLength(36);
    expect(padded[0]?.top).toBe(-1);
    expect(padded[0]?.terms.slice(0, 3).map((t) => t.x)).toEqual([0, 0, 0]);
  });
});

describe('geometry', () => {
  it('explains every output-size case, flooring the inexact ones', () => {
    const cases = outputSizeCases();
    expect(cases).toHaveLength(OUTPUT_SIZE_CASES.length);
    const size = (label: string) => cases.find((c) => c.label.startsWith(label));
    // (N + 2P − K)/S + 1 by hand.
    expect(size('6×6 input, 3×3 filter, stride 1')?.size).toBe(4);
    expect(size('8×8 input')?.size).toBe(6);
    expect(size('28×28 input')?.size).toBe(28);
    expect(size('AlexNet conv1: 227')?.size).toBe(55);
    expect(size('AlexNet pool1')?.size).toBe(27);
    const inexact = size('7×7 input, 3×3 filter, stride 3');
    expect(inexact?.exact).toBe(false);
    expect(inexact?.verdict).toMatch(/^does not fit \(floored to 2\): use /);
    expect(size('AlexNet conv1 as printed')?.exact).toBe(false);
  });

  it('keeps 32×32 with (K − 1)/2 padding and grows the field by 2 per 3×3', () => {
    expect(samePaddingRows().map((r) => [r.kernel, r.before, r.output])).toEqual([
      [1, 0, 32],
      [3, 1, 32],
      [5, 2, 32],
      [7, 3, 32],
    ]);
    expect(stackedFields(4).map((f) => f.field)).toEqual([3, 5, 7, 9]);
  });

  it('counts 28 parameters per filter and 2,800 in all', () => {
    const p = parameterExample();
    expect(p.perFilter).toBe(3 * 3 * 3 + 1);
    expect(p.total).toBe(2800);
    expect(p.totalText).toBe('2,800');
    expect(p.output).toBe('28×28×100');
    expect(p.dense).toBe(convParams({ inChannels: 28 * 28 * 3, filters: 28 * 28 * 100, kernel: 1 }));
  });
});

describe('architecture tables', () => {
  it('have the totals of the papers and torchvision', () => {
    expect(modelTable('vgg16').totals.params).toBe('138,357,544');
    expect(modelTable('alexnet').totals.params).toBe('60,965,224');
    const vgg = vggConfigurations();
    expect(vgg.map((v) => Math.round(v.paramsRaw / 1e6))).toEqual([133, 133, 133, 134, 138, 144]);
  });

  it("counts VGG-16's forward memory as cs231n lists it", () => {
    const memory = vggMemory();
    // cs231n's rows: input + 13 conv + 5 pool + 3 FC outputs.
    expect(vgg16Activations().rows).toHaveLength(22);
    expect(memory.exact).toBe(15_237_608);
    expect(memory.traceTotal).toBe('15,245,800'); // plus the two dropout outputs, 2 × 4,096
    expect(memory.printedSum / 1e6).toBeCloseTo(15.2, 1);
    expect(memory.exactBytes).toBe('60.95 MB');
  });

  it("tabulates GoogLeNet's inception modules next to Table 1", () => {
    const t = googlenetTable();
    const a3 = t.rows.find((r) => r.stage === '3a');
    expect(a3?.output).toBe('28×28×256');
    expect(a3?.widths).toEqual(['64', '96', '128', '16', '32', '32']);
    expect(a3?.weightsK).toBe('159.5');
    expect(a3?.agrees).toBe('yes');
    expect(t.params).toBe('6,998,552');
    // 1024·1000 weights = 1000.0 K and 1,024,000 MACs, printed "1" (M): agrees within the print's rounding.
    const linear = t.rows.find((r) => r.stage === 'linear');
    expect([linear?.weightsK, linear?.macsM, linear?.agrees]).toEqual(['1000.0', '1.0', 'yes']);
    // The paper's own slips stay flagged: conv1's 2.7 K (7·7·3·64 = 9,408 weights) and 5a's 1072 K.
    expect(t.rows.filter((r) => r.agrees === 'no').map((r) => r.stage)).toEqual(['conv1', '4c', '5a']);
  });
});
