/* test_prob.c - the probability-space kernels on every path, against a long-double reference. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "support.h"
#include "test_prob.h"

/* The classic example, P = (0.5, 0.3, 0.2), Q = (0.6, 0.2, 0.2). By hand:
 *   KL(P||Q) = 0.5 ln(5/6) + 0.3 ln(3/2)        = 0.030478754035472001...
 *   KL(Q||P) = 0.6 ln(6/5) - 0.2 ln(3/2)        = 0.028299912454739899...
 *   H(P) = 1.0296530140645735..., H(Q) = 0.95027053923323456...
 * (40-digit decimal evaluation). The "0.147 both ways" that circulates is wrong by 5x, and the two
 * directions differ. */
static void classic_f64(void)
{
    const double p[] = {0.5, 0.3, 0.2}, q[] = {0.6, 0.2, 0.2};
    const long double fwd = 0.030478754035472001487544922L, rev = 0.028299912454739899331428192L;
    check_close("forward", kld_forward_f64(p, q, 3), fwd, 4e-17);
    check_close("reverse", kld_reverse_f64(p, q, 3), rev, 4e-17);
    kld_stats s;
    kld_stats_f64(p, q, 3, &s);
    check_close("forward", s.forward, fwd, 4e-17);
    check_close("reverse", s.reverse, rev, 4e-17);
    check_close("entropy_p", s.entropy_p, 1.0296530140645735274155918L, 1e-15);
    check_close("entropy_q", s.entropy_q, 0.9502705392332345597636122L, 1e-15);
    check_close("cross_pq", s.cross_pq, 1.0601317681000455289031367L, 1e-15);
    check_close("cross_qp", s.cross_qp, 0.9785704516879744590950404L, 1e-15);
}

/* The same in float: 0.3, 0.6 and 0.2 round to nearby floats, so the answer moves by ~1e-8;
 * compare with the exact value of the float inputs, and loosely with the decimal one. */
static void classic_f32(void)
{
    const float p[] = {0.5f, 0.3f, 0.2f}, q[] = {0.6f, 0.2f, 0.2f};
    exact e = exact_f32(p, q, 3);
    double f, r;
    kld_both_f32(p, q, 3, &f, &r);
    check_close("forward", f, e.forward, tol_kl_f32(e.forward, e.abs_forward));
    check_close("reverse", r, e.reverse, tol_kl_f32(e.reverse, e.abs_reverse));
    check_close("forward vs decimal", f, 0.030478754035472001L, 1e-7);
    check_close("reverse vs decimal", r, 0.028299912454739899L, 1e-7);
}

/* reverse(p, q) is forward(q, p); p == p gives exactly 0; cross = entropy + KL. */
static void identities(void)
{
    rows r = rows_llm(11, 5000, 3.0, 0.5, 0);
    exact e = exact_f32(r.p32, r.q32, r.n);
    double tol = tol_kl_f32(e.forward, e.abs_forward);
    check_close("reverse(q,p) vs forward(p,q)", kld_reverse_f32(r.q32, r.p32, r.n),
                kld_forward_f32(r.p32, r.q32, r.n), 2 * tol);
    double f, b;
    kld_both_f32(r.p32, r.p32, r.n, &f, &b);
    assert_true(f == 0.0 && b == 0.0);
    kld_stats s;
    kld_stats_f64(r.p64, r.p64, r.n, &s);
    assert_true(s.forward == 0.0 && s.reverse == 0.0);
    kld_stats_f32(r.p32, r.q32, r.n, &s);
    check_close("cross_pq vs entropy_p + forward", s.cross_pq, (long double)s.entropy_p + s.forward,
                tol_entropy_f32(e.cross_pq) * 2);
    check_close("cross_qp vs entropy_q + reverse", s.cross_qp, (long double)s.entropy_q + s.reverse,
                tol_entropy_f32(e.cross_qp) * 2);
    rows_free(&r);
}

