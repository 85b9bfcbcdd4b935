// Shared helpers of convkit's WebAssembly SIMD kernels (one module built
// from every .c file here by scripts/build-wasm-kernels.mjs).
//
// The module runs on tfjs-backend-wasm's own memory, which it imports: every
// pointer is a byte offset into the tfjs heap, so kernels read and write
// tensors in place. It must therefore own no memory at all: no static or
// global data (a data segment would be copied over tfjs' heap at start), no
// local arrays, no address-taken locals and no recursion (the C stack lives
// in linear memory too, at an address tfjs also uses). The build script
// fails if the module has a data section, any import but env.memory, or any
// access to the stack pointer.
#ifndef CONVKIT_SIMD_H
#define CONVKIT_SIMD_H

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name), visibility("default")))

typedef float f32;
typedef v128_t v;

/** Unaligned 4-float load and store (tfjs' tensors are only 8-byte aligned). */
static inline v ld(const f32 *p) { return wasm_v128_load(p); }
static inline void st(f32 *p, v a) { wasm_v128_store(p, a); }
/** One float broadcast to the 4 lanes. */
static inline v splat(const f32 *p) { return wasm_v128_load32_splat(p); }
/**
 * acc + a·b, rounded twice like tfjs-cpu's and PyTorch's scalar loops (wasm
 * SIMD has no fused multiply-add without relaxed-simd).
 */
static inline v madd(v acc, v a, v b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
/** `p` rounded up to a multiple of 64 bytes: scratch buffers start on a cache line. */
#define ALIGN64(p) ((f32 *)(((unsigned long)(p) + 63) & ~63ul))

#endif
