// Conv2DBackpropFilter: dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sh+kh−pt, ow·sw+kw−pl, ci] · dy[n,oh,ow,co]
// (x NHWC, dy NHWC, dW HWIO, dilation 1), vectorised over Co.
//
// Why this shape of loop: for one filter row kh, the KW·Ci values (kw, ci) that
// meet dy[n,oh,ow,:] are contiguous in a padded NHWC image (index j = kw·Ci + ci
// at offset ((oh·sh + kh)·Wp + ow·sw)·Ci + j), and the matching dW entries are
// contiguous too. So the whole kernel is one register-blocked outer-product
// accumulation: R values of j (splatted) times C vectors of dy (4 output
// channels each) into R·C accumulators that stay in registers across every
// output position of a tile. R·C ≤ 10 leaves room for the dy vectors and one
// splat in the 16 SIMD registers V8 has on x64 (the spike measured 2×4 faster
// than 3×4, which spills).
//
// Scratch (64-byte aligned by ALIGN64; the caller sizes it, see
// conv2d-backprop-filter.ts `scratchBytes`), in floats:
//   acc  KH·(J+8)·Cop   accumulators, J = KW·Ci, Cop = Co rounded up to 4. The
//                       8 spare rows per kh take the last j block's overrun.
//   xp   Hp·Wp·Ci + 8, rounded up to 16: one image, padded with zeros, so the
//                       inner loop has no bounds checks (+8: the overrun reads)
//   dt   T·OW·Cop       dy rows [oh0, oh0+T) of one image, Co padded with zeros
// Hp = (OH−1)·sh + KH and Wp = (OW−1)·sw + KW: exactly the rows and columns a tap reads.
#include "simd.h"

static void bpf_zero(f32 *d, int n) {
  v z = wasm_f32x4_splat(0.f);
  int i = 0;
  for (; i + 4 <= n; i += 4) st(d + i, z);
  for (; i < n; i++) d[i] = 0.f;
}

static void bpf_copy(f32 *d, const f32 *s, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(d + i, ld(s + i));
  for (; i < n; i++) d[i] = s[i];
}

// The 1–3 floats s[0..n) in the low lanes, zeros above; reads nothing past s[n−1].
static inline v bpf_tail(const f32 *s, int n) {
  if (n == 1) return wasm_v128_load32_zero(s);
  v two = wasm_v128_load64_zero(s);
  return n == 2 ? two : wasm_v128_load32_lane(s + 2, two, 2);
}

// Padded image xp[r][c][ci] = x[r−pt][c−pl][ci], zero outside x, for r < Hp, c < Wp.
static void bpf_pad_image(const f32 *x, f32 *xp, int H, int W, int Ci, int Hp, int Wp, int pt, int pl) {
  int row = Wp * Ci;
  int c0 = pl < Wp ? pl : Wp;
  int c1 = pl + W < Wp ? pl + W : Wp;
  for (int r = 0; r < Hp; r++) {
    f32 *d = xp + r * row;
    int ih = r - pt;
    if (ih < 0 || ih >= H) {
      bpf_zero(d, row);
      continue;
    }
    bpf_zero(d, c0 * Ci);
    bpf_copy(d + c0 * Ci, x + ih * W * Ci, (c1 - c0) * Ci);
    bpf_zero(d + c1 * Ci, (Wp - c1) * Ci);
  }
}

// dt[p][0..Cop) = dy[p][0..Co) then zeros, for p < positions.
static void bpf_stage_dy(const f32 *dy, f32 *dt, int positions, int Co, int Cop) {
  if (Co == Cop) {
    bpf_copy(dt, dy, positions * Co);
    return;
  }
  int full = Co & ~3;
  for (int p = 0; p < positions; p++) {
    const f32 *s = dy + p * Co;
    f32 *d = dt + p * Cop;
    for (int c = 0; c < full; c += 4) st(d + c, ld(s + c));
    st(d + full, bpf_tail(s + full, Co - full));
  }
}

