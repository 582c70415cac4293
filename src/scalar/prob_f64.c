/* scalar/prob_f64.c - the reference probability kernels (KL, JS, TV) on double inputs (ref_template.h). */
#include "scalar/load_f64.h"
#define KLD_BOTH kld_both_f64_scalar
#define KLD_STATS kld_stats_f64_scalar
#define KLD_JS kld_js_f64_scalar
#define KLD_TV kld_tv_f64_scalar
#include "ref_template.h"
