/* avx512/prob_f64.c - the avx512 probability-space kernels on double inputs. */
#include "kernels.h"
#include "avx512/ops_f64.h"
#define KLD_NAME(name) name##_f64_avx512
#include "prob_template.h"
