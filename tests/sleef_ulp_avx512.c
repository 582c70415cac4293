/* sleef_ulp_avx512.c - SLEEF's u35 logf error on the avx512 path (see sleef_ulp_template.h). */
#include "arch/x86/avx512/lanes_f32.h"
#define MAX_LOG_ULP max_log_ulp_avx512
#include "sleef_ulp_template.h"
