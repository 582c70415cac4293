/* scalar/prob_f32.c - the reference probability kernels (KL, JS, TV) on float inputs (ref_template.h). */
#include "scalar/load_f32.h"
#define KLD_BOTH kld_both_f32_scalar
#define KLD_STATS kld_stats_f32_scalar
#define KLD_JS kld_js_f32_scalar
#define KLD_TV kld_tv_f32_scalar
#include "ref_template.h"
