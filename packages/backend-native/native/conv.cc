// Convolution (plain and depthwise) and its two gradients through oneDNN, on
// NHWC activations and tfjs' filter layout (HWIO; depthwise [kh, kw, C, M]).
//
// Activations stay NHWC: oneDNN's direct (brgemm/JIT) kernels read and write
// it. Filters are reordered into the blocked layout those kernels want, since
// on plain HWIO oneDNN falls back to im2col + GEMM at about half the speed.
// The reordered filter is kept per weight array (checked by identity through
// a weak reference, and by the version the JavaScript side gives an array it
// reuses), so inference reorders each filter once; training makes new
// weights every step and reorders them each time, a few percent of the work.
#include <chrono>
#include <limits>

#include "common.h"

namespace convkit {
namespace {

using dnnl::memory;
using dt = memory::data_type;
using tag = memory::format_tag;

/** The geometry array the JavaScript side sends (src/kernels/conv.ts writes it in this order). */
struct Geometry {
  int64_t n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, groups;
};
constexpr size_t kGeometryLength = 18;

Geometry read(const std::vector<int64_t> &v) {
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17]};
}

memory::desc nhwc(int64_t n, int64_t c, int64_t h, int64_t w) { return memory::desc({n, c, h, w}, dt::f32, tag::nhwc); }

memory::dims weightDims(const Geometry &g) {
  if (g.groups == 1) return {g.oc, g.ic, g.kh, g.kw};
  return {g.groups, g.oc / g.groups, g.ic / g.groups, g.kh, g.kw};
}

/** tfjs' filter memory as oneDNN dims + strides: HWIO, or [kh, kw, C, M] for depthwise (groups = C). */
memory::desc userWeights(const Geometry &g) {
  if (g.groups == 1) return memory::desc(weightDims(g), dt::f32, tag::hwio);
  int64_t m = g.oc / g.groups;
  return memory::desc(weightDims(g), dt::f32, memory::dims{m, 1, 1, g.kw * g.ic * m, g.ic * m});
}

memory::desc anyWeights(const Geometry &g) { return memory::desc(weightDims(g), dt::f32, tag::any); }

struct Descs {
  memory::desc src, dst;
  memory::dims strides, dilation, padL, padR;
};

Descs descs(const Geometry &g) {
  return {nhwc(g.n, g.ic, g.ih, g.iw), nhwc(g.n, g.oc, g.oh, g.ow), {g.sh, g.sw}, {g.dh - 1, g.dw - 1}, {g.pt, g.pl},
          {g.pb, g.pr}};
}

/** Geometries that oneDNN describes the way tfjs computes them. */
bool valid(const Geometry &g) {
  if (g.groups < 1 || g.ic % g.groups != 0 || g.oc % g.groups != 0) return false;
  if (g.groups != 1 && g.groups != g.ic) return false;
  return g.oh == windowOutputSize(g.ih, g.kh, g.sh, g.dh, g.pt, g.pb) &&
         g.ow == windowOutputSize(g.iw, g.kw, g.sw, g.dw, g.pl, g.pr);
}

/** A blocked copy of one weight array, valid while that array is alive. */
struct PackedSlot {
  Napi::ObjectReference owner;
  const float *data = nullptr;
  // The JavaScript side reuses output arrays (src/memory.ts): the same array with new values has a new version.
  double version = -1;
  memory packed;
  uint64_t lastUse = 0;
};

/**
 * Blocked copies of the last few weight arrays a primitive ran with. Several
 * layers can share one geometry (VGG's 512-channel blocks), hence several slots.
 */
