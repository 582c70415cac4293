/* x86/avx512/kernels_f16.c - every avx512 kernel on f16 inputs: f32 lanes, each f16 widened as it is loaded. */
#include "arch/x86/avx512/lanes_f32.h"
#include "arch/x86/avx512/load_f16.h"
#define KLD_ISA_NAME avx512
#define KLD_TYPE f16
#include "generic/simd_kernels.h"
