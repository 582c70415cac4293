/* neon/logits_f16.c - the neon logits kernels on f16 inputs (logits_template.h, div_logits_template.h). */
#include "neon/lanes_f32.h"
#include "neon/load_f16.h"
#define KLD_STATS_LOGITS kld_stats_logits_f16_neon
#define KLD_BOTH_LOGITS kld_both_logits_f16_neon
#define KLD_REF_STATS_LOGITS kld_stats_logits_f16_scalar
#include "logits_template.h"
#define KLD_DIV_LOGITS kld_div_logits_f16_neon
#define KLD_REF_DIV_LOGITS kld_div_logits_f16_scalar
#include "div_logits_template.h"
