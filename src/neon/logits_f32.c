/* neon/logits_f32.c - the neon logits kernels (see logits_template.h). */
#include "kernels.h"
#include "neon/ops_f32.h"
#define KLD_NAME(name) name##_f32_neon
#include "logits_template.h"
