/* scalar/prob_f16.c - the reference probability kernels (KL, JS, TV) on f16 inputs (ref_template.h). */
#include "scalar/load_f16.h"
#define KLD_BOTH kld_both_f16_scalar
#define KLD_STATS kld_stats_f16_scalar
#define KLD_JS kld_js_f16_scalar
#define KLD_TV kld_tv_f16_scalar
#include "ref_template.h"
