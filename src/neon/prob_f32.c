/* neon/prob_f32.c - the neon probability kernels (KL, JS, TV) on float inputs (prob_template.h, js_tv_template.h). */
#include "neon/lanes_f32.h"
#include "load_native.h"
#define KLD_BOTH kld_both_f32_neon
#define KLD_STATS kld_stats_f32_neon
#include "prob_template.h"
#define KLD_JS kld_js_f32_neon
#define KLD_TV kld_tv_f32_neon
#include "js_tv_template.h"
