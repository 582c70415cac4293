/* sleef_ulp_avx2.c - SLEEF's u35 logf error on the avx2 path (see sleef_ulp_template.h). */
#include "avx2/ops_f32.h"
#define ULP_NAME(name) name##_avx2
#include "sleef_ulp_template.h"
