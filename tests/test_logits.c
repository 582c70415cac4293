/* test_logits.c - the logits kernels and the rows API on every path, against a long-double
 * reference. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "support.h"
#include "test_logits.h"

/* One row through every logits entry point, against the reference at temperature t. */
static void check_row(const float *a, const float *b, size_t n, float t)
{
    exact_logits e = exact_logits_f32(a, b, n, t);
    kld_logit_stats s;
    kld_stats_logits_f32(a, b, n, t, &s);
    check_logit_stats(&s, &e, n);
    double js = kld_js_logits_f32(a, b, n, t), tv = kld_tv_logits_f32(a, b, n, t);
    if (e.nan) {
        assert_true(isnan(js) && isnan(tv));
    } else {
        check_close("js_logits", js, e.js, tol_div_f32(e.js));
        check_close("tv_logits", tv, e.tv, tol_div_f32(e.tv));
    }
    if (t == 1.0f) {
        double f, r;
        kld_both_logits_f32(a, b, n, &f, &r);
        assert_true(memcmp(&f, &s.kl.forward, sizeof f) == 0);
        assert_true(memcmp(&r, &s.kl.reverse, sizeof r) == 0);
        f = kld_forward_logits_f32(a, b, n);
        r = kld_reverse_logits_f32(a, b, n);
        assert_true(memcmp(&f, &s.kl.forward, sizeof f) == 0);
        assert_true(memcmp(&r, &s.kl.reverse, sizeof r) == 0);
    }
}

/* LLM-like logits at n = 151936, second row z + N(0, s^2) for s from 1 down to 0.01 (KL ~ 5e-5),
 * at T = 1, 0.7 and 2. */
static void logits_llm_rows(void)
{
    static const double shifts[] = {1.0, 0.3, 0.1, 0.03, 0.01};
    for (size_t j = 0; j < sizeof shifts / sizeof *shifts; j++) {
        logits l = logits_llm(4000 + j, 151936, 3.0, shifts[j], 0);
        check_row(l.a, l.b, l.n, 1.0f);
        if (j == 2) {
            check_row(l.a, l.b, l.n, 0.7f);
            check_row(l.a, l.b, l.n, 2.0f);
        }
        logits_free(&l);
    }
}

/* Heavy-tailed (Cauchy) logits, and logits offset by a constant: softmax is shift-invariant, so
 * b + 7 and a - 3 give the same KL, which the kernel must see through. */
static void logits_heavy_and_shifted(void)
{
    logits l = logits_llm(41, 32000, 2.0, 0.1, 1);
    check_row(l.a, l.b, l.n, 1.0f);
    logits_free(&l);
    l = logits_llm(42, 32000, 3.0, 0.05, 0);
    double f0 = kld_forward_logits_f32(l.a, l.b, l.n), r0 = kld_reverse_logits_f32(l.a, l.b, l.n);
    for (size_t i = 0; i < l.n; i++) {
        l.a[i] -= 3.0f;
        l.b[i] += 7.0f;
    }
    check_row(l.a, l.b, l.n, 1.0f);
    exact_logits e = exact_logits_f32(l.a, l.b, l.n, 1.0f);
    check_close("forward after shifts", f0, e.forward, 2 * tol_kl_f32(e.forward, e.abs_forward));
    check_close("reverse after shifts", r0, e.reverse, 2 * tol_kl_f32(e.reverse, e.abs_reverse));
    logits_free(&l);
}

/* Off-centre rows: every token but the top one of a moves together, so t is nearly constant away
 * from its mean (rho^2 / KL ~ 200 here) and eta + phi(rho + eta) cancels hard; the kernel must
 * recentre t (a fuzz finding: 1.1e-5 relative before). Also with a masked token, whose mass
 * enters the reverse's sums through the recentred formula, and at other temperatures. */
static void logits_off_centre(void)
{
    enum { N = 124 };
    float a[N], b[N];
    static const float bumps[] = {0.374f, 1.5f, -0.8f, 6.0f}; /* 6: far apart, recentred */
    for (size_t j = 0; j < sizeof bumps / sizeof *bumps; j++)
        for (size_t top = 0; top < N; top += 41) {
            for (size_t i = 0; i < N; i++)
                a[i] = b[i] = 1e-30f;
            a[top] = bumps[j];
            check_row(a, b, N, 0.9f);
            check_row(b, a, N, 1.0f);
            b[(top + 7) % N] = -INFINITY; /* masked in b: forward +inf, reverse finite */
            check_row(a, b, N, 1.0f);
            check_row(b, a, N, 2.0f);
        }
}

/* Masked tokens. Masked in both: the KL equals the KL over the unmasked tokens alone (computed on
 * a compacted copy). Masked in b only: forward +inf, reverse finite; in a only: the mirror. */