/* Runs every kernel of both element types on p[0..n), q[0..n) against their exact sums. */
static void check_kernels(const float *p32, const float *q32, const double *p64,
                          const double *q64, size_t n, const exact *e32, const exact *e64)
{
    exact e = *e32;
    double f, r;
    kld_both_f32(p32, q32, n, &f, &r);
    check_close("both_f32.forward", f, e.forward, tol_kl_f32(e.forward, e.abs_forward));
    check_close("both_f32.reverse", r, e.reverse, tol_kl_f32(e.reverse, e.abs_reverse));
    check_close("forward_f32", kld_forward_f32(p32, q32, n), e.forward,
                tol_kl_f32(e.forward, e.abs_forward));
    check_close("reverse_f32", kld_reverse_f32(p32, q32, n), e.reverse,
                tol_kl_f32(e.reverse, e.abs_reverse));
    kld_stats s;
    kld_stats_f32(p32, q32, n, &s);
    check_stats_f32(&s, &e);

    e = *e64;
    kld_both_f64(p64, q64, n, &f, &r);
    check_close("both_f64.forward", f, e.forward, tol_kl_f64(e.forward, e.abs_forward));
    check_close("both_f64.reverse", r, e.reverse, tol_kl_f64(e.reverse, e.abs_reverse));
    check_close("forward_f64", kld_forward_f64(p64, q64, n), e.forward,
                tol_kl_f64(e.forward, e.abs_forward));
    check_close("reverse_f64", kld_reverse_f64(p64, q64, n), e.reverse,
                tol_kl_f64(e.reverse, e.abs_reverse));
    kld_stats_f64(p64, q64, n, &s);
    check_stats_f64(&s, &e);
}

static void check_all_kernels(const float *p32, const float *q32, const double *p64,
                              const double *q64, size_t n)
{
    exact e32 = exact_f32(p32, q32, n), e64 = exact_f64(p64, q64, n);
    check_kernels(p32, q32, p64, q64, n, &e32, &e64);
}

static void check_dataset(const dataset *d)
{
    check_kernels(d->r.p32, d->r.q32, d->r.p64, d->r.q64, d->r.n, &d->e32, &d->e64);
}

/* Every n from 0 to 80 covers every tail length of every vector width, and the empty input. */
static void lengths_0_to_80(void)
{
    for (size_t n = 0; n <= 80; n++) {
        rows r = rows_llm(100 + n, n, 3.0, 0.7, 0);
        check_all_kernels(r.p32, r.q32, r.p64, r.q64, n);
        rows_free(&r);
    }
}

/* Offsets of 1..15 elements from a malloc'd (16-byte aligned) base: every misalignment. */
static void misaligned(void)
{
    const size_t n = 1000;
    rows r = rows_llm(7, n + 16, 3.0, 0.5, 0);
    for (size_t off = 1; off <= 15; off++)
        check_all_kernels(r.p32 + off, r.q32 + off, r.p64 + off, r.q64 + off, n - off);
    rows_free(&r);
}

/* LLM-like rows from KL ~ 0.5 down to KL ~ 1e-6 at n = 151936 (Qwen's vocabulary), and at the
 * smallest and largest vocabularies kld is for. */
static void llm_rows(void)
{
    static const double shifts[] = {1.0, 0.45, 0.14, 0.045, 0.014, 0.0014};
    for (size_t j = 0; j < sizeof shifts / sizeof *shifts; j++)
        check_dataset(dataset_get(1000 + j, 151936, 3.0, shifts[j], 0, NULL));
    check_dataset(dataset_get(2000, 32000, 3.0, 0.45, 0, NULL));
    check_dataset(dataset_get(2001, 32000, 3.0, 0.014, 0, NULL));
    check_dataset(dataset_get(3000, 262144, 3.0, 0.45, 0, NULL));
    check_dataset(dataset_get(3001, 262144, 3.0, 0.014, 0, NULL));
}

/* Top-p truncation: p is zeroed below the threshold that keeps 90% of its mass (found by
 * bisection); q keeps its full support, so the reverse KL is +inf. */
static void top_p(rows *r)
{
    double lo = 0.0, hi = 1.0;
    for (int it = 0; it < 60; it++) {
        double mid = 0.5 * (lo + hi), kept = 0.0;
        for (size_t i = 0; i < r->n; i++)
            kept += r->p64[i] >= mid ? r->p64[i] : 0.0;
        *(kept >= 0.9 ? &lo : &hi) = mid;
    }
    for (size_t i = 0; i < r->n; i++)
        if (r->p64[i] < lo)
            r->p64[i] = 0.0;
}

