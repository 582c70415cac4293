/* avx512/logits_bf16.c - the avx512 logits kernels on bf16 inputs (logits_template.h, div_logits_template.h). */
#include "avx512/lanes_f32.h"
#include "avx512/load_bf16.h"
#define KLD_STATS_LOGITS kld_stats_logits_bf16_avx512
#define KLD_BOTH_LOGITS kld_both_logits_bf16_avx512
#define KLD_REF_STATS_LOGITS kld_stats_logits_bf16_scalar
#include "logits_template.h"
#define KLD_DIV_LOGITS kld_div_logits_bf16_avx512
#define KLD_REF_DIV_LOGITS kld_div_logits_bf16_scalar
#include "div_logits_template.h"
