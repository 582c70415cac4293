/* avx2/logits_f16.c - the avx2 logits kernels on f16 inputs (logits_template.h, div_logits_template.h). */
#include "avx2/lanes_f32.h"
#include "avx2/load_f16.h"
#define KLD_STATS_LOGITS kld_stats_logits_f16_avx2
#define KLD_BOTH_LOGITS kld_both_logits_f16_avx2
#define KLD_REF_STATS_LOGITS kld_stats_logits_f16_scalar
#include "logits_template.h"
#define KLD_DIV_LOGITS kld_div_logits_f16_avx2
#define KLD_REF_DIV_LOGITS kld_div_logits_f16_scalar
#include "div_logits_template.h"
