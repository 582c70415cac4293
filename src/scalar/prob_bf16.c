/* scalar/prob_bf16.c - the reference probability kernels (KL, JS, TV) on bf16 inputs (ref_template.h). */
#include "scalar/load_bf16.h"
#define KLD_BOTH kld_both_bf16_scalar
#define KLD_STATS kld_stats_bf16_scalar
#define KLD_JS kld_js_bf16_scalar
#define KLD_TV kld_tv_bf16_scalar
#include "ref_template.h"
