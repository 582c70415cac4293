/* arm/neon/kernels_bf16.c - every neon kernel on bf16 inputs, widened to f32 lanes as loaded. */
#include "arch/arm/neon/lanes_f32.h"
#include "arch/arm/neon/load_bf16.h"
#define KLD_ISA_NAME neon
#define KLD_TYPE bf16
#include "generic/simd_kernels.h"
