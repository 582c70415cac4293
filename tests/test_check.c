/* test_check.c - kld_check_* on each kind of bad input, and kld_status_str. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kld.h"
#include "test_check.h"

#define EXPECT_CHECK(fn, arr, n, tol, status, index)                                             \
    do {                                                                                         \
        size_t bad = 12345;                                                                      \
        assert_int_equal(fn(arr, n, tol, &bad), status);                                         \
        assert_int_equal(bad, index);                                                            \
    } while (0)

static void check_f32_kinds(void **state)
{
    (void)state;
    float p[] = {0.25f, 0.25f, 0.25f, 0.25f};
    size_t untouched = 12345;
    EXPECT_CHECK(kld_check_f32, p, 4, 1e-6, KLD_OK, untouched);
    EXPECT_CHECK(kld_check_f32, NULL, 4, 1e-6, KLD_E_NULL, untouched);
    EXPECT_CHECK(kld_check_f32, p, 3, 1e-6, KLD_E_NOT_NORMALIZED, 3);
    EXPECT_CHECK(kld_check_f32, p, 3, 0.25, KLD_OK, untouched);
    EXPECT_CHECK(kld_check_f32, p, 3, INFINITY, KLD_OK, untouched);
    EXPECT_CHECK(kld_check_f32, p, 4, -1.0, KLD_E_ARG, 4);
    EXPECT_CHECK(kld_check_f32, p, 4, NAN, KLD_E_ARG, 4);
    EXPECT_CHECK(kld_check_f32, p, 0, 1e-6, KLD_E_NOT_NORMALIZED, 0); /* empty is not a distribution */
    p[2] = -0.0f; /* negative zero is zero, not negative */
    EXPECT_CHECK(kld_check_f32, p, 4, 0.3, KLD_OK, untouched);
    p[2] = -1e-30f;
    EXPECT_CHECK(kld_check_f32, p, 4, 1e-6, KLD_E_NEGATIVE, 2);
    p[1] = NAN; /* the first bad element wins */
    EXPECT_CHECK(kld_check_f32, p, 4, 1e-6, KLD_E_NAN, 1);
    p[0] = -INFINITY;
    EXPECT_CHECK(kld_check_f32, p, 4, 1e-6, KLD_E_INF, 0);
    assert_int_equal(kld_check_f32(p, 4, 1e-6, NULL), KLD_E_INF); /* bad_index may be NULL */
}

static void check_f64_kinds(void **state)
{
    (void)state;
    double p[] = {0.5, 0.5 - 1e-12, 1e-300};
    size_t untouched = 12345;
    EXPECT_CHECK(kld_check_f64, p, 3, 1e-11, KLD_OK, untouched);
    EXPECT_CHECK(kld_check_f64, p, 3, 1e-13, KLD_E_NOT_NORMALIZED, 3);
    p[2] = INFINITY;
    EXPECT_CHECK(kld_check_f64, p, 3, 1e-6, KLD_E_INF, 2);
    p[1] = -DBL_MIN;
    EXPECT_CHECK(kld_check_f64, p, 3, 1e-6, KLD_E_NEGATIVE, 1);
    p[0] = NAN;
    EXPECT_CHECK(kld_check_f64, p, 3, 1e-6, KLD_E_NAN, 0);
    double big[] = {DBL_MAX, DBL_MAX}; /* the sum overflows: not normalised, not a crash */
    EXPECT_CHECK(kld_check_f64, big, 2, 1e-6, KLD_E_NOT_NORMALIZED, 2);
}

/* f16 and bf16: their bits, checked on their exact values (0x3800 is 0.5 in f16, 0x3f00 in
 * bf16; 0x3400 and 0x3e80 are 0.25). */
static void check_half_kinds(void **state)
{
    (void)state;
    uint16_t h[] = {0x3800, 0x3400, 0x3400}, b[] = {0x3f00, 0x3e80, 0x3e80};
    size_t untouched = 12345;
    EXPECT_CHECK(kld_check_f16, h, 3, 0.0, KLD_OK, untouched);
    EXPECT_CHECK(kld_check_bf16, b, 3, 0.0, KLD_OK, untouched);
    EXPECT_CHECK(kld_check_f16, h, 2, 0.2, KLD_E_NOT_NORMALIZED, 2);
    EXPECT_CHECK(kld_check_bf16, NULL, 2, 0.2, KLD_E_NULL, untouched);
    h[1] = 0x8001; /* the smallest negative subnormal */
    b[2] = 0x7fc0; /* NaN */
    EXPECT_CHECK(kld_check_f16, h, 3, 1e-3, KLD_E_NEGATIVE, 1);
    EXPECT_CHECK(kld_check_bf16, b, 3, 1e-3, KLD_E_NAN, 2);
    h[0] = 0x7c00; /* +inf */
    b[0] = 0xff80; /* -inf */
    EXPECT_CHECK(kld_check_f16, h, 3, 1e-3, KLD_E_INF, 0);
    EXPECT_CHECK(kld_check_bf16, b, 3, 1e-3, KLD_E_INF, 0);
}

static void status_strings(void **state)
{
    (void)state;
    const kld_status all[] = {KLD_OK,         KLD_E_NULL,           KLD_E_NAN, KLD_E_INF,
                              KLD_E_NEGATIVE, KLD_E_NOT_NORMALIZED, KLD_E_ARG};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(kld_status_str(all[i]), kld_status_str(all[j]));
    assert_string_equal(kld_status_str((kld_status)99), "unknown status");
}

const struct CMUnitTest check_tests[] = {
    cmocka_unit_test(check_f32_kinds),
    cmocka_unit_test(check_f64_kinds),
    cmocka_unit_test(check_half_kinds),
    cmocka_unit_test(status_strings),
};
const size_t check_test_count = sizeof check_tests / sizeof *check_tests;
