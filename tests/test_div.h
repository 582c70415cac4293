/* test_div.h - the per-path tests of the Jensen-Shannon and total variation kernels. */
#ifndef KLD_TEST_DIV_H
#define KLD_TEST_DIV_H

#include "support.h"

extern const path_test div_tests[];
extern const size_t div_test_count;

#endif
