/* arm/neon/kernels_f64.c - every neon kernel on f64 inputs: f64 lanes, loaded as they are. */
#include "arch/arm/neon/lanes_f64.h"
#include "generic/load_native.h"
#define KLD_ISA_NAME neon
#define KLD_TYPE f64
#include "generic/simd_kernels.h"
