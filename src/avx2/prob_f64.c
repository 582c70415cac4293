/* avx2/prob_f64.c - the avx2 probability-space kernels on double inputs. */
#include "kernels.h"
#include "avx2/ops_f64.h"
#define KLD_NAME(name) name##_f64_avx2
#include "prob_template.h"
