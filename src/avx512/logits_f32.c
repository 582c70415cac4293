/* avx512/logits_f32.c - the avx512 logits kernels on float inputs (logits_template.h). */
#include "avx512/lanes_f32.h"
#define KLD_STATS_LOGITS kld_stats_logits_f32_avx512
#define KLD_BOTH_LOGITS kld_both_logits_f32_avx512
#include "logits_template.h"