// The micro-kernels (C vectors of dy × R values of j): a = accumulator row j0 of this kh and first vector of this
// co block (rows Cop apart), xb = the padded image at row oh0·sh+kh, column 0,
// index j0; db = dt at the block's first channel. `rows` output rows of OW
// positions; x moves xstep floats per position and xrow per output row.
// The registers start at zero and are added to memory once per tile: a sum of
// per-tile partial sums, whose float32 error grows with the tile and the number
// of tiles, not with all N·OH·OW terms (LeNet-5's conv1: 784 and 64, not 50,176).
#define BPF_ARGS f32 *a, const f32 *xb, const f32 *db, int rows, int OW, int xrow, int xstep, int Cop
#define z wasm_f32x4_splat(0.f)
static inline void acc_add(f32 *a, v sum) { st(a, wasm_f32x4_add(ld(a), sum)); }
#define BPF_LOOP_BEGIN                                       \
  for (int r = 0; r < rows; r++) {                           \
    const f32 *xx = xb + r * xrow, *d = db + r * OW * Cop;   \
    for (int ow = 0; ow < OW; ow++, xx += xstep, d += Cop) { \
      v s;
#define BPF_LOOP_END \
  }                  \
  }

static void bpf_c4r2(BPF_ARGS) {
  f32 *a1 = a + Cop;
  v a00 = z, a01 = z, a02 = z, a03 = z;
  v a10 = z, a11 = z, a12 = z, a13 = z;
  BPF_LOOP_BEGIN
  v d0 = ld(d), d1 = ld(d + 4), d2 = ld(d + 8), d3 = ld(d + 12);
  s = splat(xx);
  a00 = madd(a00, s, d0); a01 = madd(a01, s, d1); a02 = madd(a02, s, d2); a03 = madd(a03, s, d3);
  s = splat(xx + 1);
  a10 = madd(a10, s, d0); a11 = madd(a11, s, d1); a12 = madd(a12, s, d2); a13 = madd(a13, s, d3);
  BPF_LOOP_END
  acc_add(a, a00); acc_add(a + 4, a01); acc_add(a + 8, a02); acc_add(a + 12, a03);
  acc_add(a1, a10); acc_add(a1 + 4, a11); acc_add(a1 + 8, a12); acc_add(a1 + 12, a13);
}

static void bpf_c3r3(BPF_ARGS) {
  f32 *a1 = a + Cop, *a2 = a1 + Cop;
  v a00 = z, a01 = z, a02 = z;
  v a10 = z, a11 = z, a12 = z;
  v a20 = z, a21 = z, a22 = z;
  BPF_LOOP_BEGIN
  v d0 = ld(d), d1 = ld(d + 4), d2 = ld(d + 8);
  s = splat(xx); a00 = madd(a00, s, d0); a01 = madd(a01, s, d1); a02 = madd(a02, s, d2);
  s = splat(xx + 1); a10 = madd(a10, s, d0); a11 = madd(a11, s, d1); a12 = madd(a12, s, d2);
  s = splat(xx + 2); a20 = madd(a20, s, d0); a21 = madd(a21, s, d1); a22 = madd(a22, s, d2);
  BPF_LOOP_END
  acc_add(a, a00); acc_add(a + 4, a01); acc_add(a + 8, a02);
  acc_add(a1, a10); acc_add(a1 + 4, a11); acc_add(a1 + 8, a12);
  acc_add(a2, a20); acc_add(a2 + 4, a21); acc_add(a2 + 8, a22);
}

static void bpf_c2r5(BPF_ARGS) {
  f32 *a1 = a + Cop, *a2 = a1 + Cop, *a3 = a2 + Cop, *a4 = a3 + Cop;
  v a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z;
  v a30 = z, a31 = z, a40 = z, a41 = z;
  BPF_LOOP_BEGIN
  v d0 = ld(d), d1 = ld(d + 4);
  s = splat(xx); a00 = madd(a00, s, d0); a01 = madd(a01, s, d1);
  s = splat(xx + 1); a10 = madd(a10, s, d0); a11 = madd(a11, s, d1);
  s = splat(xx + 2); a20 = madd(a20, s, d0); a21 = madd(a21, s, d1);
  s = splat(xx + 3); a30 = madd(a30, s, d0); a31 = madd(a31, s, d1);
  s = splat(xx + 4); a40 = madd(a40, s, d0); a41 = madd(a41, s, d1);
  BPF_LOOP_END
  acc_add(a, a00); acc_add(a + 4, a01); acc_add(a1, a10); acc_add(a1 + 4, a11); acc_add(a2, a20); acc_add(a2 + 4, a21);
  acc_add(a3, a30); acc_add(a3 + 4, a31); acc_add(a4, a40); acc_add(a4 + 4, a41);
}

