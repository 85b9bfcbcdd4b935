// The CUDA addon's module: the device, memory and copies; the kernel
// families add their own entry points. The same file builds the emulated
// addon (CONVKIT_CUDA_EMULATE), whose "device" is the CPU.
#include <string>
#include <unordered_map>

#include "bindings.h"

namespace convkit::gpu {
namespace {

struct Guarded {
  const char *name;
  Entry entry;
};

Napi::Value callGuarded(const Napi::CallbackInfo &info) {
  const auto *guarded = static_cast<const Guarded *>(info.Data());
  try {
    return guarded->entry(info);
  } catch (const Napi::Error &) {
    throw;
  } catch (const std::exception &error) {
    throw Napi::Error::New(info.Env(), std::string("convkit cuda: ") + guarded->name + ": " + error.what());
  }
}

Napi::Value Device(const Napi::CallbackInfo &info) {
  const DeviceInfo &d = device();
  auto result = Napi::Object::New(info.Env());
  result.Set("name", d.name);
  result.Set("computeCapability", std::to_string(d.major) + "." + std::to_string(d.minor));
  result.Set("totalBytes", static_cast<double>(d.totalBytes));
  result.Set("multiprocessors", d.multiprocessors);
  result.Set("driverVersion", d.driverVersion);
  result.Set("runtimeVersion", d.runtimeVersion);
  result.Set("emulated", d.emulated);
  return result;
}

/** Argument `index`: a byte count, a whole number >= 0. */
size_t byteCount(const Napi::CallbackInfo &info, size_t index, const char *function) {
  const double bytes = number(info, index, "bytes");
  if (!(bytes >= 0) || bytes > 9.0e15 || bytes != static_cast<double>(static_cast<size_t>(bytes))) {
    throw Napi::RangeError::New(info.Env(), std::string("convkit cuda: ") + function +
                                                ": bytes must be a whole number >= 0, received " + std::to_string(bytes));
  }
  return static_cast<size_t>(bytes);
}

Napi::Value Allocate(const Napi::CallbackInfo &info) {
  const size_t bytes = byteCount(info, 0, "allocate");
  return Napi::Number::New(info.Env(), static_cast<double>(reinterpret_cast<uintptr_t>(allocate(bytes))));
}

Napi::Value Release(const Napi::CallbackInfo &info) {
  release(devicePointer<char>(info, 0, "pointer", 0));
  return info.Env().Undefined();
}

Napi::Value Upload(const Napi::CallbackInfo &info) {
  auto host = anyTypedArray(info, 1, "values");
  char *to = devicePointer<char>(info, 0, "pointer", static_cast<int64_t>(host.ByteLength()));
  upload(to, static_cast<char *>(host.ArrayBuffer().Data()) + host.ByteOffset(), host.ByteLength());
  return info.Env().Undefined();
}

Napi::Value Download(const Napi::CallbackInfo &info) {
  auto host = anyTypedArray(info, 1, "values");
  const char *from = devicePointer<char>(info, 0, "pointer", static_cast<int64_t>(host.ByteLength()));
  download(static_cast<char *>(host.ArrayBuffer().Data()) + host.ByteOffset(), from, host.ByteLength());
  return info.Env().Undefined();
}

Napi::Value Copy(const Napi::CallbackInfo &info) {
  const size_t bytes = byteCount(info, 2, "copy");
  char *to = devicePointer<char>(info, 0, "to", static_cast<int64_t>(bytes));
  const char *from = devicePointer<char>(info, 1, "from", static_cast<int64_t>(bytes));
  copyOnDevice(to, from, bytes);
  return info.Env().Undefined();
}

Napi::Value Zero(const Napi::CallbackInfo &info) {
  const size_t bytes = byteCount(info, 1, "zero");
  fillZero(devicePointer<char>(info, 0, "pointer", static_cast<int64_t>(bytes)), bytes);
  return info.Env().Undefined();
}

Napi::Value Synchronize(const Napi::CallbackInfo &info) {
  synchronize();
  return info.Env().Undefined();
}

Napi::Value Memory(const Napi::CallbackInfo &info) {
  const MemoryStats s = memoryStats();
  auto result = Napi::Object::New(info.Env());
  result.Set("liveBytes", static_cast<double>(s.liveBytes));
  result.Set("liveBlocks", static_cast<double>(s.liveBlocks));
  result.Set("cachedBytes", static_cast<double>(s.cachedBytes));
  result.Set("peakBytes", static_cast<double>(s.peakBytes));
  result.Set("deviceAllocations", static_cast<double>(s.deviceAllocations));
  return result;
}

Napi::Value EmptyCache(const Napi::CallbackInfo &info) {
  emptyCache();
  return info.Env().Undefined();
}

}  // namespace

void define(Napi::Env env, Napi::Object exports, const char *name, Entry entry) {
  // Lives as long as the module: the functions keep pointing at it.
  auto *guarded = new Guarded{name, entry};
  exports.Set(name, Napi::Function::New(env, callGuarded, name, guarded));
}

void readGeometry(const Napi::CallbackInfo &info, size_t index, const char *function,
                  std::initializer_list<GeometryField> fields, size_t firstPad) {
  const auto v = ints(info, index, "geometry", fields.size());
  size_t i = 0;
  for (const GeometryField &f : fields) {
    const bool pad = i >= firstPad;
    if (v[i] < (pad ? 0 : 1) || v[i] > 0x7fffffff) {
      rangeError(info, std::string(function) + ": geometry " + f.name + " must be " + (pad ? ">= 0" : ">= 1") +
                           ", received " + std::to_string(v[i]));
    }
    *f.field = static_cast<int>(v[i]);
    i++;
  }
}

int64_t elementCount(const std::vector<int64_t> &dims) {
  int64_t count = 1;
  for (int64_t d : dims) count *= d;
  return count;
}

#ifdef CONVKIT_CUDA_EMULATE
void initEmulatorSelfTest(Napi::Env env, Napi::Object exports);
#endif

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  define(env, exports, "device", Device);
  define(env, exports, "allocate", Allocate);
  define(env, exports, "release", Release);
  define(env, exports, "upload", Upload);
  define(env, exports, "download", Download);
  define(env, exports, "copy", Copy);
  define(env, exports, "zero", Zero);
  define(env, exports, "synchronize", Synchronize);
  define(env, exports, "memory", Memory);
  define(env, exports, "emptyCache", EmptyCache);
  addParts(env, exports,
           {initElementwiseBindings, initCopyBindings, initReduceBindings, initMatmulBindings, initConvBindings,
            initPoolBindings, initNormBindings, initDepthwiseBindings});
#ifdef CONVKIT_CUDA_EMULATE
  initEmulatorSelfTest(env, exports);
#endif
  return exports;
}

}  // namespace convkit::gpu

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return convkit::gpu::Init(env, exports); }

#ifdef CONVKIT_CUDA_EMULATE
NODE_API_MODULE(convkit_cuda_emulated, InitModule)
#else
NODE_API_MODULE(convkit_cuda, InitModule)
#endif
