/* neon/prob_f32.c - the neon probability kernels on float inputs (prob_template.h). */
#include "neon/lanes_f32.h"
#include "load_native.h"
#define KLD_BOTH kld_both_f32_neon
#define KLD_STATS kld_stats_f32_neon
#include "prob_template.h"
