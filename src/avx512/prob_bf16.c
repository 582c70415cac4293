/* avx512/prob_bf16.c - the avx512 probability kernels (KL, JS, TV) on bf16 inputs (prob_template.h, js_tv_template.h). */
#include "avx512/lanes_f32.h"
#include "avx512/load_bf16.h"
#define KLD_BOTH kld_both_bf16_avx512
#define KLD_STATS kld_stats_bf16_avx512
#include "prob_template.h"
#define KLD_JS kld_js_bf16_avx512
#define KLD_TV kld_tv_bf16_avx512
#include "js_tv_template.h"
