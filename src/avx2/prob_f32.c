/* avx2/prob_f32.c - the avx2 probability-space kernels on float inputs. */
#include "kernels.h"
#include "avx2/ops_f32.h"
#define KLD_NAME(name) name##_f32_avx2
#include "prob_template.h"
