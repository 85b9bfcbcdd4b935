import { describe, expect, it } from 'vitest';
import { inspectSvg } from '../../test/svg.js';
import { confusionMatrixSvg } from './confusion.js';

describe('confusionMatrixSvg', () => {
  const matrix = [
    [5, 1, 0],
    [2, 7, 1],
    [0, 0, 9],
  ];

  it('draws n×n cells with their counts, and escapes class names', () => {
    const names = ['cat & <dog>', 'bird "x"', "fish's"];
    const svg = inspectSvg(confusionMatrixSvg(matrix, names));
    expect(svg.pointsPerSeries()).toEqual([9]);
    for (const name of [...names, 'predicted', 'true', '7', '9']) expect(svg.texts).toContain(name);
    expect(svg.desc).toBe('Heatmap of 3 true classes (rows) against 3 predicted classes (columns), 25 examples.');
  });

  it('shows row fractions with normalize: row', () => {
    const svg = inspectSvg(confusionMatrixSvg(matrix, ['a', 'b', 'c'], { normalize: 'row' }));
    expect(svg.texts).toContain('0.83'); // 5 / 6
    expect(svg.texts).toContain('1.00');
  });

  it('checks the shape against the class names', () => {
    expect(() => confusionMatrixSvg([[1, 2]], ['a', 'b'])).toThrow(
      /needs a 2×2 matrix for 2 class names, received 1 rows of lengths \[2\]/,
    );
    expect(() => confusionMatrixSvg([[-1]], ['a'])).toThrow(/entry \[0\]\[0\] must be a finite count ≥ 0, received -1/);
  });
});