/* Ratios beyond the float range both ways: p/q = 2.5e41 (q subnormal) and 6e-44. */
static void huge_ratios(rows *r)
{
    for (size_t i = 0; i + 1 < r->n; i += 97) {
        r->p64[i] = 0.25;
        r->q64[i] = 1e-42;
        r->p64[i + 1] = 3e-44;
        r->q64[i + 1] = 0.5;
    }
}

/* Ratios beyond the double range: p/q = 1e400, for the f64 kernels. */
static void huge_ratios_f64(rows *r)
{
    huge_ratios(r);
    for (size_t i = 0; i < r->n; i += 101) {
        r->p64[i] = 1e200;
        r->q64[i] = 1e-200;
    }
}

/* Unnormalised: p sums to 3.5, q to 0.25. */
static void unnormalised(rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        r->p64[i] *= 3.5;
        r->q64[i] *= 0.25;
    }
}

/* Hard inputs at n = 151936: heavy-tailed logits (subnormal and zero tails), a denormal-heavy
 * tail, top-p truncation, ratios far outside the float and double ranges, unnormalised input. */
static void hard_inputs(void)
{
    const size_t n = 151936;
    check_dataset(dataset_get(21, n, 3.0, 0.3, 1, NULL)); /* Cauchy logits */
    check_dataset(dataset_get(22, n, 8.0, 0.5, 0, NULL)); /* sz = 8: many subnormal floats */
    const dataset *d = dataset_get(23, n, 3.0, 0.3, 0, top_p);
    check_dataset(d);
    assert_true(isinf(kld_reverse_f32(d->r.p32, d->r.q32, n)));
    check_dataset(dataset_get(24, n, 3.0, 0.5, 0, huge_ratios));
    d = dataset_get(24, n, 3.0, 0.5, 0, huge_ratios_f64);
    check_close("f64 huge ratio", kld_forward_f64(d->r.p64, d->r.q64, n), d->e64.forward,
                tol_kl_f64(d->e64.forward, d->e64.abs_forward));
    check_dataset(dataset_get(25, n, 3.0, 0.2, 0, unnormalised));
}

/* Zeros, disjoint supports, NaN, infinities and negatives, each placed in the vector body and in
 * the tail: every path must give the same class of value as the scalar definition. */
static void special_values(void)
{
    /* 1e38 and 1.0000002e38: near-equal huge values, whose reciprocal estimate underflows */
    static const double values[] = {0.0,       -0.0, 1e-45,     FLT_MIN, 0.5,   1.0,     -0.25,
                                    INFINITY, -INFINITY, NAN, 1e-310,  DBL_MAX, 1e38,
                                    1.0000002e38};
    const size_t nv = sizeof values / sizeof *values;
    const size_t n = 37; /* body plus a tail on every width */
    for (size_t pos = 0; pos < n; pos += 9)
        for (size_t a = 0; a < nv; a++)
            for (size_t b = 0; b < nv; b++) {
                rows r = rows_llm(pos * 1000 + a * 31 + b, n, 3.0, 0.5, 0);
                r.p64[pos] = values[a];
                r.q64[pos] = values[b];
                rows_sync_f32(&r);
                check_all_kernels(r.p32, r.q32, r.p64, r.q64, n);
                rows_free(&r);
            }
}

/* cross = entropy + KL term by term, as kld.h says, also with +inf inputs: -inf + inf = NaN (SciPy's
 * entr(inf) + rel_entr(inf, 0.5) is NaN too), in the body of a vector as in its tail. */
