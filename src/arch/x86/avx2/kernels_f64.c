/* x86/avx2/kernels_f64.c - every avx2 kernel on f64 inputs: f64 lanes, loaded as they are. */
#include "arch/x86/avx2/lanes_f64.h"
#include "generic/load_native.h"
#define KLD_ISA_NAME avx2
#define KLD_TYPE f64
#include "generic/simd_kernels.h"
