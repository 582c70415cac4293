/* neon/prob_f64.c - the neon probability kernels on double inputs (prob_template.h). */
#include "neon/lanes_f64.h"
#include "load_native.h"
#define KLD_BOTH kld_both_f64_neon
#define KLD_STATS kld_stats_f64_neon
#include "prob_template.h"
