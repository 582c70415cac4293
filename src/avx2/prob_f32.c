/* avx2/prob_f32.c - the avx2 probability kernels on float inputs (prob_template.h). */
#include "avx2/lanes_f32.h"
#include "load_native.h"
#define KLD_BOTH kld_both_f32_avx2
#define KLD_STATS kld_stats_f32_avx2
#include "prob_template.h"
