/* test_div_logits.h - the per-path tests of Jensen-Shannon and total variation from logits. */
#ifndef KLD_TEST_DIV_LOGITS_H
#define KLD_TEST_DIV_LOGITS_H

#include "support.h"

extern const path_test div_logits_tests[];
extern const size_t div_logits_test_count;

#endif
