/* avx512/prob_f32.c - the avx512 probability kernels on float inputs (prob_template.h). */
#include "avx512/lanes_f32.h"
#include "load_native.h"
#define KLD_BOTH kld_both_f32_avx512
#define KLD_STATS kld_stats_f32_avx512
#include "prob_template.h"
