/* x86/avx512/kernels_f32.c - every avx512 kernel on f32 inputs: f32 lanes, loaded as they are. */
#include "arch/x86/avx512/lanes_f32.h"
#include "generic/load_native.h"
#define KLD_ISA_NAME avx512
#define KLD_TYPE f32
#include "generic/simd_kernels.h"
