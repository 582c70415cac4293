/* avx2/logits_f32.c - the avx2 logits kernels (see logits_template.h). */
#include "kernels.h"
#include "avx2/ops_f32.h"
#define KLD_NAME(name) name##_f32_avx2
#include "logits_template.h"
