/* test_logits.h - the per-path tests of the logits kernels and the rows API. */
#ifndef KLD_TEST_LOGITS_H
#define KLD_TEST_LOGITS_H

#include "support.h"

extern const path_test logits_tests[];
extern const size_t logits_test_count;

#endif
