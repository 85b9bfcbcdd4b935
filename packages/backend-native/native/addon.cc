// The module's entry point and the shared helpers declared in common.h.
#include <omp.h>

#include <sstream>

#include "common.h"
#include "elementwise.h"

namespace convkit {

// The fused optimizer updates (optimizer.cc).
ModulePart initOptimizer;

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

static int threadCount = 0;
static std::vector<std::function<void()>> threadListeners;

int threads() {
  if (threadCount == 0) threadCount = omp_get_max_threads();
  return threadCount;
}

void onThreadsChanged(std::function<void()> clear) { threadListeners.push_back(std::move(clear)); }

void setThreads(int count) {
  if (count == threads()) return;
  threadCount = count;
  omp_set_num_threads(count);
  for (auto &clear : threadListeners) clear();
}

SerialScope::SerialScope(bool serial) {
  if (!serial || threads() == 1) return;
  previous_ = omp_get_max_threads();
  omp_set_num_threads(1);
}

SerialScope::~SerialScope() {
  if (previous_ != 0) omp_set_num_threads(previous_);
}

bool usesJitSgemm(const char *implementation) {
  const std::string name(implementation);
  return name.find("gemm:") != std::string::npos && name.find("brg") == std::string::npos;
}

dnnl::primitive_attr activationAttr(int activation, float alpha) {
  dnnl::post_ops ops;
  switch (activation) {
    case kActRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
    case kActRelu6: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f); break;
    case kActElu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f); break;
    case kActSigmoid: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
    case kActLeakyRelu: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, alpha, 0.f); break;
    default: break;
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  return attr;
}

std::string cacheKey(const char *kind, const std::vector<int64_t> &values) {
  std::string key(kind);
  for (int64_t v : values) {
    key += ',';
    key += std::to_string(v);
  }
  return key;
}

static Napi::Value SetThreads(const Napi::CallbackInfo &info) {
  double count = number(info, 0, "threads");
  if (count < 1 || count != static_cast<int>(count)) {
    std::ostringstream message;
    message << "convkit native: threads must be a positive integer, received " << count;
    throw Napi::RangeError::New(info.Env(), message.str());
  }
  setThreads(static_cast<int>(count));
  return Napi::Number::New(info.Env(), threads());
}

static Napi::Value GetThreads(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), threads()); }

/** oneDNN's version and the instruction set its JIT targets on this CPU. */
static Napi::Value Describe(const Napi::CallbackInfo &info) {
  const dnnl_version_t *version = dnnl_version();
  auto result = Napi::Object::New(info.Env());
  std::ostringstream text;
  text << version->major << '.' << version->minor << '.' << version->patch;
  result.Set("onednn", text.str());
  const char *isa = "unknown";
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: isa = "sse4.1"; break;
    case dnnl::cpu_isa::avx: isa = "avx"; break;
    case dnnl::cpu_isa::avx2: isa = "avx2"; break;
    case dnnl::cpu_isa::avx512_core: isa = "avx512"; break;
    case dnnl::cpu_isa::avx512_core_vnni: isa = "avx512-vnni"; break;
    case dnnl::cpu_isa::avx512_core_bf16: isa = "avx512-bf16"; break;
    case dnnl::cpu_isa::avx512_core_amx: isa = "avx512-amx"; break;
    default: break;
  }
  result.Set("isa", isa);
  result.Set("threads", threads());
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  restoreOmpEnvironment();
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("describe", Napi::Function::New(env, Describe));
  addParts(env, exports, {initConv, initMatmul, initPool, initNorm, initElementwise, initReduce, initOptimizer});
  return exports;
}

}  // namespace convkit

// The module macro pastes its function name into an identifier: it must be unqualified.
static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return convkit::Init(env, exports); }

NODE_API_MODULE(convkit_native, InitModule)
