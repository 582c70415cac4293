/* avx512/prob_f32.c - the avx512 probability-space kernels on float inputs. */
#include "kernels.h"
#include "avx512/ops_f32.h"
#define KLD_NAME(name) name##_f32_avx512
#include "prob_template.h"
