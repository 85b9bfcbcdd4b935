// Max pooling and its gradient over 2×2 windows at stride 2 without padding
// (LeNet's and VGG's pools), for pool.cc. Each input belongs to one window, so
// the four elements of a window are loaded once into registers and dx is
// written once, with no zero-fill, no accumulation and no per-window state in
// memory. The channel loop is innermost; withChannels makes its length a
// compile-time constant for small counts (6, 16, …) so it vectorizes.
//
// Ties and NaNs as in tfjs' cpu kernels and pool.cc's general loops: the fold
// m = (e > m ? e : m) from -Infinity in row-major order (e0 e1 / e2 e3), and
// the gradient to the first element equal to the window's maximum, selected
// with the masks below (which pool.cc's general gradient uses too).
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace convkit {

/** A channel count known at run time (the general case of withChannels). */
struct Channels {
  int64_t value;
  constexpr operator int64_t() const { return value; }
};

/**
 * Calls body(count) with the channel count as a compile-time constant for
 * the small counts of LeNet-like nets, else as a run-time value. A loop over
 * 6 channels of unknown length stays scalar; over a constant 6 the compiler
 * unrolls and vectorizes it.
 */
template <class Body>
void withChannels(int64_t count, Body body) {
  switch (count) {
    case 1: body(std::integral_constant<int64_t, 1>{}); break;
    case 2: body(std::integral_constant<int64_t, 2>{}); break;
    case 3: body(std::integral_constant<int64_t, 3>{}); break;
    case 4: body(std::integral_constant<int64_t, 4>{}); break;
    case 6: body(std::integral_constant<int64_t, 6>{}); break;
    case 8: body(std::integral_constant<int64_t, 8>{}); break;
    case 16: body(std::integral_constant<int64_t, 16>{}); break;
    default: body(Channels{count}); break;
  }
}

/** All ones when a == b, else zero: a mask to select with, without a branch (which input holds the maximum is random). */
inline uint32_t equalMask(float a, float b) { return 0u - static_cast<uint32_t>(a == b); }

/** `value` where the mask is set, +0 elsewhere: bitwise, so a NaN or infinite dy never leaks into other elements. */
inline float masked(float value, uint32_t mask) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  bits &= mask;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

namespace tiled {

inline float first(float m, float e) { return e > m ? e : m; }

/** One output row of a 2×2 / 2 max pool: rows r0, r1 of the input (width iw), `ow` outputs of C channels. */
template <class Count>
void maxRow(const float *r0, const float *r1, float *out, int64_t ow, Count C) {
  for (int64_t ox = 0; ox < ow; ox++) {
    const float *a = r0 + 2 * ox * C, *b = r1 + 2 * ox * C;
    float *o = out + ox * C;
    for (int64_t c = 0; c < C; c++) {
      const float m = -std::numeric_limits<float>::infinity();
      o[c] = first(first(first(first(m, a[c]), a[C + c]), b[c]), b[C + c]);
    }
  }
}

/**
 * One output row of the gradient: dy[c] to the first of the window's four
 * elements equal to its maximum y[c]; nothing for a -Infinity maximum (no
 * element is > -Infinity in tfjs, so none won).
 */
template <class Count>
void gradRow(const float *__restrict r0, const float *__restrict r1, const float *__restrict y,
             const float *__restrict dy, float *__restrict d0, float *__restrict d1, int64_t ow, Count C) {
  for (int64_t ox = 0; ox < ow; ox++) {
    const int64_t at = 2 * ox * C;
    const float *__restrict a = r0 + at, *__restrict b = r1 + at, *__restrict best = y + ox * C,
                            *__restrict grad = dy + ox * C;
    float *__restrict da = d0 + at, *__restrict db = d1 + at;
    for (int64_t c = 0; c < C; c++) {
      const float m = best[c], g = grad[c];
      const uint32_t open = m == -std::numeric_limits<float>::infinity() ? 0u : ~0u;
      const uint32_t h0 = equalMask(a[c], m) & open;
      const uint32_t h1 = equalMask(a[C + c], m) & open & ~h0;
      const uint32_t h2 = equalMask(b[c], m) & open & ~(h0 | h1);
      const uint32_t h3 = equalMask(b[C + c], m) & open & ~(h0 | h1 | h2);
      da[c] = masked(g, h0);
      da[C + c] = masked(g, h1);
      db[c] = masked(g, h2);
      db[C + c] = masked(g, h3);
    }
  }
}

}  // namespace tiled
}  // namespace convkit
