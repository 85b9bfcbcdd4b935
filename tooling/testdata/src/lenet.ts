/**
 * LeNet-5's C3 connection table (LeCun et al. 1998, Table I): the S2 maps
 * that each of C3's 16 maps reads. Six read 3 maps, nine read 4, one reads all 6.
 *
 * `@convkit/zoo` owns this table (`LENET5_C3`); this copy is for the tests of
 * `shape` and `layers`, which cannot import the zoo (it depends on them). The
 * zoo's test checks that the two are equal.
 */
export const LENET5_C3: number[][] = [
  [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [0, 4, 5], [0, 1, 5],
  [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [0, 3, 4, 5], [0, 1, 4, 5], [0, 1, 2, 5],
  [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
  [0, 1, 2, 3, 4, 5],
]; // biome-ignore format: the paper's table
