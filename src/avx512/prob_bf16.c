/* avx512/prob_bf16.c - the avx512 probability kernels on bf16 inputs (prob_template.h). */
#include "avx512/lanes_f32.h"
#include "avx512/load_bf16.h"
#define KLD_BOTH kld_both_bf16_avx512
#define KLD_STATS kld_stats_bf16_avx512
#include "prob_template.h"
