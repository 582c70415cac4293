/* arm/neon/kernels_f16.c - every neon kernel on f16 inputs, widened to f32 lanes as loaded. */
#include "arch/arm/neon/lanes_f32.h"
#include "arch/arm/neon/load_f16.h"
#define KLD_ISA_NAME neon
#define KLD_TYPE f16
#include "generic/simd_kernels.h"
