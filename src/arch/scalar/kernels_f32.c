/* scalar/kernels_f32.c - every scalar reference kernel on f32 inputs. */
#include "arch/scalar/load_f32.h"
#define KLD_TYPE f32
#include "generic/ref_kernels.h"
