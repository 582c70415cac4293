/* neon/prob_f32.c - the neon probability-space kernels on float inputs. */
#include "kernels.h"
#include "neon/ops_f32.h"
#define KLD_NAME(name) name##_f32_neon
#include "prob_template.h"