class PackedWeights {
 public:
  void init(const memory::desc &user, const memory::desc &packed) {
    user_ = user;
    packedDesc_ = packed;
    toPacked_ = dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), user, cpuEngine(), packed));
  }

  memory &get(const Napi::Value &array, float *data, double version) {
    ++clock_;
    PackedSlot *oldest = nullptr;
    for (auto &slot : slots_) {
      if (slot.data == data && slot.version == version && !slot.owner.IsEmpty() && !slot.owner.Value().IsEmpty() &&
          slot.owner.Value().StrictEquals(array)) {
        slot.lastUse = clock_;
        return slot.packed;
      }
      if (!oldest || slot.lastUse < oldest->lastUse) oldest = &slot;
    }
    if (slots_.size() < kSlots) {
      slots_.emplace_back();
      oldest = &slots_.back();
      oldest->packed = memory(packedDesc_, cpuEngine());
    }
    memory user(user_, cpuEngine(), data);
    toPacked_.execute(cpuStream(), user, oldest->packed);
    oldest->owner = Napi::Weak(array.As<Napi::Object>());
    oldest->data = data;
    oldest->version = version;
    oldest->lastUse = clock_;
    return oldest->packed;
  }

 private:
  static constexpr size_t kSlots = 4;
  memory::desc user_, packedDesc_;
  dnnl::reorder toPacked_;
  std::vector<PackedSlot> slots_;
  uint64_t clock_ = 0;
};

dnnl::convolution_forward::desc forwardDesc(const Geometry &g, dnnl::prop_kind kind, bool bias) {
  Descs d = descs(g);
  auto algo = dnnl::algorithm::convolution_direct;
  if (bias) {
    memory::desc b({g.oc}, dt::f32, tag::x);
    return dnnl::convolution_forward::desc(kind, algo, d.src, anyWeights(g), b, d.dst, d.strides, d.dilation, d.padL,
                                           d.padR);
  }
  return dnnl::convolution_forward::desc(kind, algo, d.src, anyWeights(g), d.dst, d.strides, d.dilation, d.padL,
                                         d.padR);
}

struct Forward {
  bool supported = false;
  dnnl::convolution_forward prim;
  PackedWeights weights;
};

struct BackwardData {
  bool supported = false;
  dnnl::convolution_backward_data prim;
  PackedWeights weights;
};

struct BackwardWeights {
  bool supported = false;
  dnnl::convolution_backward_weights prim;
  bool reorderOut = false;
  dnnl::reorder fromPacked;
  memory packed;
  memory::desc user;
};

PrimitiveCache<Forward> forwards;
PrimitiveCache<BackwardData> backwardData;
PrimitiveCache<BackwardWeights> backwardWeights;

int64_t inSize(const Geometry &g) { return g.n * g.ih * g.iw * g.ic; }
int64_t outSize(const Geometry &g) { return g.n * g.oh * g.ow * g.oc; }
int64_t filterSize(const Geometry &g) { return g.kh * g.kw * (g.ic / g.groups) * g.oc; }

/** The tensors a forward convolution runs on, to time candidate implementations with. */
struct ForwardData {
  float *x, *w, *bias, *y;
};

/** Convolutions up to this many multiply-adds are timed on each implementation at first use (a few ms at most). */
constexpr int64_t kTuneMacs = int64_t{64} << 20;

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

/**
 * The forward primitive for a geometry. oneDNN ranks its implementations by
 * heuristics that misjudge small channel counts (LeNet's 1→6 convolution:
 * brgconv 0.27 ms, the older JIT kernel 0.17 ms), so a small convolution is
 * timed, at first use, on every implementation that is not a reference or
 * SGEMM-based one, and the fastest is kept. Large ones take oneDNN's first choice.
 */
