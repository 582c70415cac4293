/* test_div.c - the Jensen-Shannon and total variation kernels on every path, against a
 * long-double reference written from the definitions (JS as KL(P||M)/2 + KL(Q||M)/2, TV as half
 * the sum of |p - q|), with the bounds of docs/accuracy.md. */
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
#include "test_div.h"

/* The exact JS and TV of the inputs as given, with rel_entr's conventions for JS. */
typedef struct {
    long double js, tv;
} exact_div;

/* p and q as f64 (f64 set) or f32 arrays */
static exact_div exact_div_of(const void *p, const void *q, size_t n, int f64)
{
    exact_div e = {0, 0};
    for (size_t i = 0; i < n; i++) {
        long double x = f64 ? ((const double *)p)[i] : ((const float *)p)[i];
        long double y = f64 ? ((const double *)q)[i] : ((const float *)q)[i];
        e.js += exact_js_term(x, y);
        e.tv += fabsl(x - y);
    }
    e.tv /= 2;
    return e;
}

/* JS: every term is >= 0, so its bound is relative: 7e-7 derived for f32 lanes (1e-6 allowed),
 * 4e-15 for f64 (1e-13 allowed). TV: one rounding of each |p - q|: 6e-8 (2e-7 allowed) and
 * 1.1e-16 (1e-14 allowed). Plus a tiny absolute part for subnormal sums. */
static void check_div(const float *p, const float *q, const double *pd, const double *qd,
                      size_t n)
{
    exact_div e = exact_div_of(p, q, n, 0), e64 = exact_div_of(pd, qd, n, 1);
    check_close("js_f32", kld_js_f32(p, q, n), e.js, 1e-6 * (double)fabsl(e.js) + 1e-300);
    check_close("tv_f32", kld_tv_f32(p, q, n), e.tv, 2e-7 * (double)fabsl(e.tv) + 1e-300);
    check_close("js_f64", kld_js_f64(pd, qd, n), e64.js, 1e-13 * (double)fabsl(e64.js) + 1e-300);
    check_close("tv_f64", kld_tv_f64(pd, qd, n), e64.tv, 1e-14 * (double)fabsl(e64.tv) + 1e-300);
    double out[2];
    kld_rows_js_f32(p, q, 1, n, n, n, out);
    kld_rows_tv_f32(p, q, 1, n, n, n, out + 1);
    double js = kld_js_f32(p, q, n), tv = kld_tv_f32(p, q, n);
    assert_true((memcmp(&out[0], &js, 8) == 0 || (isnan(js) && isnan(out[0]))) &&
                (memcmp(&out[1], &tv, 8) == 0 || (isnan(tv) && isnan(out[1]))));
}

/* The classic pair, by hand: JS = (0.5 ln(10/11) + 0.3 ln(6/5) + 0.6 ln(12/11) + 0.2 ln(4/5))/2,
 * TV = (0.1 + 0.1)/2 = 0.1. */
static void div_classic(void)
{
    const double p[] = {0.5, 0.3, 0.2}, q[] = {0.6, 0.2, 0.2};
    const long double js = (0.5L * logl(10.0L / 11) + 0.3L * logl(6.0L / 5) +
                            0.6L * logl(12.0L / 11) + 0.2L * logl(4.0L / 5)) / 2;
    check_close("js_f64 classic", kld_js_f64(p, q, 3), js, 1e-15);
    check_close("tv_f64 classic", kld_tv_f64(p, q, 3), 0.1L, 1e-16);
    const float pf[] = {1, 0}, qf[] = {0, 1}; /* disjoint: JS = log 2, TV = 1 */
    check_close("js disjoint", kld_js_f32(pf, qf, 2), logl(2.0L), 1e-6 * logl(2.0L));
    assert_true(kld_tv_f32(pf, qf, 2) == 1.0);
    assert_true(kld_js_f32(pf, pf, 2) == 0.0 && kld_tv_f32(pf, pf, 2) == 0.0);
}

/* LLM-like rows from far apart (JS ~ 0.1) to very close (JS ~ 1e-7), where the polynomial
 * branch carries everything, and heavy-tailed logits. The rows are the probability tests'
 * (dataset_get shares them), as the long-double reference is software quad precision on
 * aarch64, under qemu in CI; one more very close row at 32000. */
