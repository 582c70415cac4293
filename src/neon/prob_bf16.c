/* neon/prob_bf16.c - the neon probability kernels (KL, JS, TV) on bf16 inputs (prob_template.h, js_tv_template.h). */
#include "neon/lanes_f32.h"
#include "neon/load_bf16.h"
#define KLD_BOTH kld_both_bf16_neon
#define KLD_STATS kld_stats_bf16_neon
#include "prob_template.h"
#define KLD_JS kld_js_bf16_neon
#define KLD_TV kld_tv_bf16_neon
#include "js_tv_template.h"
