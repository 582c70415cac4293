/* test_div_logits.c - Jensen-Shannon and total variation from logits on every path, where they
 * differ from the KL kernels: close distributions at every short length (where the softmax
 * constant's float rounding would move the TV), one token moved (where the correction must run
 * its pass again), the conventions, rows, and f16/bf16. Every logits test of test_logits.c also
 * checks both against the long-double reference (check_row). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "support.h"
#include "test_div_logits.h"

static void check_div_logits(const float *a, const float *b, size_t n, float t)
{
    exact_logits e = exact_logits_f32(a, b, n, t);
    check_close("js_logits", kld_js_logits_f32(a, b, n, t), e.js, tol_div_f32(e.js));
    check_close("tv_logits", kld_tv_logits_f32(a, b, n, t), e.tv, tol_div_f32(e.tv));
}

/* Close rows (TV ~ 1e-3 to 1e-5) at every n below two AVX-512 vectors and beyond, at two
 * temperatures: A and B come from a few float exps here, whose rounding moves log(B/A) by up to
 * ~1e-7, relative 1e-2 of such a TV unless the kernel corrects it. */
static void div_logits_close_rows(void)
{
    static const double shifts[] = {1e-2, 1e-3, 1e-4};
    for (size_t j = 0; j < sizeof shifts / sizeof *shifts; j++)
        for (size_t n = 1; n <= 80; n++) {
            logits l = logits_llm(7000 + 100 * j + n, n, 3.0, shifts[j], 0);
            check_div_logits(l.a, l.b, n, 1.0f);
            check_div_logits(l.a, l.b, n, 0.7f);
            logits_free(&l);
        }
    logits l = logits_llm(7400, 32000, 3.0, 1e-3, 0);
    check_div_logits(l.a, l.b, l.n, 1.0f);
    logits_free(&l);
}

/* b = a + c + noise: logits against log-probabilities (c = -log sum e^b, ~ -14 for an LLM row)
 * or two models whose logits differ by a constant. Every pair then differs by ~c, and b - a in
 * float is off by ~ulp(c) unless the kernels form it exactly: 1.6e-5 of a TV of 4e-3 at c = 14
 * and 1.8e-4 at c = 30 before they did. KL, JS and TV against the exact values. */
static void div_logits_offset_rows(void)
{
    static const float offsets[] = {-14.0f, 30.0f, -100.0f};
    static const size_t lengths[] = {1, 17, 1000, 32000};
    for (size_t j = 0; j < sizeof offsets / sizeof *offsets; j++)
        for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++) {
            logits l = logits_llm(7700 + 10 * j + i, lengths[i], 3.0, 1e-2, 0);
            for (size_t k = 0; k < l.n; k++)
                l.b[k] += offsets[j];
            check_div_logits(l.a, l.b, l.n, 1.0f);
            check_div_logits(l.b, l.a, l.n, 0.7f);
            exact_logits e = exact_logits_f32(l.a, l.b, l.n, 1.0f);
            kld_logit_stats s;
            kld_stats_logits_f32(l.a, l.b, l.n, 1.0f, &s);
            if (l.n > 1) {
                check_logit_stats(&s, &e, l.n);
            } else { /* P = Q = (1): the entropies' relative tiers would ask 0 exactly */
                check_close("forward", s.kl.forward, 0, tol_kl_f32(0, 0));
                check_close("reverse", s.kl.reverse, 0, tol_kl_f32(0, 0));
            }
            logits_free(&l);
        }
}

/* b = a but one token: every other token has the same small log-ratio -c. When c is as small
 * as the rounding of A and B (a few ulps moved, at n = 2 and 3), tokens are within the kernel's
 * first-order correction's reach of a sign flip, and the terms pass must run again. */
