/* avx512/prob_f16.c - the avx512 probability kernels (KL, JS, TV) on f16 inputs (prob_template.h, js_tv_template.h). */
#include "avx512/lanes_f32.h"
#include "avx512/load_f16.h"
#define KLD_BOTH kld_both_f16_avx512
#define KLD_STATS kld_stats_f16_avx512
#include "prob_template.h"
#define KLD_JS kld_js_f16_avx512
#define KLD_TV kld_tv_f16_avx512
#include "js_tv_template.h"
