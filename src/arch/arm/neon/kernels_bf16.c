/* arm/neon/kernels_bf16.c - every neon kernel on bf16 inputs: f32 lanes, each bf16 widened as it is loaded. */
#include "arch/arm/neon/lanes_f32.h"
#include "arch/arm/neon/load_bf16.h"
#define KLD_ISA_NAME neon
#define KLD_TYPE bf16
#include "generic/simd_kernels.h"