static void bpf_c1r8(BPF_ARGS) {
  f32 *a1 = a + Cop, *a2 = a1 + Cop, *a3 = a2 + Cop, *a4 = a3 + Cop, *a5 = a4 + Cop, *a6 = a5 + Cop, *a7 = a6 + Cop;
  v b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z;
  BPF_LOOP_BEGIN
  v d0 = ld(d);
  s = splat(xx); b0 = madd(b0, s, d0);
  s = splat(xx + 1); b1 = madd(b1, s, d0);
  s = splat(xx + 2); b2 = madd(b2, s, d0);
  s = splat(xx + 3); b3 = madd(b3, s, d0);
  s = splat(xx + 4); b4 = madd(b4, s, d0);
  s = splat(xx + 5); b5 = madd(b5, s, d0);
  s = splat(xx + 6); b6 = madd(b6, s, d0);
  s = splat(xx + 7); b7 = madd(b7, s, d0);
  BPF_LOOP_END
  acc_add(a, b0); acc_add(a1, b1); acc_add(a2, b2); acc_add(a3, b3); acc_add(a4, b4); acc_add(a5, b5); acc_add(a6, b6); acc_add(a7, b7);
}

// One tile of output rows against every tap row: co blocks of up to 4 vectors,
// j blocks of R (the last block may run past J into spare accumulator rows).
static void bpf_tile(f32 *acc, const f32 *xt, const f32 *dt, int rows, int OW, int KH, int J, int Jp, int Cop,
                     int xrow, int xstep, int Wp, int Ci) {
  int vectors = Cop >> 2;
  for (int kh = 0; kh < KH; kh++) {
    const f32 *xb = xt + kh * Wp * Ci;
    for (int cb = 0; cb < vectors; cb += 4) {
      int c = vectors - cb < 4 ? vectors - cb : 4;
      f32 *ab = acc + kh * Jp * Cop + cb * 4;
      const f32 *db = dt + cb * 4;
      if (c == 4) {
        for (int j = 0; j < J; j += 2) bpf_c4r2(ab + j * Cop, xb + j, db, rows, OW, xrow, xstep, Cop);
      } else if (c == 3) {
        for (int j = 0; j < J; j += 3) bpf_c3r3(ab + j * Cop, xb + j, db, rows, OW, xrow, xstep, Cop);
      } else if (c == 2) {
        for (int j = 0; j < J; j += 5) bpf_c2r5(ab + j * Cop, xb + j, db, rows, OW, xrow, xstep, Cop);
      } else {
        for (int j = 0; j < J; j += 8) bpf_c1r8(ab + j * Cop, xb + j, db, rows, OW, xrow, xstep, Cop);
      }
    }
  }
}

EXPORT(conv2d_backprop_filter)
void conv2d_backprop_filter(const f32 *x, const f32 *dy, f32 *dw, f32 *scratch, int N, int H, int W, int Ci,
                            int OH, int OW, int Co, int KH, int KW, int sh, int sw, int pt, int pl, int T) {
  int J = KW * Ci, Jp = J + 8, Cop = (Co + 3) & ~3;
  int Hp = (OH - 1) * sh + KH, Wp = (OW - 1) * sw + KW;
  int image = Hp * Wp * Ci;
  f32 *acc = ALIGN64(scratch);
  f32 *xp = acc + KH * Jp * Cop;
  f32 *dt = xp + ((image + 8 + 15) & ~15);
  bpf_zero(acc, KH * Jp * Cop);
  bpf_zero(xp + image, 8);
  for (int n = 0; n < N; n++) {
    bpf_pad_image(x + n * H * W * Ci, xp, H, W, Ci, Hp, Wp, pt, pl);
    for (int oh0 = 0; oh0 < OH; oh0 += T) {
      int rows = OH - oh0 < T ? OH - oh0 : T;
      bpf_stage_dy(dy + (n * OH + oh0) * OW * Co, dt, rows * OW, Co, Cop);
      bpf_tile(acc, xp + oh0 * sh * Wp * Ci, dt, rows, OW, KH, J, Jp, Cop, sh * Wp * Ci, sw * Ci, Wp, Ci);
    }
  }
  for (int kh = 0; kh < KH; kh++)
    for (int j = 0; j < J; j++) {
      const f32 *s = acc + (kh * Jp + j) * Cop;
      f32 *d = dw + (kh * J + j) * Co;
      for (int c = 0; c < Co; c++) d[c] = s[c];
    }
}
