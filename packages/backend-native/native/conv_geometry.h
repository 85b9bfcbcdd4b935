// conv.cc's description of a convolution: the 18 integers src/kernels/conv.ts
// sends, and the oneDNN memory descriptors and op descriptors made from them.
#pragma once

#include "common.h"

namespace convkit {
namespace conv {

using dnnl::memory;
using dt = memory::data_type;
using tag = memory::format_tag;

/** The geometry array the JavaScript side sends (src/kernels/conv.ts writes it in this order). */
struct Geometry {
  int64_t n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
};
constexpr size_t kGeometryLength = 18;

inline Geometry read(const std::vector<int64_t> &v) {
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17]};
}

inline memory::desc nhwc(int64_t n, int64_t c, int64_t h, int64_t w) { return memory::desc({n, c, h, w}, dt::f32, tag::nhwc); }

inline memory::dims weightDims(const Geometry &g) {
  if (g.groups == 1) return {g.oc, g.ic, g.kh, g.kw};
  return {g.groups, g.oc / g.groups, g.ic / g.groups, g.kh, g.kw};
}

/** tfjs' filter memory as oneDNN dims + strides: HWIO, or [kh, kw, C, M] for depthwise (groups = C). */
inline memory::desc userWeights(const Geometry &g) {
  if (g.groups == 1) return memory::desc(weightDims(g), dt::f32, tag::hwio);
  int64_t m = g.oc / g.groups;
  return memory::desc(weightDims(g), dt::f32, memory::dims{m, 1, 1, g.kw * g.ic * m, g.ic * m});
}

inline memory::desc anyWeights(const Geometry &g) { return memory::desc(weightDims(g), dt::f32, tag::any); }

struct Descs {
  memory::desc src, dst;
  memory::dims strides, dilation, padL, padR;
};

inline Descs descs(const Geometry &g) {
  return {nhwc(g.n, g.ic, g.ih, g.iw), nhwc(g.n, g.oc, g.oh, g.ow), {g.sh, g.sw}, {g.dh - 1, g.dw - 1}, {g.pt, g.pl},
          {g.pb, g.pr}};
}

/** Geometries that oneDNN describes the way tfjs computes them. */
inline bool valid(const Geometry &g) {
  if (g.groups < 1 || g.ic % g.groups != 0 || g.oc % g.groups != 0) return false;
  if (g.groups != 1 && g.groups != g.ic) return false;
  return g.oh == windowOutputSize(g.ih, g.kh, g.sh, g.dh, g.pt, g.pb) &&
         g.ow == windowOutputSize(g.iw, g.kw, g.sw, g.dw, g.pl, g.pr);
}

inline int64_t inSize(const Geometry &g) { return g.n * g.ih * g.iw * g.ic; }
inline int64_t outSize(const Geometry &g) { return g.n * g.oh * g.ow * g.oc; }
inline int64_t filterSize(const Geometry &g) { return g.kh * g.kw * (g.ic / g.groups) * g.oc; }

}  // namespace conv
}  // namespace convkit
