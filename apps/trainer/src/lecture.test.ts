import { describe, expect, it } from 'vitest';
import { lectureReport } from './lecture.js';

describe('convkit lecture', () => {
  const report = lectureReport({ batch: 128 });

  it('prints the lecture examples with their formulas', () => {
    expect(report).toContain('(6 + 2·0 − 3)/1 + 1 = 4');
    expect(report).toContain('(227 + 2·0 − 11)/4 + 1 = 55');
    expect(report).toContain('(55 + 2·0 − 3)/2 + 1 = 27');
    expect(report).toMatch(/\(7 \+ 2·0 − 3\)\/3 \+ 1 = 2\.333… +does not fit/);
  });

  it('prints the parameter counts', () => {
    expect(report).toContain('3·3·3 + 1 = 28 per filter, 2,800 in all');
    expect(report).toContain('34,848 weights, 34,944 with biases');
  });

  it('traces VGG-16 to its published totals', () => {
    expect(report).toContain('parameters   138,357,544');
    expect(report).toContain('15.47 GMACs = 30.94 GFLOPs');
    // Input + conv/pool/FC outputs: 15,237,608 values × 4 bytes.
    expect(report).toContain('15,237,608 values = 60.95 MB');
    expect(report).toMatch(/^pool5 +7×7×512 +0 +100\.35 kB +212$/m);
  });

  it("lists the zoo's VGG-16 layers that compute, by their Caffe names", () => {
    expect(report).toMatch(/^conv5_3 +14×14×512 +2,359,808 +462\.42 MMACs/m);
    expect(report).toMatch(/^flatten +25088 +0 +view$/m);
    expect(report).not.toContain('drop6');
  });
});
