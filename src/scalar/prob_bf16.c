/* scalar/prob_bf16.c - the reference probability kernels on bf16 inputs (ref_template.h). */
#include "scalar/load_bf16.h"
#define KLD_BOTH kld_both_bf16_scalar
#define KLD_STATS kld_stats_bf16_scalar
#include "ref_template.h"
