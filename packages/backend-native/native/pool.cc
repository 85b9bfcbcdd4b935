// Max and average pooling and their gradients on NHWC data, written here
// rather than taken from oneDNN so that ties, NaNs and borders follow tfjs'
// cpu kernels exactly: a value wins a max window only if strictly greater
// than the best so far (from -Infinity, scanning row by row), so the first
// maximum gets the gradient and NaN never wins; an average divides by the
// in-bounds elements, its gradient (as tfjs' AvgPoolGrad) by the window area.
//
// Channels are the innermost loop, so every pass reads whole contiguous
// pixels and vectorizes. The gradients scatter into dx; work is split so no
// two threads write the same element: by image, then by channel range.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "common.h"
#include "pool_tiled.h"

namespace convkit {
namespace {

/** [N, inH, inW, C, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft] */
struct PoolGeometry {
  int64_t n, ih, iw, c, oh, ow, fh, fw, sh, sw, pt, pl;
};
constexpr size_t kPoolGeometryLength = 12;

PoolGeometry readPool(const Napi::CallbackInfo &info, size_t index) {
  auto v = ints(info, index, "geometry", kPoolGeometryLength);
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
}

/** The in-bounds rows (or columns) [start, end) of a window that starts at `corner`. */
inline void window(int64_t corner, int64_t size, int64_t limit, int64_t &start, int64_t &end) {
  start = std::max<int64_t>(0, corner);
  end = std::min(limit, corner + size);
}

/**
 * Runs body(image, c0, c1) over (image, channel range) tiles: whole images
 * when there are enough of them for every thread, else channel ranges of at
 * least 16 so each tile still reads contiguous vectors.
 */
template <class Body>
void tiles(const PoolGeometry &g, int64_t work, Body body) {
  const int64_t team = threads();
  int64_t chunk = g.c;
  if (g.n < 2 * team) chunk = std::max<int64_t>(16, (g.c + 2 * team - 1) / (2 * team));
  const int64_t ranges = (g.c + chunk - 1) / chunk;
  const int64_t count = g.n * ranges;
#pragma omp parallel for if (work > kParallelGrain) schedule(static)
  for (int64_t t = 0; t < count; t++) {
    const int64_t image = t / ranges, c0 = (t % ranges) * chunk;
    body(image, c0, std::min(g.c, c0 + chunk));
  }
}

/** 2×2 windows at stride 2 inside the input (pool_tiled.h's kernels). */
bool tiled2x2(const PoolGeometry &g) {
  return g.fh == 2 && g.fw == 2 && g.sh == 2 && g.sw == 2 && g.pt == 0 && g.pl == 0 && 2 * g.oh <= g.ih &&
         2 * g.ow <= g.iw;
}

/** Max pool over 2×2 windows, row by row of the output (64×28×28×6: 215 → ~60 µs on one thread). */
__attribute__((target_clones("avx512f", "avx2", "default"))) void maxPool2x2(const PoolGeometry &g, const float *x, float *y) {
  const int64_t rows = g.n * g.oh, row = g.iw * g.c;
  withChannels(g.c, [&](auto C) {
#pragma omp parallel for if (g.n * g.ih * g.iw * g.c > kParallelGrain) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const int64_t b = r / g.oh, oy = r % g.oh;
      const float *r0 = x + (b * g.ih + 2 * oy) * row;
      tiled::maxRow(r0, r0 + row, y + r * g.ow * g.c, g.ow, C);
    }
  });
}

/** maxPool(x, y, geometry) */
Napi::Value MaxPool(const Napi::CallbackInfo &info) {
  PoolGeometry g = readPool(info, 2);
  const float *x = floats(info, 0, "x", g.n * g.ih * g.iw * g.c);
  float *y = floats(info, 1, "y", g.n * g.oh * g.ow * g.c);
  if (tiled2x2(g)) {
    maxPool2x2(g, x, y);
    return info.Env().Undefined();
  }
  tiles(g, g.n * g.oh * g.ow * g.c * g.fh * g.fw, [&](int64_t b, int64_t c0, int64_t c1) {
    const float *image = x + b * g.ih * g.iw * g.c;
    for (int64_t oy = 0; oy < g.oh; oy++) {
      int64_t r0, r1;
      window(oy * g.sh - g.pt, g.fh, g.ih, r0, r1);
      for (int64_t ox = 0; ox < g.ow; ox++) {
        int64_t q0, q1;
        window(ox * g.sw - g.pl, g.fw, g.iw, q0, q1);
        float *out = y + ((b * g.oh + oy) * g.ow + ox) * g.c;
        for (int64_t c = c0; c < c1; c++) out[c] = -std::numeric_limits<float>::infinity();
        for (int64_t iy = r0; iy < r1; iy++)
          for (int64_t ix = q0; ix < q1; ix++) {
            const float *px = image + (iy * g.iw + ix) * g.c;
            for (int64_t c = c0; c < c1; c++) out[c] = px[c] > out[c] ? px[c] : out[c];
          }
      }
    }
  });
  return info.Env().Undefined();
}

/** pending[c]: all ones while channel c's window maximum has not been met yet (none for a -Infinity maximum). */
inline void startWindow(const float *best, uint32_t *pending, int64_t c0, int64_t c1) {
  for (int64_t c = c0; c < c1; c++) pending[c] = best[c] == -std::numeric_limits<float>::infinity() ? 0u : ~0u;
}

/**
 * The gradient when the windows tile the input (stride = window, no padding:
 * LeNet's and VGG's 2×2 pools): every input belongs to at most one window,
 * so dx is written once, element by element, with no zero-fill and no
 * accumulation: the first element equal to the window's maximum gets dy.
 */
void maxPoolGradTiled(const PoolGeometry &g, const float *x, const float *y, const float *dy, float *dx) {
  const int64_t image = g.ih * g.iw * g.c;
#pragma omp parallel for if (g.n * image > kParallelGrain) schedule(static)
  for (int64_t b = 0; b < g.n; b++) {
    std::vector<uint32_t> pending(g.c);
    uint32_t *open = pending.data();
    const float *xb = x + b * image;
    float *db = dx + b * image;
    std::fill(db, db + image, 0.f);  // rows and columns no window reaches (floor rounding)
    for (int64_t oy = 0; oy < g.oh; oy++)
      for (int64_t ox = 0; ox < g.ow; ox++) {
        const int64_t out = ((b * g.oh + oy) * g.ow + ox) * g.c;
        const float *best = y + out, *grad = dy + out;
        startWindow(best, open, 0, g.c);
        for (int64_t wy = 0; wy < g.fh; wy++)
          for (int64_t wx = 0; wx < g.fw; wx++) {
            const int64_t at = ((oy * g.sh + wy) * g.iw + ox * g.sw + wx) * g.c;
            const float *xv = xb + at;
            float *d = db + at;
            for (int64_t c = 0; c < g.c; c++) {
              const uint32_t hit = equalMask(xv[c], best[c]) & open[c];
              d[c] = masked(grad[c], hit);
              open[c] &= ~hit;
            }
          }
      }
  }
}

/**
 * The gradient over 2×2 windows, by image; rows and columns no window reaches (odd sizes) get 0.
 * The channel count stays a run-time value here: as a constant 6, GCC's partial-vector stores
 * made it 3× slower (237 vs 75 µs on 64×28×28×6, one thread).
 */
__attribute__((target_clones("avx512f", "avx2", "default"))) void maxPoolGrad2x2(
    const PoolGeometry &g, const float *x, const float *y, const float *dy, float *dx) {
  const int64_t image = g.ih * g.iw * g.c, row = g.iw * g.c, used = 2 * g.ow * g.c;
#pragma omp parallel for if (g.n * image > kParallelGrain) schedule(static)
  for (int64_t b = 0; b < g.n; b++) {
    const float *xb = x + b * image;
    float *db = dx + b * image;
    for (int64_t oy = 0; oy < g.oh; oy++) {
      const int64_t at = 2 * oy * row, out = (b * g.oh + oy) * g.ow * g.c;
      float *d0 = db + at, *d1 = d0 + row;
      tiled::gradRow(xb + at, xb + at + row, y + out, dy + out, d0, d1, g.ow, Channels{g.c});
      std::fill(d0 + used, d0 + row, 0.f);
      std::fill(d1 + used, d1 + row, 0.f);
    }
    std::fill(db + 2 * g.oh * row, db + image, 0.f);
  }
}

/**
 * maxPoolGrad(x, y, dy, dx, geometry): dy routed to each window's first
 * maximum; dx is overwritten. y is the forward's output, so the first
 * maximum is the first element equal to it (row by row), found for all
 * channels at once with masks instead of a search per channel (whose
 * branches mispredict at random: 4 ns an element instead of 1). A window whose maximum is
 * -Infinity had no element win in tfjs (nothing is > -Infinity): it routes nothing.
 */
Napi::Value MaxPoolGrad(const Napi::CallbackInfo &info) {
  PoolGeometry g = readPool(info, 4);
  const float *x = floats(info, 0, "x", g.n * g.ih * g.iw * g.c);
  const float *y = floats(info, 1, "y", g.n * g.oh * g.ow * g.c);
  const float *dy = floats(info, 2, "dy", g.n * g.oh * g.ow * g.c);
  float *dx = floats(info, 3, "dx", g.n * g.ih * g.iw * g.c);
  // Windows that tile the input and stay inside it ('same' padding can add a row past the end).
  const bool tiled = g.sh == g.fh && g.sw == g.fw && g.pt == 0 && g.pl == 0 && g.oh * g.sh <= g.ih && g.ow * g.sw <= g.iw;
  if (tiled2x2(g)) {
    maxPoolGrad2x2(g, x, y, dy, dx);
    return info.Env().Undefined();
  }
  if (tiled && g.n >= threads()) {
    maxPoolGradTiled(g, x, y, dy, dx);
    return info.Env().Undefined();
  }
  std::fill(dx, dx + g.n * g.ih * g.iw * g.c, 0.f);
  tiles(g, g.n * g.oh * g.ow * g.c * g.fh * g.fw, [&](int64_t b, int64_t c0, int64_t c1) {
    std::vector<uint32_t> pending(c1 - c0);
    uint32_t *open = pending.data() - c0;
    const float *image = x + b * g.ih * g.iw * g.c;
    float *grads = dx + b * g.ih * g.iw * g.c;
    for (int64_t oy = 0; oy < g.oh; oy++) {
      int64_t r0, r1;
      window(oy * g.sh - g.pt, g.fh, g.ih, r0, r1);
      for (int64_t ox = 0; ox < g.ow; ox++) {
        int64_t q0, q1;
        window(ox * g.sw - g.pl, g.fw, g.iw, q0, q1);
        const int64_t out = ((b * g.oh + oy) * g.ow + ox) * g.c;
        const float *best = y + out, *grad = dy + out;
        startWindow(best, open, c0, c1);
        // Overlapping windows: an input can be the maximum of several, so dy accumulates.
        for (int64_t iy = r0; iy < r1; iy++)
          for (int64_t ix = q0; ix < q1; ix++) {
            const int64_t at = (iy * g.iw + ix) * g.c;
            const float *xv = image + at;
            float *d = grads + at;
            for (int64_t c = c0; c < c1; c++) {
              const uint32_t hit = equalMask(xv[c], best[c]) & open[c];
              d[c] += masked(grad[c], hit);
              open[c] &= ~hit;
            }
          }
      }
    }
  });
  return info.Env().Undefined();
}

/** avgPool(x, y, geometry): the mean of each window's in-bounds elements. */
Napi::Value AvgPool(const Napi::CallbackInfo &info) {
  PoolGeometry g = readPool(info, 2);
  const float *x = floats(info, 0, "x", g.n * g.ih * g.iw * g.c);
  float *y = floats(info, 1, "y", g.n * g.oh * g.ow * g.c);
  tiles(g, g.n * g.oh * g.ow * g.c * g.fh * g.fw, [&](int64_t b, int64_t c0, int64_t c1) {
    const float *image = x + b * g.ih * g.iw * g.c;
    for (int64_t oy = 0; oy < g.oh; oy++) {
      int64_t r0, r1;
      window(oy * g.sh - g.pt, g.fh, g.ih, r0, r1);
      for (int64_t ox = 0; ox < g.ow; ox++) {
        int64_t q0, q1;
        window(ox * g.sw - g.pl, g.fw, g.iw, q0, q1);
        float *out = y + ((b * g.oh + oy) * g.ow + ox) * g.c;
        std::fill(out + c0, out + c1, 0.f);
        for (int64_t iy = r0; iy < r1; iy++)
          for (int64_t ix = q0; ix < q1; ix++) {
            const float *px = image + (iy * g.iw + ix) * g.c;
            for (int64_t c = c0; c < c1; c++) out[c] += px[c];
          }
        // An empty window (all padding) gives 0/0 = NaN, as in tfjs.
        const float count = static_cast<float>(std::max<int64_t>(0, r1 - r0) * std::max<int64_t>(0, q1 - q0));
        for (int64_t c = c0; c < c1; c++) out[c] /= count;
      }
    }
  });
  return info.Env().Undefined();
}

/** avgPoolGrad(dy, dx, geometry): dy / (filter area) added to every in-bounds input of its window; dx zero-filled. */
Napi::Value AvgPoolGrad(const Napi::CallbackInfo &info) {
  PoolGeometry g = readPool(info, 2);
  const float *dy = floats(info, 0, "dy", g.n * g.oh * g.ow * g.c);
  float *dx = floats(info, 1, "dx", g.n * g.ih * g.iw * g.c);
  const float scale = 1.f / static_cast<float>(g.fh * g.fw);
  tiles(g, g.n * g.oh * g.ow * g.c * g.fh * g.fw, [&](int64_t b, int64_t c0, int64_t c1) {
    float *image = dx + b * g.ih * g.iw * g.c;
    for (int64_t oy = 0; oy < g.oh; oy++) {
      int64_t r0, r1;
      window(oy * g.sh - g.pt, g.fh, g.ih, r0, r1);
      for (int64_t ox = 0; ox < g.ow; ox++) {
        int64_t q0, q1;
        window(ox * g.sw - g.pl, g.fw, g.iw, q0, q1);
        const float *grad = dy + ((b * g.oh + oy) * g.ow + ox) * g.c;
        for (int64_t iy = r0; iy < r1; iy++)
          for (int64_t ix = q0; ix < q1; ix++) {
            float *px = image + (iy * g.iw + ix) * g.c;
            for (int64_t c = c0; c < c1; c++) px[c] += grad[c] * scale;
          }
      }
    }
  });
  return info.Env().Undefined();
}

}  // namespace

void initPool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPool", Napi::Function::New(env, MaxPool));
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad));
  exports.Set("avgPool", Napi::Function::New(env, AvgPool));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad));
}

}  // namespace convkit
