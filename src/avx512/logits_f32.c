/* avx512/logits_f32.c - the avx512 logits kernels (see logits_template.h). */
#include "kernels.h"
#include "avx512/ops_f32.h"
#define KLD_NAME(name) name##_f32_avx512
#include "logits_template.h"
