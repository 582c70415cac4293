/* scalar/logits_f32.c - the reference logits kernels on float inputs (logits_ref_template.h). */
#include "scalar/load_f32.h"
#define KLD_STATS_LOGITS kld_stats_logits_f32_scalar
#define KLD_BOTH_LOGITS kld_both_logits_f32_scalar
#define KLD_DIV_LOGITS kld_div_logits_f32_scalar
#include "logits_ref_template.h"
