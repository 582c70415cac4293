/* test_check.h - the path-independent tests of kld_check_* and kld_status_str. */
#ifndef KLD_TEST_CHECK_H
#define KLD_TEST_CHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

extern const struct CMUnitTest check_tests[];
extern const size_t check_test_count;

#endif
