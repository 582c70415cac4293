/* test_half.h - the per-path tests of the f16 and bf16 kernels. */
#ifndef KLD_TEST_HALF_H
#define KLD_TEST_HALF_H

#include "support.h"

extern const path_test half_tests[];
extern const size_t half_test_count;

#endif
