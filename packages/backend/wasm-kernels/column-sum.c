// Column sums of a row-major float32 [rows, cols] matrix: Sum over the leading
// axes, which tfjs-core's convolution, matMul and broadcast-Add gradients call
// for every bias (dy [64, 28, 28, 6] summed over [0, 1, 2]). tfjs-wasm's Sum
// first transposes the reduced axes innermost; this reads the data once, in
// place, four columns to a vector and up to 16 vectors in registers.
//
// Accuracy: rows are summed in blocks of BLOCK in registers, and the block sums
// are combined pairwise (a binary counter of partial sums in scratch), so the
// rounding error grows with BLOCK + log2(rows / BLOCK), not with rows: a
// million rows stay as exact as a thousand.
//
// Narrow matrices (lcm(cols, 4) ≤ 64: every channel count up to 16 and more)
// are read as "wide rows" of G whole rows, G·cols ≤ 64 floats and a multiple
// of 4, so every load is a full vector of useful data; the lanes are folded
// back to cols columns at the end. Wider matrices go in strips of up to 16
// vectors across the columns; when cols is not a multiple of 4 a last vector
// ends at the last column (overlapping its neighbour, which it rewrites with
// the same sums: both are summed in the same order).
#include "simd.h"

/** Rows summed in registers before a block sum joins the pairwise tree. */
#define BLOCK 64
/** Floats per level of the pairwise stack: one strip of 16 vectors. */
#define LEVEL 64
/** Scratch floats: the sum and 32 stack levels (src/wasm/sum.ts allocates as much). */
#define COLUMN_SUM_SCRATCH (LEVEL * 33)

#define REP16(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)

/**
 * Adds the sum of `count` rows (stride `stride` floats) of `nv` vectors at `x` into the pairwise
 * stack as block number `block`: level l holds the sum of 2^l blocks while bit l of `block` is set.
 * Returns nothing; the caller collapses the stack when every block is in.
 */
static inline __attribute__((always_inline)) void block_sum(const f32 *x, int stride, int count, int nv, f32 *stack,
                                                            int block) {
#define DECLARE(i) v a##i = wasm_f32x4_splat(0.f);
  REP16(DECLARE)
#undef DECLARE
  for (int r = 0; r < count; r++, x += stride) {
#define ACCUMULATE(i) \
  if (i < nv) a##i = wasm_f32x4_add(a##i, ld(x + 4 * i));
    REP16(ACCUMULATE)
#undef ACCUMULATE
  }
  // Carry up the levels whose bit is set, as a binary counter adds one.
  int level = 0;
  for (int k = block; k & 1; k >>= 1, level++) {
    const f32 *partial = stack + level * LEVEL;
#define CARRY(i) \
  if (i < nv) a##i = wasm_f32x4_add(ld(partial + 4 * i), a##i);
    REP16(CARRY)
#undef CARRY
  }
  f32 *slot = stack + level * LEVEL;
#define STORE(i) \
  if (i < nv) st(slot + 4 * i, a##i);
  REP16(STORE)
#undef STORE
}

/**
 * Sums `rows` rows of `nv` vectors (stride `stride` floats) into `sum` (nv·4 floats), pairwise
 * over blocks. `stack` holds LEVEL floats per level, one level per bit of the block count.
 */
static inline __attribute__((always_inline)) void strip_sum(const f32 *x, int stride, int rows, int nv, f32 *stack,
                                                            f32 *sum) {
  int blocks = (rows + BLOCK - 1) / BLOCK;
  for (int b = 0; b < blocks; b++) {
    int count = rows - b * BLOCK < BLOCK ? rows - b * BLOCK : BLOCK;
    block_sum(x + b * BLOCK * stride, stride, count, nv, stack, b);
  }
  // The levels still set in `blocks` hold the partial sums, smallest first.
  for (int i = 0; i < nv; i++) st(sum + 4 * i, wasm_f32x4_splat(0.f));
  int level = 0;
  for (int k = blocks; k; k >>= 1, level++) {
    if (!(k & 1)) continue;
    for (int i = 0; i < nv; i++) st(sum + 4 * i, wasm_f32x4_add(ld(sum + 4 * i), ld(stack + level * LEVEL + 4 * i)));
  }
}

/** {@link strip_sum} with `nv` a constant in each case, so the accumulators stay in registers. */
static void strip_sum_n(const f32 *x, int stride, int rows, int nv, f32 *stack, f32 *sum) {
  switch (nv) {
#define CASE(i) \
  case i + 1: \
    strip_sum(x, stride, rows, i + 1, stack, sum); \
    break;
    REP16(CASE)
#undef CASE
  }
}

/** gcd(cols, 4) by hand: 4, 2 or 1. */
static inline int lanes_gcd(int cols) { return cols % 4 == 0 ? 4 : cols % 2 == 0 ? 2 : 1; }

/**
 * out[j] = Σ_r x[r·cols + j] for a row-major [rows, cols] float32 `x`. `scratch`: COLUMN_SUM_SCRATCH
 * floats (the sum and one stack level per bit of an int32 block count), 64-byte aligned. `out` must not overlap `x`.
 */
EXPORT(column_sum) void column_sum(const f32 *x, f32 *out, int rows, int cols, f32 *scratch) {
  f32 *sum = scratch, *stack = scratch + LEVEL;
  int period = cols * (4 / lanes_gcd(cols)); // lcm(cols, 4)
  if (period <= LEVEL) {
    // Wide rows: g whole rows, g·cols ≤ 64 floats, a multiple of 4.
    int g = (LEVEL / period) * (period / cols);
    int wide = rows / g;
    strip_sum_n(x, g * cols, wide, g * cols / 4, stack, sum);
    for (int j = 0; j < cols; j++) out[j] = 0.f;
    for (int k = 0; k < g; k++)
      for (int j = 0; j < cols; j++) out[j] += sum[k * cols + j];
    for (int r = wide * g; r < rows; r++)
      for (int j = 0; j < cols; j++) out[j] += x[r * cols + j];
    return;
  }
  // Strips of up to 16 vectors across the columns (cols > 16 here).
  int full = cols / 4;
  for (int start = 0; start < full; start += 16) {
    int nv = full - start < 16 ? full - start : 16;
    strip_sum_n(x + 4 * start, cols, rows, nv, stack, sum);
    for (int i = 0; i < nv; i++) st(out + 4 * (start + i), ld(sum + 4 * i));
  }
  if (cols % 4 != 0) {
    strip_sum_n(x + cols - 4, cols, rows, 1, stack, sum);
    st(out + cols - 4, ld(sum));
  }
}