static void div_llm_rows(void)
{
    static const struct {
        uint64_t seed;
        size_t n;
        double shift;
        int heavy;
    } sets[] = {{1000, 151936, 1.0, 0},  {2000, 32000, 0.45, 0},  {2001, 32000, 0.014, 0},
                {4000, 32000, 0.0005, 0}, {21, 151936, 0.3, 1}};
    for (size_t j = 0; j < sizeof sets / sizeof *sets; j++) {
        const dataset *d = dataset_get(sets[j].seed, sets[j].n, 3.0, sets[j].shift, sets[j].heavy,
                                       NULL);
        check_div(d->r.p32, d->r.q32, d->r.p64, d->r.q64, d->r.n);
    }
}

/* Every n from 0 to 40 and every misalignment up to 15 elements. */
static void div_lengths_and_offsets(void)
{
    for (size_t n = 0; n <= 40; n++) {
        rows r = rows_llm(300 + n, n + 16, 3.0, 0.7, 0);
        for (size_t off = 0; off <= (n == 40 ? 15 : 0); off++)
            check_div(r.p32 + off, r.q32 + off, r.p64 + off, r.q64 + off, n);
        rows_free(&r);
    }
}

/* Zeros on one side (m log 2), both zero (0), subnormals, huge values, infinities, NaN and
 * negatives, in the body and the tail, against the reference's class and value. */
static void div_special_values(void)
{
    static const double values[] = {0.0,  -0.0, 1e-45,     1e-310, FLT_MIN, 0.5,      1.0,
                                    -0.25, 3e38, INFINITY, -INFINITY, NAN,  DBL_MAX / 4};
    const size_t nv = sizeof values / sizeof *values, n = 37;
    for (size_t pos = 0; pos < n; pos += 12)
        for (size_t a = 0; a < nv; a++)
            for (size_t b = 0; b < nv; b++) {
                rows r = rows_llm(pos * 100 + a * 17 + b, n, 3.0, 0.5, 0);
                r.p64[pos] = values[a];
                r.q64[pos] = values[b];
                rows_sync_f32(&r);
                check_div(r.p32, r.q32, r.p64, r.q64, n);
                rows_free(&r);
            }
}

/* f16 and bf16 give the f32 kernels' bits on the widened values; NULL, n = 0, ld < n. */
static void div_half_and_conventions(void)
{
    rows r = rows_llm(91, 1000, 3.0, 0.3, 0);
    uint16_t hp[1000], hq[1000];
    float fp[1000], fq[1000];
    for (size_t i = 0; i < 1000; i++) { /* bf16 by truncation: any bits are valid input */
        uint32_t bp, bq;
        memcpy(&bp, &r.p32[i], 4);
        memcpy(&bq, &r.q32[i], 4);
        hp[i] = (uint16_t)(bp >> 16);
        hq[i] = (uint16_t)(bq >> 16);
        bp = (uint32_t)hp[i] << 16;
        bq = (uint32_t)hq[i] << 16;
        memcpy(&fp[i], &bp, 4);
        memcpy(&fq[i], &bq, 4);
    }
    double a = kld_js_bf16(hp, hq, 1000), b = kld_js_f32(fp, fq, 1000);
    assert_memory_equal(&a, &b, sizeof a);
    a = kld_tv_bf16(hp, hq, 1000), b = kld_tv_f32(fp, fq, 1000);
    assert_memory_equal(&a, &b, sizeof a);
    for (size_t i = 0; i < 1000; i++) { /* f16: values exactly representable, 2^-k */
        hp[i] = (uint16_t)(0x3c00 - (i % 24) * 0x400 / 2);
        hq[i] = (uint16_t)(0x3c00 - ((i + 5) % 24) * 0x400 / 2);
        fp[i] = ldexpf(1.0f + (hp[i] & 0x3ff) / 1024.0f, (hp[i] >> 10) - 15);
        fq[i] = ldexpf(1.0f + (hq[i] & 0x3ff) / 1024.0f, (hq[i] >> 10) - 15);
    }
    a = kld_js_f16(hp, hq, 1000), b = kld_js_f32(fp, fq, 1000);
    assert_memory_equal(&a, &b, sizeof a);
    a = kld_tv_f16(hp, hq, 1000), b = kld_tv_f32(fp, fq, 1000);
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(isnan(kld_js_f32(NULL, fq, 3)) && isnan(kld_tv_f64(r.p64, NULL, 3)));
    assert_true(kld_js_f16(NULL, NULL, 0) == 0 && kld_tv_bf16(NULL, NULL, 0) == 0);
    double out[3];
    kld_rows_js_f64(r.p64, r.q64, 3, 300, 299, 300, out); /* ld < n with three rows */
    assert_true(isnan(out[0]) && isnan(out[2]));
    kld_rows_tv_f16(hp, hq, 3, 300, 300, 300, out);
    for (size_t i = 0; i < 3; i++) {
        a = kld_tv_f16(hp + 300 * i, hq + 300 * i, 300);
        assert_memory_equal(&a, &out[i], sizeof a);
    }
    kld_rows_js_f32(r.p32, r.q32, 3, 300, 300, 300, NULL); /* nothing to write: no crash */
    rows_free(&r);
}

