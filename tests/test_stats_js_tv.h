/* test_stats_js_tv.h - the per-path tests of the fused stats + JS + TV entry points. */
#ifndef KLD_TEST_STATS_JS_TV_H
#define KLD_TEST_STATS_JS_TV_H

#include "support.h"

extern const path_test stats_js_tv_tests[];
extern const size_t stats_js_tv_test_count;

#endif
