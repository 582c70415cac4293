/* test_guard.h - the per-path guard-page test. */
#ifndef KLD_TEST_GUARD_H
#define KLD_TEST_GUARD_H

#include "support.h"

extern const path_test guard_tests[];
extern const size_t guard_test_count;

#endif
