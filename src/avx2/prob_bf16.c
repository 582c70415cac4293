/* avx2/prob_bf16.c - the avx2 probability kernels on bf16 inputs (prob_template.h). */
#include "avx2/lanes_f32.h"
#include "avx2/load_bf16.h"
#define KLD_BOTH kld_both_bf16_avx2
#define KLD_STATS kld_stats_bf16_avx2
#include "prob_template.h"
