/**
 * LeNet-5's C3 connection table (LeCun et al. 1998, Table I): the S2 maps
 * that each of C3's 16 maps reads.
 *
 * `@convkit/zoo` owns the table as printed (`LENET5_C3`). The tests of
 * `shape` and `layers` cannot import the zoo (it depends on them), so this
 * module builds the table from the paper's prose instead (Section II-B): "The
 * first six C3 feature maps take inputs from every contiguous subsets of three
 * feature maps in S2. The next six take input from every contiguous subset of
 * four. The next three take input from some discontinuous subsets of four.
 * Finally the last one takes input from all S2 feature maps." The zoo's test
 * checks that the printed table and this one agree.
 */
export const LENET5_C3: number[][] = (() => {
  const maps = (offsets: number[]) => (start: number) => offsets.map((o) => (start + o) % 6).sort((a, b) => a - b);
  const starts = (n: number) => Array.from({ length: n }, (_, i) => i);
  return [
    ...starts(6).map(maps([0, 1, 2])),
    ...starts(6).map(maps([0, 1, 2, 3])),
    ...starts(3).map(maps([0, 1, 3, 4])),
    [0, 1, 2, 3, 4, 5],
  ];
})();
