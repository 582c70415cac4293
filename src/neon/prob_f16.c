/* neon/prob_f16.c - the neon probability kernels on f16 inputs (prob_template.h). */
#include "neon/lanes_f32.h"
#include "neon/load_f16.h"
#define KLD_BOTH kld_both_f16_neon
#define KLD_STATS kld_stats_f16_neon
#include "prob_template.h"
