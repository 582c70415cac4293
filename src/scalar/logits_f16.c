/* scalar/logits_f16.c - the reference logits kernels on f16 inputs (logits_ref_template.h). */
#include "scalar/load_f16.h"
#define KLD_STATS_LOGITS kld_stats_logits_f16_scalar
#define KLD_BOTH_LOGITS kld_both_logits_f16_scalar
#define KLD_DIV_LOGITS kld_div_logits_f16_scalar
#include "logits_ref_template.h"
