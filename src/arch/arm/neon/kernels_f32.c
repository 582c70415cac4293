/* arm/neon/kernels_f32.c - every neon kernel on f32 inputs: f32 lanes, loaded as they are. */
#include "arch/arm/neon/lanes_f32.h"
#include "generic/load_native.h"
#define KLD_ISA_NAME neon
#define KLD_TYPE f32
#include "generic/simd_kernels.h"
