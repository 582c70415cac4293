/* test_prob.h - the per-path tests of the probability-space kernels. */
#ifndef KLD_TEST_PROB_H
#define KLD_TEST_PROB_H

#include "support.h"

extern const path_test prob_tests[];
extern const size_t prob_test_count;

#endif
