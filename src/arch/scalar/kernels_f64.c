/* scalar/kernels_f64.c - every scalar reference kernel on f64 inputs. */
#include "arch/scalar/load_f64.h"
#define KLD_TYPE f64
#include "generic/ref_kernels.h"