static void cross_with_infinity(void)
{
    float p[33], q[33];
    for (size_t i = 0; i < 33; i++)
        p[i] = q[i] = 0.5f;
    q[32] = INFINITY; /* the tail on every width */
    kld_stats s;
    kld_stats_f32(p, q, 33, &s);
    assert_true(isnan(s.cross_qp) && s.entropy_q == -INFINITY && s.reverse == INFINITY);
    assert_true(s.cross_pq == -INFINITY && s.forward == -INFINITY); /* 0.5 log(0.5/inf) */
    q[32] = 0.5f;
    q[0] = INFINITY; /* the body */
    kld_stats_f32(p, q, 33, &s);
    assert_true(isnan(s.cross_qp));
    const double one_inf[] = {INFINITY}, half[] = {0.5};
    kld_stats_f64(one_inf, half, 1, &s);
    assert_true(isnan(s.cross_pq) && isnan(s.entropy_p + s.forward));
    kld_stats_f64(one_inf, one_inf, 1, &s);
    assert_true(isnan(s.forward) && isnan(s.cross_pq));
}

/* Where kld is exact and SciPy's rel_entr is not: rel_entr(0.5, 5e-324) and rel_entr(1e300, 1e-30)
 * are inf in SciPy because p/q overflows; kld takes log p - log q outside the normal range of
 * the ratio (terms.h) and returns the finite exact values. kld.h states the exception. */
static void beyond_scipy(void)
{
    const double p[] = {0.5}, q[] = {0x1p-1074}, big[] = {1e300}, small[] = {1e-30};
    double f = kld_forward_f64(p, q, 1);
    check_close("rel_entr(0.5, 5e-324)", f, 0.5L * (logl(0.5L) - logl(0x1p-1074L)), 1e-13 * f);
    assert_true(fabs(f - 371.87346237041066) <= 1e-12);
    f = kld_forward_f64(big, small, 1);
    check_close("rel_entr(1e300, 1e-30)", f, 1e300L * (logl(1e300L) - logl(1e-30L)), 1e-13 * f);
    assert_true(isfinite(f));
}

/* A row of 41 tokens (a body and a tail on every vector width): p_top and q_top at index top,
 * p_rest and q_rest everywhere else; every kernel against the reference, in float and double. */
static void check_top_row(size_t top, double p_top, double q_top, double p_rest, double q_rest)
{
    enum { N = 41 };
    float p[N], q[N];
    double pd[N], qd[N];
    for (size_t i = 0; i < N; i++) {
        pd[i] = i == top ? p_top : p_rest;
        qd[i] = i == top ? q_top : q_rest;
        p[i] = (float)pd[i];
        q[i] = (float)qd[i];
    }
    check_all_kernels(p, q, pd, qd, N);
}

/* Confident rows: one token holds nearly all the mass in both P and Q, a few ulps below 1 (or at
 * 1) and not equal, so log p and log q are tiny. Deriving one from log max(p, q) and log(p/q)
 * would carry the residual correction's absolute error (its reciprocal is an estimate) into a
 * value of 1e-7; the entropies must stay within their relative bound. */
static void confident_rows(void)
{
    for (size_t top = 0; top < 41; top += 8)
        for (int k = 1; k <= 5; k++) {
            double rest_p = (k + 2) * 0x1p-24 / 40, rest_q = k * 0x1p-24 / 40;
            check_top_row(top, 1 - (k + 2) * 0x1p-24, 1 - k * 0x1p-24, rest_p, rest_q);
            /* p > q, one ulp apart, and p = 1 once: the quotient falls between two floats on the
             * coarser grid above 1 */
            check_top_row(top, 1 - (k - 1) * 0x1p-24, 1 - k * 0x1p-24, rest_p, rest_q);
        }
}

/* Unnormalised input with a value above 1 next to one just below it: log max(p, q) > 0, so the
 * smaller one's log may not be derived as log max - |log(p/q)| (that would cancel); the kernels
 * must take it directly. */
static void values_above_one(void)
{
    for (size_t top = 0; top < 41; top += 8)
        check_top_row(top, 3.0, 0.999, 0.01 / 40, 0.001 / 40);
}

/* Subnormal, near-equal p and q: the quotient's rounding is then recoverable only on the normal
 * grid, and the bound is relative to sum |t| (tiny, but exact arithmetic owes it). */