static void logits_masked(void)
{
    const size_t n = 5003;
    logits l = logits_llm(43, n, 3.0, 0.2, 0);
    float *ca = malloc(n * sizeof(float)), *cb = malloc(n * sizeof(float));
    assert_non_null(ca);
    assert_non_null(cb);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 3 == 0) {
            l.a[i] = l.b[i] = -INFINITY;
        } else {
            ca[m] = l.a[i];
            cb[m++] = l.b[i];
        }
    }
    check_row(l.a, l.b, n, 1.0f);
    kld_logit_stats full, compact;
    kld_stats_logits_f32(l.a, l.b, n, 1.0f, &full);
    kld_stats_logits_f32(ca, cb, m, 1.0f, &compact);
    exact_logits e = exact_logits_f32(ca, cb, m, 1.0f);
    check_close("masked vs compacted", full.kl.forward, compact.kl.forward,
                2 * tol_kl_f32(e.forward, e.abs_forward));
    check_close("masked vs compacted lse", full.lse_a, compact.lse_a, 2e-6 * fabs(compact.lse_a));

    l.b[1] = -INFINITY; /* p > 0 = q */
    check_row(l.a, l.b, n, 1.0f);
    double f, r;
    kld_both_logits_f32(l.a, l.b, n, &f, &r);
    assert_true(isinf(f) && f > 0 && isfinite(r));
    l.b[1] = 0.0f;
    l.a[2] = -INFINITY; /* q > 0 = p */
    check_row(l.a, l.b, n, 1.0f);
    kld_both_logits_f32(l.a, l.b, n, &f, &r);
    assert_true(isfinite(f) && isinf(r) && r > 0);
    free(ca);
    free(cb);
    logits_free(&l);
}

/* NaN, +inf, all-masked rows, bad temperatures and NULL give NaN rows; n = 0 and n = 1. */
static void logits_invalid(void)
{
    logits l = logits_llm(44, 100, 3.0, 0.2, 0);
    kld_logit_stats s;
    for (size_t pos = 0; pos < 100; pos += 33) {
        float keep = l.a[pos];
        l.a[pos] = NAN;
        check_row(l.a, l.b, 100, 1.0f);
        l.a[pos] = keep;
        keep = l.b[pos];
        l.b[pos] = INFINITY;
        check_row(l.a, l.b, 100, 1.0f);
        l.b[pos] = keep;
    }
    float masked[37];
    for (int i = 0; i < 37; i++)
        masked[i] = -INFINITY;
    check_row(masked, l.b, 37, 1.0f);
    check_row(l.a, masked, 37, 1.0f);
    /* 2.5e-39 and below: 1/T overflows float, so there is no scale on any path (kld.h) */
    static const float bad_t[] = {0.0f, -1.0f, NAN, INFINITY, -0.0f, 2.5e-39f, 1e-40f, 1e-45f};
    for (size_t i = 0; i < sizeof bad_t / sizeof *bad_t; i++) {
        kld_stats_logits_f32(l.a, l.b, 100, bad_t[i], &s);
        assert_true(isnan(s.kl.forward) && isnan(s.lse_a) && s.argmax_a == 100);
        double f, r;
        kld_rows_both_logits_f32(l.a, l.b, 1, 100, 100, 100, bad_t[i], &f, &r);
        assert_true(isnan(f) && isnan(r));
    }
    kld_stats_logits_f32(NULL, l.b, 100, 1.0f, &s);
    assert_true(isnan(s.kl.reverse) && isnan(s.kl.entropy_q));
    assert_true(isnan(kld_forward_logits_f32(l.a, NULL, 5)));
    kld_stats_logits_f32(NULL, NULL, 0, 1.0f, &s);
    assert_true(s.kl.forward == 0 && s.kl.entropy_p == 0 && s.lse_a == -INFINITY);
    kld_stats_logits_f32(l.a, l.b, 1, 1.0f, &s); /* one token: P = Q = (1) */
    assert_true(s.kl.forward == 0 && s.kl.reverse == 0 && s.kl.entropy_p == 0);
    assert_true(s.lse_a == l.a[0] && s.lse_b == l.b[0] && s.argmax_a == 0);
    kld_stats_logits_f32(l.a, l.b, 10, 1.0f, NULL); /* nothing to write: no crash */
    logits_free(&l);
}

/* Logits no model produces, but a caller may pass: near the float range, and moderate logits at a
 * tiny temperature. They must still be right (the kernel hands them to its double-precision
 * reference), not NaN or overflowed. */
static void logits_extreme(void)
{
    logits l = logits_llm(49, 300, 1.0, 0.5, 0);
    for (size_t i = 0; i < l.n; i += 7) {
        l.a[i] = i % 2 ? 3e38f : -3e38f;
        l.b[i] = i % 3 ? -3e38f : 2e38f;
    }
    check_row(l.a, l.b, l.n, 1.0f);
    logits_free(&l);
    l = logits_llm(50, 300, 1e4, 1.0, 0);
    check_row(l.a, l.b, l.n, 1e-4f);
    check_row(l.a, l.b, l.n, 3e-39f); /* the smallest kind of T with a float 1/T (kld.h) */
    logits_free(&l);
    l = logits_llm(51, 40, 0.0, 0.0, 0); /* all logits 0: span 0, so no route to the reference */
    check_row(l.a, l.b, l.n, 3e-39f);
    logits_free(&l);
}

