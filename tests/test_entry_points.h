/* test_entry_points.h - the per-path test of every entry point in src/kernel_list.h. */
#ifndef KLD_TEST_ENTRY_POINTS_H
#define KLD_TEST_ENTRY_POINTS_H

#include "support.h"

extern const path_test entry_point_tests[];
extern const size_t entry_point_test_count;

#endif