static void div_logits_one_token(void)
{
    for (size_t n = 2; n <= 3; n++)
        for (int ulps = 1; ulps <= 8; ulps *= 2) {
            float a[3] = {0.3f, -1.1f, 0.7f}, b[3] = {0.3f, -1.1f, 0.7f};
            for (int k = 0; k < ulps; k++)
                b[1] = nextafterf(b[1], 1.0f);
            check_div_logits(a, b, n, 1.0f);
            check_div_logits(b, a, n, 1.0f);
        }
    static const size_t lengths[] = {33, 1000};
    static const float moves[] = {1e-3f, 1e-2f, -0.5f};
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 3; j++) {
            logits l = logits_llm(7500 + i, lengths[i], 2.0, 0.0, 0);
            l.b[lengths[i] / 3] += moves[j];
            check_div_logits(l.a, l.b, l.n, 1.0f);
            check_div_logits(l.b, l.a, l.n, 1.3f);
            logits_free(&l);
        }
}

/* By hand: P = (1/2, 1/2), Q = (1, 0) (the second token masked in b): M = (3/4, 1/4),
 * JS = (KL(P||M) + KL(Q||M))/2 = ((log(2/3) + log 2)/2 + log(4/3))/2, TV = 1/2; a token masked
 * on both sides changes nothing. NaN, +inf, all -inf, bad temperatures, NULL: NaN; n = 0: 0. */
static void div_logits_conventions(void)
{
    const float a[] = {0.0f, 0.0f, -INFINITY}, b[] = {5.0f, -INFINITY, -INFINITY};
    long double js = ((logl(2.0L / 3) + logl(2.0L)) / 2 + logl(4.0L / 3)) / 2;
    check_close("js masked in b", kld_js_logits_f32(a, b, 3, 1.0f), js, 1e-6 * js);
    check_close("js masked in a", kld_js_logits_f32(b, a, 3, 1.0f), js, 1e-6 * js);
    check_close("tv masked in b", kld_tv_logits_f32(a, b, 3, 1.0f), 0.5L, 1e-7);
    check_close("tv masked in a", kld_tv_logits_f32(b, a, 3, 0.5f), 0.5L, 1e-7);
    const float c[] = {1.0f, NAN, 2.0f}, d[] = {1.0f, INFINITY, 2.0f},
                m[] = {-INFINITY, -INFINITY, -INFINITY};
    const float *bad[] = {c, d, m};
    for (size_t i = 0; i < 3; i++) {
        assert_true(isnan(kld_js_logits_f32(bad[i], a, 3, 1.0f)));
        assert_true(isnan(kld_tv_logits_f32(a, bad[i], 3, 1.0f)));
    }
    static const float bad_t[] = {0.0f, -1.0f, NAN, INFINITY, 1e-40f};
    for (size_t i = 0; i < sizeof bad_t / sizeof *bad_t; i++)
        assert_true(isnan(kld_js_logits_f32(a, b, 3, bad_t[i])) &&
                    isnan(kld_tv_logits_f32(a, b, 3, bad_t[i])));
    assert_true(isnan(kld_js_logits_f32(NULL, b, 3, 1.0f)) &&
                isnan(kld_tv_logits_f16(NULL, NULL, 3, 1.0f)));
    assert_true(kld_js_logits_bf16(NULL, NULL, 0, 1.0f) == 0 &&
                kld_tv_logits_f32(NULL, NULL, 0, 1.0f) == 0);
    assert_true(kld_js_logits_f32(a, b, 1, 1.0f) == 0 && kld_tv_logits_f32(a, b, 1, 1.0f) == 0);
}

/* Rows equal the single-row calls bit for bit; ld < n and NULL give NaN rows; a NULL output is
 * skipped. (test_half.c checks that f16 and bf16 give the f32 kernels' bits.) */
