import { describe, expect, it } from 'vitest';
import {
  convolutionSteps,
  FILTERS_3X3,
  fullyConnectedExamples,
  googlenetTable,
  IMAGE_6X6,
  mapOf,
  modelTable,
  outputSizeCases,
  parameterExample,
  stackedFields,
  stepFormula,
  vggConfigurations,
  vggMemory,
  volumeExample,
} from './lecture.js';

describe('the course numbers', () => {
  it('convolves the 6×6 example as the lecture does', () => {
    const [f1, f2] = FILTERS_3X3.map((f) => f.weights) as [number[][], number[][]];
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

  it('counts 28 parameters per filter and 2,800 in all', () => {
    const p = parameterExample();
    expect(p.perFilter).toBe(28);
    expect(p.total).toBe(2800);
    expect(p.totalText).toBe('2,800');
    expect(p.output).toBe('28×28×100');
  });

  it('explains output sizes', () => {
    const cases = outputSizeCases();
    expect(cases.find((c) => c.label.startsWith('AlexNet conv1: 227'))?.size).toBe(55);
    expect(cases.find((c) => c.label.includes('stride 3'))?.exact).toBe(false);
    expect(volumeExample().output).toBe('28×28×6');
    expect(stackedFields(3).map((f) => f.field)).toEqual([3, 5, 7]);
  });

  it('computes the architectures from shapes', () => {
    expect(modelTable('vgg16').totals.params).toBe('138,357,544');
    expect(modelTable('alexnet').totals.params).toBe('60,965,224');
    const vgg = vggConfigurations();
    expect(vgg.map((v) => Math.round(v.paramsRaw / 1e6))).toEqual([133, 133, 133, 134, 138, 144]);
    const memory = vggMemory();
    expect(memory.exact).toBe(15_237_608);
    expect(memory.traceTotal).toBe('15,245,800'); // plus the two dropout outputs, 2 × 4,096
    expect(memory.printedSum / 1e6).toBeCloseTo(15.2, 1);
    expect(memory.exactBytes).toBe('60.95 MB');
    expect(fullyConnectedExamples().fc6).toBe('102,764,544');
  });

  it("tabulates GoogLeNet's inception modules", () => {
    const t = googlenetTable();
    const a3 = t.rows.find((r) => r.stage === '3a');
    expect(a3?.output).toBe('28×28×256');
    expect(a3?.widths).toEqual(['64', '96', '128', '16', '32', '32']);
    expect(a3?.weightsK).toBe('159.5');
    expect(t.params).toBe('6,998,552');
  });
});