/* argmax: the lowest index among equal maxima, in the body and in the tail. */
static void logits_argmax_ties(void)
{
    logits l = logits_llm(45, 77, 1.0, 0.1, 0);
    l.a[70] = l.a[5] = 9.0f;
    l.b[76] = l.b[75] = 9.0f;
    kld_logit_stats s;
    kld_stats_logits_f32(l.a, l.b, 77, 1.0f, &s);
    assert_int_equal(s.argmax_a, 5);
    assert_int_equal(s.argmax_b, 75);
    check_row(l.a, l.b, 77, 1.0f);
    logits_free(&l);
}

/* Every n from 0 to 80, and every misalignment, at two temperatures. */
static void logits_lengths_and_offsets(void)
{
    for (size_t n = 0; n <= 80; n++) {
        logits l = logits_llm(5000 + n, n, 3.0, 0.5, 0);
        check_row(l.a, l.b, n, 1.0f);
        check_row(l.a, l.b, n, 1.5f);
        logits_free(&l);
    }
    logits l = logits_llm(46, 1016, 3.0, 0.3, 0);
    for (size_t off = 1; off <= 15; off++)
        check_row(l.a + off, l.b + off, 1000, 1.0f);
    logits_free(&l);
}

/* Rows with ld > n give exactly the single-row results; ld < n and NULL give NaN rows; NULL
 * output arrays are skipped; rows == 0 writes nothing. */
static void rows_equal_single(void)
{
    enum { ROWS = 5, N = 1000, LDP = 1003, LDQ = 1010 };
    rows r = rows_llm(47, ROWS * LDQ, 3.0, 0.3, 0);
    logits l = logits_llm(48, ROWS * LDQ, 3.0, 0.3, 0);
    double f[ROWS], b[ROWS];
    kld_stats st[ROWS];
    kld_logit_stats ls[ROWS];
    kld_rows_both_f32(r.p32, r.q32, ROWS, N, LDP, LDQ, f, b);
    kld_rows_stats_f32(r.p32, r.q32, ROWS, N, LDP, LDQ, st);
    for (size_t k = 0; k < ROWS; k++) {
        double f1, b1;
        kld_stats s1;
        kld_both_f32(r.p32 + k * LDP, r.q32 + k * LDQ, N, &f1, &b1);
        kld_stats_f32(r.p32 + k * LDP, r.q32 + k * LDQ, N, &s1);
        assert_true(memcmp(&f1, &f[k], sizeof f1) == 0 && memcmp(&b1, &b[k], sizeof b1) == 0);
        assert_true(memcmp(&s1, &st[k], sizeof s1) == 0);
    }
    kld_rows_both_logits_f32(l.a, l.b, ROWS, N, LDP, LDQ, 0.8f, f, b);
    kld_rows_stats_logits_f32(l.a, l.b, ROWS, N, LDP, LDQ, 0.8f, ls);
    for (size_t k = 0; k < ROWS; k++) {
        kld_logit_stats s1;
        kld_stats_logits_f32(l.a + k * LDP, l.b + k * LDQ, N, 0.8f, &s1);
        assert_true(memcmp(&s1, &ls[k], sizeof s1) == 0);
        assert_true(memcmp(&s1.kl.forward, &f[k], sizeof f[k]) == 0);
        assert_true(memcmp(&s1.kl.reverse, &b[k], sizeof b[k]) == 0);
        check_row(l.a + k * LDP, l.b + k * LDQ, N, 0.8f);
    }
    kld_rows_both_f32(r.p32, r.q32, ROWS, N, N - 1, LDQ, f, NULL); /* ld < n */
    assert_true(isnan(f[0]) && isnan(f[ROWS - 1]));
    kld_rows_stats_logits_f32(l.a, NULL, 2, N, LDP, LDQ, 1.0f, ls);
    assert_true(isnan(ls[0].kl.forward) && isnan(ls[1].lse_b) && ls[1].argmax_a == N);
    kld_rows_both_logits_f32(l.a, l.b, 2, N, LDP, LDQ, 0.0f, f, b); /* no temperature */
    assert_true(isnan(f[0]) && isnan(b[1]));
    kld_rows_both_logits_f32(l.a, l.b, 1, N, 0, 0, 1.0f, NULL, b); /* one row: ld unused */
    check_close("one row, ld 0", b[0], (long double)kld_reverse_logits_f32(l.a, l.b, N), 0);
    f[0] = 42.0;
    kld_rows_both_f32(r.p32, r.q32, 0, N, LDP, LDQ, f, b);
    assert_true(f[0] == 42.0);
    rows_free(&r);
    logits_free(&l);
}

const path_test logits_tests[] = {
    {"logits_off_centre", logits_off_centre},
    {"logits_llm_rows", logits_llm_rows},
    {"logits_heavy_and_shifted", logits_heavy_and_shifted},
    {"logits_masked", logits_masked},
    {"logits_invalid", logits_invalid},
    {"logits_extreme", logits_extreme},
    {"logits_argmax_ties", logits_argmax_ties},
    {"logits_lengths_and_offsets", logits_lengths_and_offsets},
    {"rows_equal_single", rows_equal_single},
};
const size_t logits_test_count = sizeof logits_tests / sizeof *logits_tests;
