/* test_stats_js_tv.c - the fused entry points (kld_stats_js_tv_*, kld_stats_js_tv_logits_*) on
 * every path against the separate ones, field by field and bit for bit (kld.h's contract: the
 * same code computes each field), on every element type, at every n up to 40 and longer, on
 * clean rows and on rows with each kind of special value: zeros, NaN, infinities, negatives,
 * values above 1/2 and overflowing differences (probabilities); masks on one side and both,
 * NaN, +inf, all -inf, logits beyond 2^100 (the reference's rows), a row whose tokens but the
 * top one move together, and temperatures 0.7, 1 and 0 (logits). Also: the rows calls equal the
 * single-row calls on those rows. The separate kernels' accuracy against the long-double
 * reference is tested by test_prob.c, test_div.c, test_logits.c and test_div_logits.c, and the
 * fused ones against the scalar path by test_entry_points.c. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "support.h"
#include "test_stats_js_tv.h"

enum { ROWS = 3, VARIANTS = 8 };

typedef enum { T_F32, T_F64, T_F16, T_BF16 } elem_type;
static const size_t elem_size[] = {4, 8, 2, 2};
static const char *const type_name[] = {"f32", "f64", "f16", "bf16"};

/* x as the bits of an element type (f16 by the compiler's _Float16, bf16 rounded to nearest
 * even by its bits, NaN kept NaN). */
static void store(elem_type type, void *dst, size_t i, double x)
{
    float f = (float)x;
    uint32_t u;
    switch (type) {
    case T_F32:
        ((float *)dst)[i] = f;
        break;
    case T_F64:
        ((double *)dst)[i] = x;
        break;
    case T_F16: {
        _Float16 h = (_Float16)f;
        memcpy((uint16_t *)dst + i, &h, 2);
        break;
    }
    case T_BF16:
        memcpy(&u, &f, 4);
        ((uint16_t *)dst)[i] =
            isnan(f) ? 0x7fc0u : (uint16_t)((u + 0x7fffu + (u >> 16 & 1u)) >> 16);
        break;
    }
}

/* Variant v of a probability row of n at index i: 0 clean; 1 zeros (on p, on q, on both);
 * 2 NaN; 3 +inf; 4 a negative; 5 values above 1/2; 6 values near FLT_MAX (p - q overflows
 * float); 7 tiny (subnormal) values. */
static void edit_probs(int v, size_t n, double *p, double *q, uint64_t seed)
{
    if (v == 0 || n == 0)
        return;
    size_t i = (size_t)(seed % n), j = (i + n / 2) % n;
    switch (v) {
    case 1:
        p[i] = 0;
        q[j] = 0;
        p[(i + 1) % n] = q[(i + 1) % n] = 0;
        break;
    case 2:
        q[i] = NAN;
        break;
    case 3:
        p[j] = INFINITY;
        break;
    case 4:
        q[j] = -0.25;
        break;
    case 5:
        p[i] = 0.75;
        q[j] = 0.6;
        break;
    case 6:
        p[i] = 3e38;
        q[i] = -3e38;
        break;
    case 7:
        p[i] = 1e-40;
        q[j] = 3e-42;
        break;
    }
}

/* Variant v of a logits row: 0 clean; 1 masks (-inf in a, in b, in both); 2 NaN; 3 +inf; 4 all
 * of a -inf; 5 a logit beyond 2^100 (the reference's row); 6 every token but the top one moved
 * together in b (the off-centre row of logits_template.h); 7 a and b equal. */
static void edit_logits(int v, size_t n, float *a, float *b, uint64_t seed)
{
    if (v == 0 || n == 0)
        return;
    size_t i = (size_t)(seed % n), j = (i + n / 2) % n;
    switch (v) {
    case 1:
        a[i] = -INFINITY;
        b[j] = -INFINITY;
        a[(i + 1) % n] = b[(i + 1) % n] = -INFINITY;
        break;
    case 2:
        b[i] = NAN;
        break;
    case 3:
        a[j] = INFINITY;
        break;
    case 4:
        for (size_t k = 0; k < n; k++)
            a[k] = -INFINITY;
        break;
    case 5:
        a[i] = 3e30f;
        break;
    case 6:
        for (size_t k = 0; k < n; k++)
            b[k] = a[k] + (k == i ? 9.0f : 0.0f);
        break;
    case 7:
        memcpy(b, a, n * sizeof *a);
        break;
    }
}

