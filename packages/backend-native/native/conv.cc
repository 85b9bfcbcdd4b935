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
#include <omp.h>

#include <chrono>
#include <limits>

#include "common.h"
#include "conv_geometry.h"
#include "packed_weights.h"

namespace convkit {
namespace {

using namespace conv;


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
  // Split by images (splitParts): `prim` is a one-thread primitive over n / parts images, run once per thread,
  // each into its own gradient and scratchpad; the partial gradients are summed into partials[0].
  int parts = 1;
  std::vector<memory> partials, scratch;
  std::vector<dnnl::stream> streams;
};

PrimitiveCache<Forward> forwards;
PrimitiveCache<BackwardData> backwardData;
PrimitiveCache<BackwardWeights> backwardWeights;


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

/**
 * Threads to split a filter gradient over by images (1: oneDNN's own threading). oneDNN's
 * threaded backward-weights kernels sum the threads' partial gradients behind spinning
 * barriers, so when another process holds a core each barrier waits for the scheduler:
 * LeNet's two filter gradients took 7 ms a step instead of 0.3 at a load of 7 on 2 cores.
 * Small ones (LeNet's: 7.5M and 15.4M multiply-adds) run instead as one single-thread
 * primitive per thread on its share of the batch, joined once, then summed here.
 */
int splitParts(const Geometry &g) {
  const int team = threads();
  const int64_t macs = outSize(g) / g.oc * filterSize(g);
  if (team < 2 || g.n < team || g.n % team != 0 || macs > kTuneMacs) return 1;
  return team;
}

std::unique_ptr<BackwardWeights> makeBackwardWeights(const Geometry &full) {
  auto entry = std::make_unique<BackwardWeights>();
  if (!valid(full)) return entry;
  const int parts = splitParts(full);
  Geometry g = full;
  g.n /= parts;
  SerialScope serial(parts > 1);
  try {
    auto hintDesc = forwardDesc(g, dnnl::prop_kind::forward_training, false);
    dnnl::convolution_forward::primitive_desc hint(hintDesc, cpuEngine());
    Descs d = descs(g);
    dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, d.src, anyWeights(g), d.dst,
                                                  d.strides, d.dilation, d.padL, d.padR);
    dnnl::primitive_attr attr;
    // Each part brings its own scratchpad: the library's would be shared by the concurrent runs.
    if (parts > 1) attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    dnnl::convolution_backward_weights::primitive_desc pd(desc, attr, cpuEngine(), hint);
    if (!acceptable(pd)) return entry;
    entry->prim = dnnl::convolution_backward_weights(pd);
    entry->user = userWeights(g);
    entry->parts = parts;
    for (int t = 0; parts > 1 && t < parts; t++) {
      entry->partials.emplace_back(pd.diff_weights_desc(), cpuEngine());
      entry->scratch.emplace_back(pd.scratchpad_desc(), cpuEngine());
      entry->streams.emplace_back(cpuEngine());
    }
    entry->reorderOut = parts > 1 || pd.diff_weights_desc() != entry->user;
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

/** A split filter gradient (splitParts): thread t takes images [t·n/parts, (t+1)·n/parts). */
bool runSplit(BackwardWeights &entry, const Geometry &full, float *x, float *dy, float *dw) {
  Geometry g = full;
  g.n /= entry.parts;
  Descs d = descs(g);
  int failed = 0;
#pragma omp parallel num_threads(entry.parts) reduction(+ : failed)
  {
    const int t = omp_get_thread_num();
    try {  // nothing may leave an OpenMP region
      memory src(d.src, cpuEngine(), x + t * inSize(g)), diffDst(d.dst, cpuEngine(), dy + t * outSize(g));
      entry.prim.execute(entry.streams[t], {{DNNL_ARG_SRC, src},
                                            {DNNL_ARG_DIFF_DST, diffDst},
                                            {DNNL_ARG_DIFF_WEIGHTS, entry.partials[t]},
                                            {DNNL_ARG_SCRATCHPAD, entry.scratch[t]}});
      entry.streams[t].wait();
    } catch (const dnnl::error &) {
      failed++;
    }
  }
  if (failed) return false;
  // The parts' gradients in the primitive's layout (its padding is zeros in each), then one reorder to tfjs'.
  float *sum = static_cast<float *>(entry.partials[0].get_data_handle());
  const size_t count = entry.partials[0].get_desc().get_size() / sizeof(float);
  for (int t = 1; t < entry.parts; t++) {
    const float *part = static_cast<const float *>(entry.partials[t].get_data_handle());
    for (size_t i = 0; i < count; i++) sum[i] += part[i];
  }
  memory user(entry.user, cpuEngine(), dw);
  entry.fromPacked.execute(cpuStream(), entry.partials[0], user);
  cpuStream().wait();
  return true;
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
  if (entry.parts > 1) {
    if (!runSplit(entry, g, x, dy, dw)) throw Napi::Error::New(info.Env(), "convkit native: a filter gradient part failed");
    return Napi::Boolean::New(info.Env(), true);
  }
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