static void div_logits_rows(void)
{
    enum { ROWS = 4, N = 700, LDA = 703, LDB = 710 };
    logits l = logits_llm(7600, ROWS * LDB, 3.0, 0.2, 0);
    double js[ROWS], tv[ROWS];
    kld_rows_js_logits_f32(l.a, l.b, ROWS, N, LDA, LDB, 0.9f, js);
    kld_rows_tv_logits_f32(l.a, l.b, ROWS, N, LDA, LDB, 0.9f, tv);
    for (size_t r = 0; r < ROWS; r++) {
        double j1 = kld_js_logits_f32(l.a + r * LDA, l.b + r * LDB, N, 0.9f);
        double t1 = kld_tv_logits_f32(l.a + r * LDA, l.b + r * LDB, N, 0.9f);
        assert_memory_equal(&j1, &js[r], sizeof j1);
        assert_memory_equal(&t1, &tv[r], sizeof t1);
    }
    kld_rows_tv_logits_f32(l.a, l.b, ROWS, N, N - 1, LDB, 1.0f, tv);
    assert_true(isnan(tv[0]) && isnan(tv[ROWS - 1]));
    kld_rows_js_logits_f32(l.a, l.b, ROWS, N, LDA, LDB, 1.0f, NULL);

    uint16_t h[2 * N] = {0};
    kld_rows_js_logits_bf16(NULL, h, 2, N, N, N, 1.0f, js);
    kld_rows_tv_logits_f16(h, h, 2, N, N - 1, N, 1.0f, tv);
    assert_true(isnan(js[0]) && isnan(tv[1]));
    kld_rows_tv_logits_bf16(h, h, 2, N, N, N, 1.0f, tv); /* all logits 0: P = Q */
    assert_true(tv[0] == 0 && tv[1] == 0);
    logits_free(&l);
}

/* Every JS and TV rows entry point from logits, three rows with lda, ldb > n: each row equals its
 * own single-row call bit for bit. The f16 rows read the bf16 bits (finite, moderate values). */
typedef void (*rows_logits_u16_fn)(const uint16_t *, const uint16_t *, size_t, size_t, size_t,
                                   size_t, float, double *);

static void div_logits_rows_every_entry(void)
{
    enum { ROWS = 3, N = 500, LDA = 503, LDB = 509 };
    logits l = logits_llm(7601, ROWS * LDB, 3.0, 0.2, 0);
    uint16_t ha[ROWS * LDA], hb[ROWS * LDB];
    for (size_t i = 0; i < ROWS * LDB; i++) { /* bf16 by truncation */
        uint32_t bits;
        memcpy(&bits, &l.b[i], 4);
        hb[i] = (uint16_t)(bits >> 16);
        if (i < ROWS * LDA) {
            memcpy(&bits, &l.a[i], 4);
            ha[i] = (uint16_t)(bits >> 16);
        }
    }
    double out[ROWS], one;
    for (int tv = 0; tv < 2; tv++) {
        (tv ? kld_rows_tv_logits_f32 : kld_rows_js_logits_f32)(l.a, l.b, ROWS, N, LDA, LDB, 0.8f,
                                                                out);
        for (size_t i = 0; i < ROWS; i++) {
            one = (tv ? kld_tv_logits_f32 : kld_js_logits_f32)(l.a + i * LDA, l.b + i * LDB, N,
                                                                0.8f);
            assert_true(one > 0 && memcmp(&one, &out[i], sizeof one) == 0);
        }
    }
    const struct {
        rows_logits_u16_fn rows;
        double (*one)(const uint16_t *, const uint16_t *, size_t, float);
    } u16[] = {{kld_rows_js_logits_f16, kld_js_logits_f16},
               {kld_rows_tv_logits_f16, kld_tv_logits_f16},
               {kld_rows_js_logits_bf16, kld_js_logits_bf16},
               {kld_rows_tv_logits_bf16, kld_tv_logits_bf16}};
    for (size_t k = 0; k < 4; k++) {
        u16[k].rows(ha, hb, ROWS, N, LDA, LDB, 0.8f, out);
        for (size_t i = 0; i < ROWS; i++) {
            one = u16[k].one(ha + i * LDA, hb + i * LDB, N, 0.8f);
            assert_true(one > 0 && memcmp(&one, &out[i], sizeof one) == 0);
        }
    }
    logits_free(&l);
}

const path_test div_logits_tests[] = {
    {"div_logits_close_rows", div_logits_close_rows},
    {"div_logits_offset_rows", div_logits_offset_rows},
    {"div_logits_one_token", div_logits_one_token},
    {"div_logits_conventions", div_logits_conventions},
    {"div_logits_rows", div_logits_rows},
    {"div_logits_rows_every_entry", div_logits_rows_every_entry},
};
const size_t div_logits_test_count = sizeof div_logits_tests / sizeof *div_logits_tests;
