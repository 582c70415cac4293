/* x86/avx2/kernels_f32.c - every avx2 kernel on f32 inputs: f32 lanes, loaded as they are. */
#include "arch/x86/avx2/lanes_f32.h"
#include "generic/load_native.h"
#define KLD_ISA_NAME avx2
#define KLD_TYPE f32
#include "generic/simd_kernels.h"
