/* neon/prob_f64.c - the neon probability-space kernels on double inputs. */
#include "kernels.h"
#include "neon/ops_f64.h"
#define KLD_NAME(name) name##_f64_neon
#include "prob_template.h"
