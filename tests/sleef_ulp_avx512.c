/* sleef_ulp_avx512.c - SLEEF's u35 logf error on the avx512 path (see sleef_ulp_template.h). */
#include "avx512/ops_f32.h"
#define ULP_NAME(name) name##_avx512
#include "sleef_ulp_template.h"
