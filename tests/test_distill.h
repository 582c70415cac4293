/* test_distill.h - the per-path tests of the distillation kernels (kld_distill_*). */
#ifndef KLD_TEST_DISTILL_H
#define KLD_TEST_DISTILL_H

#include "support.h"

extern const path_test distill_tests[];
extern const size_t distill_test_count;

#endif
