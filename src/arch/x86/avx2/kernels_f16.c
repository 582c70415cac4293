/* x86/avx2/kernels_f16.c - every avx2 kernel on f16 inputs, widened to f32 lanes as loaded. */
#include "arch/x86/avx2/lanes_f32.h"
#include "arch/x86/avx2/load_f16.h"
#define KLD_ISA_NAME avx2
#define KLD_TYPE f16
#include "generic/simd_kernels.h"
