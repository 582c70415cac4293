/* scalar/kernels_f16.c - every scalar reference kernel on f16 inputs. */
#include "arch/scalar/load_f16.h"
#define KLD_TYPE f16
#include "generic/ref_kernels.h"
