/* neon/logits_f32.c - the neon logits kernels on float inputs (logits_template.h, div_logits_template.h). */
#include "neon/lanes_f32.h"
#include "load_native.h"
#define KLD_STATS_LOGITS kld_stats_logits_f32_neon
#define KLD_BOTH_LOGITS kld_both_logits_f32_neon
#define KLD_REF_STATS_LOGITS kld_stats_logits_f32_scalar
#include "logits_template.h"
#define KLD_DIV_LOGITS kld_div_logits_f32_neon
#define KLD_REF_DIV_LOGITS kld_div_logits_f32_scalar
#include "div_logits_template.h"