/* Every JS and TV rows entry point, three rows with ld > n: each row equals its own single-row
 * call bit for bit (so a rows function that called the other divergence or type would fail). */
typedef void (*rows_f32_fn)(const float *, const float *, size_t, size_t, size_t, size_t, double *);
typedef void (*rows_f64_fn)(const double *, const double *, size_t, size_t, size_t, size_t,
                            double *);
typedef void (*rows_u16_fn)(const uint16_t *, const uint16_t *, size_t, size_t, size_t, size_t,
                            double *);

static void div_rows_every_entry(void)
{
    enum { ROWS = 3, N = 300, LD = 307 };
    rows r = rows_llm(92, ROWS * LD, 3.0, 0.3, 0);
    uint16_t h[2][ROWS * LD];
    for (size_t i = 0; i < ROWS * LD; i++) { /* bf16 by truncation; as f16, finite and positive */
        uint32_t bits[2];
        memcpy(&bits[0], &r.p32[i], 4);
        memcpy(&bits[1], &r.q32[i], 4);
        h[0][i] = (uint16_t)(bits[0] >> 16);
        h[1][i] = (uint16_t)(bits[1] >> 16);
    }
    const struct { rows_f32_fn rows; double (*one)(const float *, const float *, size_t); }
        f32[] = {{kld_rows_js_f32, kld_js_f32}, {kld_rows_tv_f32, kld_tv_f32}};
    const struct { rows_f64_fn rows; double (*one)(const double *, const double *, size_t); }
        f64[] = {{kld_rows_js_f64, kld_js_f64}, {kld_rows_tv_f64, kld_tv_f64}};
    const struct { rows_u16_fn rows; double (*one)(const uint16_t *, const uint16_t *, size_t); }
        u16[] = {{kld_rows_js_f16, kld_js_f16}, {kld_rows_tv_f16, kld_tv_f16},
                 {kld_rows_js_bf16, kld_js_bf16}, {kld_rows_tv_bf16, kld_tv_bf16}};
    double out[ROWS], one;
    for (size_t k = 0; k < 2; k++) {
        f32[k].rows(r.p32, r.q32, ROWS, N, LD, LD, out);
        for (size_t i = 0; i < ROWS; i++) {
            one = f32[k].one(r.p32 + i * LD, r.q32 + i * LD, N);
            assert_true(one > 0 && memcmp(&one, &out[i], sizeof one) == 0);
        }
        f64[k].rows(r.p64, r.q64, ROWS, N, LD, LD, out);
        for (size_t i = 0; i < ROWS; i++) {
            one = f64[k].one(r.p64 + i * LD, r.q64 + i * LD, N);
            assert_true(one > 0 && memcmp(&one, &out[i], sizeof one) == 0);
        }
    }
    for (size_t k = 0; k < 4; k++) {
        u16[k].rows(h[0], h[1], ROWS, N, LD, LD, out);
        for (size_t i = 0; i < ROWS; i++) {
            one = u16[k].one(h[0] + i * LD, h[1] + i * LD, N);
            assert_true(one > 0 && memcmp(&one, &out[i], sizeof one) == 0);
        }
        u16[k].rows(h[0], h[1], ROWS, N, N - 1, LD, out); /* ld < n: NaN rows */
        assert_true(isnan(out[0]) && isnan(out[ROWS - 1]));
    }
    rows_free(&r);
}

const path_test div_tests[] = {
    {"div_classic", div_classic},
    {"div_llm_rows", div_llm_rows},
    {"div_lengths_and_offsets", div_lengths_and_offsets},
    {"div_special_values", div_special_values},
    {"div_half_and_conventions", div_half_and_conventions},
    {"div_rows_every_entry", div_rows_every_entry},
};
const size_t div_test_count = sizeof div_tests / sizeof *div_tests;
