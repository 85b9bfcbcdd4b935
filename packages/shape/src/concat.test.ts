import { describe, expect, it } from 'vitest';
import { concatOutput } from './concat.js';

describe('concatOutput', () => {
  it("joins the branches' channels from their outputs alone", () => {
    expect(
      concatOutput(
        'inception3a',
        [28, 28, 192],
        [
          [28, 28, 64],
          [28, 28, 128],
          [28, 28, 32],
        ],
      ),
    ).toEqual([28, 28, 224]);
  });

  it('names the concat and every branch when they disagree, as trace does', () => {
    expect(() =>
      concatOutput(
        'join',
        [8, 8, 3],
        [
          [8, 8, 2],
          [4, 4, 2],
        ],
      ),
    ).toThrow(
      /join: concatenated branches must agree on height and width, but branch 1 does not \(branch 0 gives \[8, 8, 2\], branch 1 gives \[4, 4, 2\]\)/,
    );
    expect(() => concatOutput('join', [12], [[12]])).toThrow(
      /join: concat needs an input of \[height, width, channels\]/,
    );
    expect(() => concatOutput('join', [8, 8, 3], [])).toThrow(/at least one branch/);
  });
});
