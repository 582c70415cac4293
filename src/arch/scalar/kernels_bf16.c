/* scalar/kernels_bf16.c - every scalar reference kernel on bf16 inputs. */
#include "arch/scalar/load_bf16.h"
#define KLD_TYPE bf16
#include "generic/ref_kernels.h"