static void subnormal_pairs(void)
{
    float p[41], q[41];
    double pd[41], qd[41];
    for (int i = 0; i < 41; i++) {
        p[i] = ldexpf(1.0f + (float)i / 64.0f, -133);
        q[i] = ldexpf(1.0f + (float)(i + (i % 3) - 1) / 64.0f + 0x1p-12f, -133);
        pd[i] = ldexp(1.0 + i / 64.0, -1060);
        qd[i] = ldexp(1.0 + (i + (i % 3) - 1) / 64.0 + 0x1p-9, -1060);
    }
    exact e = exact_f32(p, q, 41), e64 = exact_f64(pd, qd, 41);
    check_close("subnormal f32 forward", kld_forward_f32(p, q, 41), e.forward,
                4.0e-7 * (double)e.abs_forward);
    check_close("subnormal f32 reverse", kld_reverse_f32(p, q, 41), e.reverse,
                4.0e-7 * (double)e.abs_reverse);
    check_close("subnormal f64 forward", kld_forward_f64(pd, qd, 41), e64.forward,
                3.1e-14 * (double)e64.abs_forward + 1e-323 * 41);
}

/* Disjoint supports: both directions +inf; zeros in both at the same place contribute nothing. */
static void zeros_and_disjoint(void)
{
    float p[40] = {0}, q[40] = {0};
    for (int i = 0; i < 20; i++) {
        p[i] = 0.05f;
        q[i + 20] = 0.05f;
    }
    double f, r;
    kld_both_f32(p, q, 40, &f, &r);
    assert_true(isinf(f) && f > 0 && isinf(r) && r > 0);
    float z[40] = {0};
    kld_both_f32(z, z, 40, &f, &r);
    assert_true(f == 0.0 && r == 0.0);
    kld_both_f32(p, z, 40, &f, &r); /* q all zero: forward inf, reverse 0 */
    assert_true(isinf(f) && r == 0.0);
    kld_stats s;
    kld_stats_f32(p, z, 40, &s);
    assert_true(isinf(s.forward) && s.reverse == 0.0 && isinf(s.cross_pq) && s.entropy_q == 0.0);
    check_close("entropy_p of 20 x 0.05", s.entropy_p, -20.0L * 0.05f * logl(0.05f), 1e-7);
}

/* NULL with n > 0 gives NaN; n == 0 gives 0 even with NULL; NULL outputs are skipped. */
static void null_and_empty(void)
{
    const float p[2] = {0.5f, 0.5f};
    const double pd[2] = {0.5, 0.5};
    assert_true(isnan(kld_forward_f32(NULL, p, 2)) && isnan(kld_reverse_f32(p, NULL, 2)));
    assert_true(isnan(kld_forward_f64(pd, NULL, 2)) && isnan(kld_reverse_f64(NULL, pd, 2)));
    assert_true(kld_forward_f32(NULL, NULL, 0) == 0.0 && kld_forward_f64(NULL, NULL, 0) == 0.0);
    kld_stats s;
    kld_stats_f32(NULL, p, 2, &s);
    assert_true(isnan(s.forward) && isnan(s.entropy_q) && isnan(s.sum_p));
    kld_stats_f64(NULL, NULL, 0, &s);
    assert_true(s.forward == 0.0 && s.sum_q == 0.0 && s.cross_qp == 0.0);
    kld_stats_f32(p, p, 2, NULL); /* nothing to write: must not crash */
    double f = -1.0;
    kld_both_f32(p, p, 2, &f, NULL);
    kld_both_f64(pd, pd, 2, NULL, NULL);
    assert_true(f == 0.0);
}

const path_test prob_tests[] = {
    {"classic_f64", classic_f64},
    {"classic_f32", classic_f32},
    {"identities", identities},
    {"lengths_0_to_80", lengths_0_to_80},
    {"misaligned", misaligned},
    {"cross_with_infinity", cross_with_infinity},
    {"beyond_scipy", beyond_scipy},
    {"llm_rows", llm_rows},
    {"hard_inputs", hard_inputs},
    {"special_values", special_values},
    {"subnormal_pairs", subnormal_pairs},
    {"confident_rows", confident_rows},
    {"values_above_one", values_above_one},
    {"zeros_and_disjoint", zeros_and_disjoint},
    {"null_and_empty", null_and_empty},
};
const size_t prob_test_count = sizeof prob_tests / sizeof *prob_tests;