std::unique_ptr<Forward> makeForward(const Geometry &g, bool bias, int activation, float alpha,
                                     const ForwardData &data) {
  auto entry = std::make_unique<Forward>();
  if (!valid(g)) return entry;
  try {
    // oneDNN's implementation iterator keeps a pointer to the op descriptor: it must outlive acceptable()'s walk.
    auto desc = forwardDesc(g, dnnl::prop_kind::forward_inference, bias);
    auto attr = activationAttr(activation, alpha);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, cpuEngine());
    if (!acceptable(pd)) return entry;
    entry->prim = dnnl::convolution_forward(pd);
    entry->weights.init(userWeights(g), pd.weights_desc());
    entry->supported = true;
    if (outSize(g) / g.oc * filterSize(g) > kTuneMacs) return entry;
    Descs d = descs(g);
    memory src(d.src, cpuEngine(), data.x), dst(d.dst, cpuEngine(), data.y), user(userWeights(g), cpuEngine(), data.w);
    double best = std::numeric_limits<double>::infinity();
    do {
      const std::string impl = pd.impl_info_str();
      if (usesJitSgemm(impl.c_str()) || impl.rfind("ref", 0) == 0) continue;
      dnnl::convolution_forward prim(pd);
      memory packed(pd.weights_desc(), cpuEngine());
      dnnl::reorder(user, packed).execute(cpuStream(), user, packed);
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, packed}, {DNNL_ARG_DST, dst}};
      if (data.bias) args.emplace(DNNL_ARG_BIAS, memory(memory::desc({g.oc}, dt::f32, tag::x), cpuEngine(), data.bias));
      double ms = std::numeric_limits<double>::infinity();
      for (int run = 0; run < 3; run++) {  // the first run pays for page faults and caches
        auto start = std::chrono::steady_clock::now();
        prim.execute(cpuStream(), args);
        cpuStream().wait();
        if (run > 0) ms = std::min(ms, millisecondsSince(start));
      }
      if (ms < best) {
        best = ms;
        entry->prim = prim;
        entry->weights = PackedWeights();
        entry->weights.init(userWeights(g), pd.weights_desc());
      }
    } while (pd.next_impl());
  } catch (const dnnl::error &) {
    // Not expressible in oneDNN (or no implementation): the JavaScript side runs the cpu kernel.
  }
  return entry;
}

std::unique_ptr<BackwardData> makeBackwardData(const Geometry &g) {
  auto entry = std::make_unique<BackwardData>();
  if (!valid(g)) return entry;
  try {
    auto hintDesc = forwardDesc(g, dnnl::prop_kind::forward_training, false);
    dnnl::convolution_forward::primitive_desc hint(hintDesc, cpuEngine());
    Descs d = descs(g);
    dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, d.src, anyWeights(g), d.dst,
                                               d.strides, d.dilation, d.padL, d.padR);
    dnnl::convolution_backward_data::primitive_desc pd(desc, cpuEngine(), hint);
    if (!acceptable(pd)) return entry;
    entry->prim = dnnl::convolution_backward_data(pd);
    entry->weights.init(userWeights(g), pd.weights_desc());
    entry->supported = true;
  } catch (const dnnl::error &) {
  }
  return entry;
}

std::unique_ptr<BackwardWeights> makeBackwardWeights(const Geometry &g) {
  auto entry = std::make_unique<BackwardWeights>();
  if (!valid(g)) return entry;
  try {
    auto hintDesc = forwardDesc(g, dnnl::prop_kind::forward_training, false);
    dnnl::convolution_forward::primitive_desc hint(hintDesc, cpuEngine());
    Descs d = descs(g);
    dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, d.src, anyWeights(g), d.dst,
                                                  d.strides, d.dilation, d.padL, d.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(desc, cpuEngine(), hint);
    if (!acceptable(pd)) return entry;
    entry->prim = dnnl::convolution_backward_weights(pd);
    entry->user = userWeights(g);
    entry->reorderOut = pd.diff_weights_desc() != entry->user;
    if (entry->reorderOut) {
      entry->packed = memory(pd.diff_weights_desc(), cpuEngine());
      entry->fromPacked = dnnl::reorder(
          dnnl::reorder::primitive_desc(cpuEngine(), pd.diff_weights_desc(), cpuEngine(), entry->user));
    }
    entry->supported = true;
  } catch (const dnnl::error &) {
  }
  return entry;
}