/* ROWS rows of n (ld = n + 3, the gap NaN so that a read past n shows), variant v. */
static void fill(elem_type type, int logit_rows, int v, size_t n, void *x, void *y)
{
    size_t ld = n + 3;
    for (size_t r = 0; r < ROWS; r++) {
        uint64_t seed = 7919 * n + 31 * (uint64_t)v + r;
        double *u = calloc(ld, sizeof *u), *w = calloc(ld, sizeof *w);
        assert_non_null(u);
        assert_non_null(w);
        if (logit_rows) {
            logits l = logits_llm(seed, n, 3.0, 0.3, r == 2);
            edit_logits(v, n, l.a, l.b, seed);
            for (size_t i = 0; i < n; i++)
                u[i] = l.a[i], w[i] = l.b[i];
            logits_free(&l);
        } else {
            rows pr = rows_llm(seed, n, 3.0, 0.3, r == 2);
            edit_probs(v, n, pr.p64, pr.q64, seed);
            memcpy(u, pr.p64, n * sizeof *u);
            memcpy(w, pr.q64, n * sizeof *w);
            rows_free(&pr);
        }
        for (size_t i = 0; i < ld; i++) {
            store(type, x, r * ld + i, i < n ? u[i] : NAN);
            store(type, y, r * ld + i, i < n ? w[i] : NAN);
        }
        free(u);
        free(w);
    }
}

static void same_bits(const char *what, const char *type, int v, size_t n, double fused,
                      double separate)
{
    if (memcmp(&fused, &separate, sizeof fused) != 0)
        fail_msg("%s_%s variant %d n=%zu on %s: fused %.17g, separate %.17g", what, type, v, n,
                 kld_isa_name(kld_isa_active()), fused, separate);
}

static void same_stats(const char *type, int v, size_t n, const kld_stats *f, const kld_stats *s)
{
    same_bits("forward", type, v, n, f->forward, s->forward);
    same_bits("reverse", type, v, n, f->reverse, s->reverse);
    same_bits("entropy_p", type, v, n, f->entropy_p, s->entropy_p);
    same_bits("entropy_q", type, v, n, f->entropy_q, s->entropy_q);
    same_bits("cross_pq", type, v, n, f->cross_pq, s->cross_pq);
    same_bits("cross_qp", type, v, n, f->cross_qp, s->cross_qp);
    same_bits("sum_p", type, v, n, f->sum_p, s->sum_p);
    same_bits("sum_q", type, v, n, f->sum_q, s->sum_q);
}

/* The single-row probability calls of a type, fused and separate. */
static void prob_calls(elem_type t, const void *p, const void *q, size_t n, kld_stats_js_tv *f,
                       kld_stats_js_tv *s)
{
    switch (t) {
    case T_F32:
        kld_stats_js_tv_f32(p, q, n, f);
        kld_stats_f32(p, q, n, &s->stats);
        s->js = kld_js_f32(p, q, n), s->tv = kld_tv_f32(p, q, n);
        break;
    case T_F64:
        kld_stats_js_tv_f64(p, q, n, f);
        kld_stats_f64(p, q, n, &s->stats);
        s->js = kld_js_f64(p, q, n), s->tv = kld_tv_f64(p, q, n);
        break;
    case T_F16:
        kld_stats_js_tv_f16(p, q, n, f);
        kld_stats_f16(p, q, n, &s->stats);
        s->js = kld_js_f16(p, q, n), s->tv = kld_tv_f16(p, q, n);
        break;
    case T_BF16:
        kld_stats_js_tv_bf16(p, q, n, f);
        kld_stats_bf16(p, q, n, &s->stats);
        s->js = kld_js_bf16(p, q, n), s->tv = kld_tv_bf16(p, q, n);
        break;
    }
}

static void prob_rows_call(elem_type t, const void *p, const void *q, size_t n,
                           kld_stats_js_tv *out)
{
    size_t ld = n + 3;
    switch (t) {
    case T_F32:
        kld_rows_stats_js_tv_f32(p, q, ROWS, n, ld, ld, out);
        break;
    case T_F64:
        kld_rows_stats_js_tv_f64(p, q, ROWS, n, ld, ld, out);
        break;
    case T_F16:
        kld_rows_stats_js_tv_f16(p, q, ROWS, n, ld, ld, out);
        break;
    case T_BF16:
        kld_rows_stats_js_tv_bf16(p, q, ROWS, n, ld, ld, out);
        break;
    }
}

