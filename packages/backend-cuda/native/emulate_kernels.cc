// The emulated addon's kernels: every .cu file, compiled as C++ in one unit
// (device.h maps CUDA's keywords onto the emulator). A test checks that every
// .cu file of this folder is listed here.
#include "copy.cu"
#include "elementwise.cu"
#include "reduce.cu"
#include "matmul.cu"
#include "conv.cu"
#include "pool.cu"
#include "norm.cu"
#include "depthwise.cu"
