/* scalar/logits_bf16.c - the reference logits kernels on bf16 inputs (logits_ref_template.h). */
#include "scalar/load_bf16.h"
#define KLD_STATS_LOGITS kld_stats_logits_bf16_scalar
#define KLD_BOTH_LOGITS kld_both_logits_bf16_scalar
#define KLD_DIV_LOGITS kld_div_logits_bf16_scalar
#include "logits_ref_template.h"