/** conv2d(x, filter, bias | null, y, geometry, activation, alpha, filterVersion) → false when oneDNN cannot run it. */
Napi::Value Conv2d(const Napi::CallbackInfo &info) {
  auto values = ints(info, 4, "geometry", kGeometryLength);
  Geometry g = read(values);
  float *x = floats(info, 0, "x", inSize(g));
  float *w = floats(info, 1, "filter", filterSize(g));
  float *bias = optionalFloats(info, 2, "bias", g.oc);
  float *y = floats(info, 3, "y", outSize(g));
  int activation = static_cast<int>(number(info, 5, "activation"));
  float alpha = static_cast<float>(number(info, 6, "alpha"));
  const double filterVersion = number(info, 7, "filterVersion");
  values.push_back(bias != nullptr);
  values.push_back(activation);
  values.push_back(static_cast<int64_t>(alpha * 1e6));
  Forward &entry = forwards.get(cacheKey("fwd", values), [&] {
    return makeForward(g, bias != nullptr, activation, alpha, ForwardData{x, w, bias, y});
  });
  if (!entry.supported) return Napi::Boolean::New(info.Env(), false);
  Descs d = descs(g);
  memory src(d.src, cpuEngine(), x), dst(d.dst, cpuEngine(), y);
  memory &weights = entry.weights.get(info[1], w, filterVersion);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory(memory::desc({g.oc}, dt::f32, tag::x), cpuEngine(), bias));
  entry.prim.execute(cpuStream(), args);
  cpuStream().wait();
  return Napi::Boolean::New(info.Env(), true);
}

/** conv2dBackpropInput(dy, filter, dx, geometry, filterVersion): dx = the input gradient. */
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo &info) {
  auto values = ints(info, 3, "geometry", kGeometryLength);
  const double filterVersion = number(info, 4, "filterVersion");
  Geometry g = read(values);
  float *dy = floats(info, 0, "dy", outSize(g));
  float *w = floats(info, 1, "filter", filterSize(g));
  float *dx = floats(info, 2, "dx", inSize(g));
  BackwardData &entry = backwardData.get(cacheKey("bwd-data", values), [&] { return makeBackwardData(g); });
  if (!entry.supported) return Napi::Boolean::New(info.Env(), false);
  Descs d = descs(g);
  memory diffDst(d.dst, cpuEngine(), dy), diffSrc(d.src, cpuEngine(), dx);
  memory &weights = entry.weights.get(info[1], w, filterVersion);
  entry.prim.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, diffSrc}});
  cpuStream().wait();
  return Napi::Boolean::New(info.Env(), true);
}

/** conv2dBackpropFilter(x, dy, dw, geometry): dw = the filter gradient, in tfjs' layout. */
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo &info) {
  auto values = ints(info, 3, "geometry", kGeometryLength);
  Geometry g = read(values);
  float *x = floats(info, 0, "x", inSize(g));
  float *dy = floats(info, 1, "dy", outSize(g));
  float *dw = floats(info, 2, "dw", filterSize(g));
  BackwardWeights &entry = backwardWeights.get(cacheKey("bwd-weights", values), [&] { return makeBackwardWeights(g); });
  if (!entry.supported) return Napi::Boolean::New(info.Env(), false);
  Descs d = descs(g);
  memory src(d.src, cpuEngine(), x), diffDst(d.dst, cpuEngine(), dy), user(entry.user, cpuEngine(), dw);
  memory &diffWeights = entry.reorderOut ? entry.packed : user;
  entry.prim.execute(cpuStream(), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, diffWeights}});
  if (entry.reorderOut) entry.fromPacked.execute(cpuStream(), entry.packed, user);
  cpuStream().wait();
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace

void initConv(Napi::Env env, Napi::Object exports) {
  onThreadsChanged([] {
    forwards.clear();
    backwardData.clear();
    backwardWeights.clear();
  });
  exports.Set("conv2d", Napi::Function::New(env, Conv2d));
  exports.Set("conv2dBackpropInput", Napi::Function::New(env, Conv2dBackpropInput));
  exports.Set("conv2dBackpropFilter", Napi::Function::New(env, Conv2dBackpropFilter));
}

}  // namespace convkit