static void logit_calls(elem_type t, const void *a, const void *b, size_t n, float temp,
                        kld_logit_stats_js_tv *f, kld_logit_stats_js_tv *s)
{
    switch (t) {
    case T_F32:
        kld_stats_js_tv_logits_f32(a, b, n, temp, f);
        kld_stats_logits_f32(a, b, n, temp, &s->stats);
        s->js = kld_js_logits_f32(a, b, n, temp), s->tv = kld_tv_logits_f32(a, b, n, temp);
        break;
    case T_F16:
        kld_stats_js_tv_logits_f16(a, b, n, temp, f);
        kld_stats_logits_f16(a, b, n, temp, &s->stats);
        s->js = kld_js_logits_f16(a, b, n, temp), s->tv = kld_tv_logits_f16(a, b, n, temp);
        break;
    default:
        kld_stats_js_tv_logits_bf16(a, b, n, temp, f);
        kld_stats_logits_bf16(a, b, n, temp, &s->stats);
        s->js = kld_js_logits_bf16(a, b, n, temp), s->tv = kld_tv_logits_bf16(a, b, n, temp);
        break;
    }
}

static void logit_rows_call(elem_type t, const void *a, const void *b, size_t n, float temp,
                            kld_logit_stats_js_tv *out)
{
    size_t ld = n + 3;
    if (t == T_F32)
        kld_rows_stats_js_tv_logits_f32(a, b, ROWS, n, ld, ld, temp, out);
    else if (t == T_F16)
        kld_rows_stats_js_tv_logits_f16(a, b, ROWS, n, ld, ld, temp, out);
    else
        kld_rows_stats_js_tv_logits_bf16(a, b, ROWS, n, ld, ld, temp, out);
}

static void same_logit_stats(const char *type, int v, size_t n, const kld_logit_stats_js_tv *f,
                             const kld_logit_stats_js_tv *s)
{
    same_stats(type, v, n, &f->stats.kl, &s->stats.kl);
    same_bits("lse_a", type, v, n, f->stats.lse_a, s->stats.lse_a);
    same_bits("lse_b", type, v, n, f->stats.lse_b, s->stats.lse_b);
    same_bits("argmax_a", type, v, n, (double)f->stats.argmax_a, (double)s->stats.argmax_a);
    same_bits("argmax_b", type, v, n, (double)f->stats.argmax_b, (double)s->stats.argmax_b);
    same_bits("js", type, v, n, f->js, s->js);
    same_bits("tv", type, v, n, f->tv, s->tv);
}

/* The lengths: every n up to 40 (every n below two vectors of every path, and a tail beyond),
 * and longer rows that cross a chunk (32 vectors) and a fold (32 chunks of AVX-512 floats). The
 * longest only on clean rows, and the longer ones at one temperature: the special values and
 * the other temperatures add nothing there, and the suite's time is a budget (the NEON path
 * runs under qemu in CI). */
static const size_t longer[] = {255, 1000, 4099, 16411};
enum { SHORT = 40, LONGER = sizeof longer / sizeof *longer };

static size_t length(size_t k)
{
    return k <= SHORT ? k : longer[k - SHORT - 1];
}

static int wanted(size_t n, int v)
{
    return n < 16411 || v == 0;
}

static void *buffer(size_t n)
{
    void *x = malloc(ROWS * (n + 3) * 8);
    assert_non_null(x);
    return x;
}

static void stats_js_tv_probs(void)
{
    for (size_t k = 0; k <= SHORT + LONGER; k++) {
        size_t n = length(k), step;
        void *x = buffer(n), *y = buffer(n);
        for (int t = T_F32; t <= T_BF16; t++)
            for (int v = 0; v < VARIANTS; v++) {
                if (!wanted(n, v))
                    continue;
                fill(t, 0, v, n, x, y);
                step = (n + 3) * elem_size[t];
                kld_stats_js_tv rows_out[ROWS];
                prob_rows_call(t, x, y, n, rows_out);
                for (size_t r = 0; r < ROWS; r++) {
                    kld_stats_js_tv f, s;
                    prob_calls(t, (char *)x + r * step, (char *)y + r * step, n, &f, &s);
                    same_stats(type_name[t], v, n, &f.stats, &s.stats);
                    same_bits("js", type_name[t], v, n, f.js, s.js);
                    same_bits("tv", type_name[t], v, n, f.tv, s.tv);
                    assert_memory_equal(&rows_out[r], &f, sizeof f); /* rows = single rows */
                }
            }
        free(x);
        free(y);
    }
}

