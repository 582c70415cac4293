/* neon/prob_f16.c - the neon probability kernels (KL, JS, TV) on f16 inputs (prob_template.h, js_tv_template.h). */
#include "neon/lanes_f32.h"
#include "neon/load_f16.h"
#define KLD_BOTH kld_both_f16_neon
#define KLD_STATS kld_stats_f16_neon
#include "prob_template.h"
#define KLD_JS kld_js_f16_neon
#define KLD_TV kld_tv_f16_neon
#include "js_tv_template.h"
