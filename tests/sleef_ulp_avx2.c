/* sleef_ulp_avx2.c - SLEEF's u35 logf error on the avx2 path (see sleef_ulp_template.h). */
#include "arch/x86/avx2/lanes_f32.h"
#define MAX_LOG_ULP max_log_ulp_avx2
#include "sleef_ulp_template.h"