static void stats_js_tv_logits(void)
{
    static const float temps[] = {0.7f, 0.0f, 1.0f}; /* T = 0: NaN throughout */
    for (size_t k = 0; k <= SHORT + LONGER; k++) {
        size_t n = length(k);
        void *x = buffer(n), *y = buffer(n);
        for (int t = T_F32; t <= T_BF16; t++) {
            if (t == T_F64)
                continue;
            for (int v = 0; v < VARIANTS; v++) {
                if (!wanted(n, v))
                    continue;
                fill(t, 1, v, n, x, y);
                size_t step = (n + 3) * elem_size[t];
                for (size_t j = 0; j < (n <= SHORT ? sizeof temps / sizeof *temps : 2); j++) {
                    kld_logit_stats_js_tv rows_out[ROWS];
                    logit_rows_call(t, x, y, n, temps[j], rows_out);
                    for (size_t r = 0; r < ROWS; r++) {
                        kld_logit_stats_js_tv f, s;
                        logit_calls(t, (char *)x + r * step, (char *)y + r * step, n, temps[j],
                                    &f, &s);
                        same_logit_stats(type_name[t], v, n, &f, &s);
                        assert_memory_equal(&rows_out[r], &f, sizeof f);
                    }
                }
            }
        }
        free(x);
        free(y);
    }
}

/* What the fused calls give where the separate ones have no kernel to run: NULL outputs are
 * skipped, n = 0 gives zeros (lse -inf), a NULL input NaN (argmax n), and rows with ld < n NaN. */
static void stats_js_tv_conventions(void)
{
    float a[4] = {0.25f, 0.25f, 0.25f, 0.25f};
    kld_stats_js_tv_f32(a, a, 4, NULL);
    kld_stats_js_tv_logits_f32(a, a, 4, 1.0f, NULL);
    kld_rows_stats_js_tv_f32(a, a, 2, 4, 4, 4, NULL);
    kld_rows_stats_js_tv_logits_f32(a, a, 2, 4, 4, 4, 1.0f, NULL);
    kld_stats_js_tv s;
    kld_stats_js_tv_f32(a, a, 0, &s);
    assert_true(s.stats.forward == 0 && s.stats.sum_q == 0 && s.js == 0 && s.tv == 0);
    kld_stats_js_tv_f32(a, NULL, 4, &s);
    assert_true(isnan(s.stats.forward) && isnan(s.stats.sum_p) && isnan(s.js) && isnan(s.tv));
    kld_logit_stats_js_tv l;
    kld_stats_js_tv_logits_f32(a, a, 0, 1.0f, &l);
    assert_true(l.stats.lse_a == -INFINITY && l.stats.argmax_b == 0 && l.js == 0 && l.tv == 0);
    kld_stats_js_tv_logits_f32(NULL, a, 4, 1.0f, &l);
    assert_true(isnan(l.stats.kl.forward) && l.stats.argmax_a == 4 && isnan(l.js) && isnan(l.tv));
    kld_stats_js_tv_logits_f32(a, a, 4, -1.0f, &l);
    assert_true(isnan(l.stats.lse_b) && l.stats.argmax_b == 4 && isnan(l.js) && isnan(l.tv));
    kld_logit_stats_js_tv lr[2];
    kld_rows_stats_js_tv_logits_f32(a, a, 2, 4, 3, 4, 1.0f, lr);
    assert_true(isnan(lr[0].js) && isnan(lr[1].tv) && lr[1].stats.argmax_a == 4);
    kld_stats_js_tv sr[2];
    kld_rows_stats_js_tv_f32(a, a, 2, 4, 4, 3, sr);
    assert_true(isnan(sr[0].tv) && isnan(sr[1].stats.entropy_p));
    /* identical rows: every divergence exactly 0 */
    kld_stats_js_tv_logits_f32(a, a, 4, 1.0f, &l);
    assert_true(l.stats.kl.forward == 0 && l.js == 0 && l.tv == 0);
    kld_stats_js_tv_f32(a, a, 4, &s);
    assert_true(s.stats.forward == 0 && s.js == 0 && s.tv == 0 && s.stats.sum_p == 1);
}

const path_test stats_js_tv_tests[] = {
    {"stats_js_tv_probs", stats_js_tv_probs},
    {"stats_js_tv_logits", stats_js_tv_logits},
    {"stats_js_tv_conventions", stats_js_tv_conventions},
};
const size_t stats_js_tv_test_count = sizeof stats_js_tv_tests / sizeof *stats_js_tv_tests;
