/* scalar/prob_f32.c - the reference probability kernels on float inputs (ref_template.h). */
#include "scalar/load_f32.h"
#define KLD_BOTH kld_both_f32_scalar
#define KLD_STATS kld_stats_f32_scalar
#include "ref_template.h"
