/* x86/avx512/kernels_bf16.c - every avx512 kernel on bf16 inputs: f32 lanes, each bf16 widened as it is loaded. */
#include "arch/x86/avx512/lanes_f32.h"
#include "arch/x86/avx512/load_bf16.h"
#define KLD_ISA_NAME avx512
#define KLD_TYPE bf16
#include "generic/simd_kernels.h"
