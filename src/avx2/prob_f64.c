/* avx2/prob_f64.c - the avx2 probability kernels (KL, JS, TV) on double inputs (prob_template.h, js_tv_template.h). */
#include "avx2/lanes_f64.h"
#include "load_native.h"
#define KLD_BOTH kld_both_f64_avx2
#define KLD_STATS kld_stats_f64_avx2
#include "prob_template.h"
#define KLD_JS kld_js_f64_avx2
#define KLD_TV kld_tv_f64_avx2
#include "js_tv_template.h"
