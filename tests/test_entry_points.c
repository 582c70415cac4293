/* test_entry_points.c - every public entry point of src/kernel_list.h, single-row and rows, on
 * every path, from the list itself: a family or type added there is covered here with no edit.
 * For each, on LLM-like rows of every n below two AVX-512 vector widths and longer ones:
 *   - the rows call equals the single-row call on each row, bit for bit (kld.h's contract);
 *   - the single-row call agrees with the scalar reference path: each is within docs/accuracy.md's
 *     tiers of the exact value (1e-6 relative at >= 1e-2, 1e-5 at >= 1e-4, 1e-9 absolute below,
 *     and 1e-6 relative for entropies, sums and log-sum-exps), so two paths are within twice
 *     that of each other; argmax exactly;
 *   - the argument conventions: n = 0 gives 0 (lse -inf, argmax 0), a NULL input NaN.
 * The per-family tests (test_prob.c, test_logits.c, test_div*.c, test_half.c) check accuracy
 * against the long-double reference; this one checks that nothing in the list goes untested. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kernel_list.h"
#include "support.h"
#include "test_entry_points.h"

enum { ROWS = 3, MAX_OUT = 14 };

/* What an output is, for the comparisons: a divergence (KL, JS, TV: the tiers of divergences),
 * another value (entropy, cross-entropy, sum: 1e-6 relative), a log-sum-exp (-inf at n = 0), an
 * argmax (exact; 0 at n = 0, n for a NaN row). */
typedef enum { OUT_DIV, OUT_VALUE, OUT_LSE, OUT_INDEX } out_kind;

/* Every output of one row of an entry point, as doubles (argmax as a size_t value). */
typedef struct {
    double v[MAX_OUT];
    out_kind kind[MAX_OUT];
    size_t nv;
} outputs;

static void put(outputs *o, double v, out_kind kind)
{
    o->v[o->nv] = v;
    o->kind[o->nv++] = kind;
}

static outputs divs(double first, double second, size_t count)
{
    outputs o = {.nv = 0};
    put(&o, first, OUT_DIV);
    if (count == 2)
        put(&o, second, OUT_DIV);
    return o;
}

static void put_stats(outputs *o, const kld_stats *s)
{
    o->nv = 0;
    put(o, s->forward, OUT_DIV);
    put(o, s->reverse, OUT_DIV);
    const double v[] = {s->entropy_p, s->entropy_q, s->cross_pq, s->cross_qp, s->sum_p, s->sum_q};
    for (size_t k = 0; k < sizeof v / sizeof *v; k++)
        put(o, v[k], OUT_VALUE);
}

static void put_logit_stats(outputs *o, const kld_logit_stats *s)
{
    put_stats(o, &s->kl);
    put(o, s->lse_a, OUT_LSE);
    put(o, s->lse_b, OUT_LSE);
    put(o, (double)s->argmax_a, OUT_INDEX);
    put(o, (double)s->argmax_b, OUT_INDEX);
}

static void put_stats_js_tv(outputs *o, const kld_stats_js_tv *s)
{
    put_stats(o, &s->stats);
    put(o, s->js, OUT_DIV);
    put(o, s->tv, OUT_DIV);
}

static void put_logit_stats_js_tv(outputs *o, const kld_logit_stats_js_tv *s)
{
    put_logit_stats(o, &s->stats);
    put(o, s->js, OUT_DIV);
    put(o, s->tv, OUT_DIV);
}

/* One adapter per shape: rows == 0 is the single-row call, else the rows call (ld = n + 3)
 * into o[0..rows). T = 0.7 for the logits families. */
#define ADAPT_PAIR(family, t, T)                                                               \
    static void call_##family##_##t(const void *x, const void *y, size_t rows, size_t n,      \
                                    outputs *o)                                                \
    {                                                                                          \
        double f[ROWS], r[ROWS];                                                               \
        if (rows)                                                                              \
            kld_rows_##family##_##t(x, y, rows, n, n + 3, n + 3, f, r);                        \
        else                                                                                   \
            kld_##family##_##t(x, y, n, f, r);                                                 \
        for (size_t i = 0; i < (rows ? rows : 1); i++)                                         \
            o[i] = divs(f[i], r[i], 2);                                                        \
    }
#define ADAPT_ONE(family, t, T)                                                                \
    static void call_##family##_##t(const void *x, const void *y, size_t rows, size_t n,      \
                                    outputs *o)                                                \
    {                                                                                          \
        double v[ROWS];                                                                        \
        if (rows)                                                                              \
            kld_rows_##family##_##t(x, y, rows, n, n + 3, n + 3, v);                           \
        else                                                                                   \
            v[0] = kld_##family##_##t(x, y, n);                                                \
        for (size_t i = 0; i < (rows ? rows : 1); i++)                                         \
            o[i] = divs(v[i], 0.0, 1);                                                         \
    }
#define ADAPT_STATS(family, t, T)                                                              \
    static void call_##family##_##t(const void *x, const void *y, size_t rows, size_t n,      \
                                    outputs *o)                                                \
    {                                                                                          \
        kld_stats s[ROWS];                                                                     \
        if (rows)                                                                              \
            kld_rows_##family##_##t(x, y, rows, n, n + 3, n + 3, s);                           \
        else                                                                                   \
            kld_##family##_##t(x, y, n, s);                                                    \
        for (size_t i = 0; i < (rows ? rows : 1); i++)                                         \
            put_stats(&o[i], &s[i]);                                                           \
    }
#define ADAPT_LOGIT_PAIR(family, t, T)                                                         \
    static void call_##family##_##t(const void *x, const void *y, size_t rows, size_t n,      \
                                    outputs *o)                                                \
    {                                                                                          \
        double f[ROWS], r[ROWS];                                                               \
        if (rows)                                                                              \
            kld_rows_##family##_##t(x, y, rows, n, n + 3, n + 3, 1.0f, f, r);                  \
        else                                                                                   \
            kld_##family##_##t(x, y, n, f, r);                                                 \
        for (size_t i = 0; i < (rows ? rows : 1); i++)                                         \
            o[i] = divs(f[i], r[i], 2);                                                        \
    }
#define ADAPT_LOGIT_ONE(family, t, T)                                                          \
    static void call_##family##_##t(const void *x, const void *y, size_t rows, size_t n,      \
                                    outputs *o)                                                \
    {                                                                                          \
        double v[ROWS];                                                                        \
        if (rows)                                                                              \
            kld_rows_##family##_##t(x, y, rows, n, n + 3, n + 3, 0.7f, v);                     \
        else                                                                                   \
            v[0] = kld_##family##_##t(x, y, n, 0.7f);                                          \
        for (size_t i = 0; i < (rows ? rows : 1); i++)                                         \
            o[i] = divs(v[i], 0.0, 1);                                                         \
    }
#define ADAPT_LOGIT_STATS(family, t, T)                                                        \
    static void call_##family##_##t(const void *x, const void *y, size_t rows, size_t n,      \
                                    outputs *o)                                                \
    {                                                                                          \
        kld_logit_stats s[ROWS];                                                               \
        if (rows)                                                                              \
            kld_rows_##family##_##t(x, y, rows, n, n + 3, n + 3, 0.7f, s);                     \
        else                                                                                   \
            kld_##family##_##t(x, y, n, 0.7f, s);                                              \
        for (size_t i = 0; i < (rows ? rows : 1); i++)                                         \
            put_logit_stats(&o[i], &s[i]);                                                     \
    }
#define ADAPT_STATS_JS_TV(family, t, T)                                                        \
    static void call_##family##_##t(const void *x, const void *y, size_t rows, size_t n,      \
                                    outputs *o)                                                \
    {                                                                                          \
        kld_stats_js_tv s[ROWS];                                                               \
        if (rows)                                                                              \
            kld_rows_##family##_##t(x, y, rows, n, n + 3, n + 3, s);                           \
        else                                                                                   \
            kld_##family##_##t(x, y, n, s);                                                    \
        for (size_t i = 0; i < (rows ? rows : 1); i++)                                         \
            put_stats_js_tv(&o[i], &s[i]);                                                     \
    }
#define ADAPT_LOGIT_STATS_JS_TV(family, t, T)                                                  \
    static void call_##family##_##t(const void *x, const void *y, size_t rows, size_t n,      \
                                    outputs *o)                                                \
    {                                                                                          \
        kld_logit_stats_js_tv s[ROWS];                                                         \
        if (rows)                                                                              \
            kld_rows_##family##_##t(x, y, rows, n, n + 3, n + 3, 0.7f, s);                     \
        else                                                                                   \
            kld_##family##_##t(x, y, n, 0.7f, s);                                              \
        for (size_t i = 0; i < (rows ? rows : 1); i++)                                         \
            put_logit_stats_js_tv(&o[i], &s[i]);                                               \
    }
#define ADAPT(a, family, SHAPE, t, T) ADAPT_##SHAPE(family, t, T)
KLD_ENTRY_POINTS(ADAPT, )

typedef enum { TYPE_f32, TYPE_f64, TYPE_f16, TYPE_bf16 } elem_type;
static const size_t elem_size[] = {4, 8, 2, 2};

typedef struct {
    const char *name;
    elem_type type;
    int logits;
    void (*call)(const void *x, const void *y, size_t rows, size_t n, outputs *o);
} entry_point;

#define IS_LOGITS_PAIR 0
#define IS_LOGITS_ONE 0
#define IS_LOGITS_STATS 0
#define IS_LOGITS_LOGIT_PAIR 1
#define IS_LOGITS_LOGIT_ONE 1
#define IS_LOGITS_LOGIT_STATS 1
#define IS_LOGITS_STATS_JS_TV 0
#define IS_LOGITS_LOGIT_STATS_JS_TV 1
#define ENTRY(a, family, SHAPE, t, T) {#family "_" #t, TYPE_##t, IS_LOGITS_##SHAPE, call_##family##_##t},
static const entry_point entry_points[] = {KLD_ENTRY_POINTS(ENTRY, )};

/* x as the bits of an element type (f16 by the compiler's _Float16, bf16 rounded to nearest
 * even by its bits; neither is the library's conversion, which only widens). */
static void store(elem_type type, void *dst, size_t i, double x)
{
    float f = (float)x;
    uint32_t u;
    switch (type) {
    case TYPE_f32:
        ((float *)dst)[i] = f;
        break;
    case TYPE_f64:
        ((double *)dst)[i] = x;
        break;
    case TYPE_f16: {
        _Float16 h = (_Float16)f;
        memcpy((uint16_t *)dst + i, &h, 2);
        break;
    }
    case TYPE_bf16:
        memcpy(&u, &f, 4);
        ((uint16_t *)dst)[i] = (uint16_t)((u + 0x7fffu + (u >> 16 & 1u)) >> 16);
        break;
    }
}

/* ROWS rows of n (ld = n + 3, the 3 gap elements NaN so that a read past n shows) of LLM-like
 * probabilities or logits, each row its own distribution. */
static void fill(const entry_point *e, size_t n, void *x, void *y)
{
    size_t ld = n + 3;
    for (size_t r = 0; r < ROWS; r++) {
        uint64_t seed = 1000 * n + r;
        rows pr = e->logits ? (rows){0} : rows_llm(seed, n, 3.0, 0.5, r == 2);
        logits lg = e->logits ? logits_llm(seed, n, 3.0, 0.5, r == 2) : (logits){0};
        for (size_t i = 0; i < ld; i++) {
            double u = i >= n ? NAN : e->logits ? lg.a[i] : pr.p64[i];
            double v = i >= n ? NAN : e->logits ? lg.b[i] : pr.q64[i];
            store(e->type, x, r * ld + i, u);
            store(e->type, y, r * ld + i, v);
        }
        rows_free(&pr);
        logits_free(&lg);
    }
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Twice the tier of docs/accuracy.md at the reference's value (see the top of the file). */
static double cross_path_tolerance(double want, int kl_like)
{
    double a = fabs(want);
    if (!kl_like || a >= 1e-2)
        return 2e-6 * a + 2e-9;
    return a >= 1e-4 ? 2e-5 * a : 2e-9;
}

static void check_entry(const entry_point *e, kld_isa path, size_t n, void *x, void *y)
{
    size_t step = (n + 3) * elem_size[e->type];
    outputs rows_out[ROWS], one[ROWS], ref;
    fill(e, n, x, y);
    e->call(x, y, ROWS, n, rows_out);
    for (size_t r = 0; r < ROWS; r++) {
        const char *xr = (const char *)x + r * step, *yr = (const char *)y + r * step;
        e->call(xr, yr, 0, n, &one[r]);
        for (size_t k = 0; k < one[r].nv; k++)
            if (!same_bits(one[r].v[k], rows_out[r].v[k]))
                fail_msg("%s n=%zu row %zu output %zu: rows %.17g, single row %.17g", e->name, n,
                         r, k, rows_out[r].v[k], one[r].v[k]);
        assert_int_equal(kld_isa_force(KLD_ISA_SCALAR), 0);
        e->call(xr, yr, 0, n, &ref);
        assert_int_equal(kld_isa_force(path), 0);
        for (size_t k = 0; k < ref.nv; k++) {
            double got = one[r].v[k], want = ref.v[k];
            if (ref.kind[k] == OUT_INDEX
                    ? got != want
                    : !(fabs(got - want) <= cross_path_tolerance(want, ref.kind[k] == OUT_DIV)) &&
                          !(got == want || (isnan(got) && isnan(want))))
                fail_msg("%s on %s, n=%zu row %zu output %zu: %.17g, scalar %.17g", e->name,
                         kld_isa_name(path), n, r, k, got, want);
        }
    }
}

/* n = 0 gives zeros (lse -inf, argmax 0); a NULL input with n > 0 NaN (argmax n). */
static void check_conventions(const entry_point *e, const void *x)
{
    outputs o[ROWS];
    e->call(x, x, 0, 0, o);
    for (size_t k = 0; k < o[0].nv; k++)
        assert_true(o[0].kind[k] == OUT_LSE ? o[0].v[k] == -INFINITY : o[0].v[k] == 0.0);
    e->call(NULL, x, 0, 5, o);
    for (size_t k = 0; k < o[0].nv; k++)
        assert_true(o[0].kind[k] == OUT_INDEX ? o[0].v[k] == 5.0 : isnan(o[0].v[k]));
    e->call(x, NULL, ROWS, 5, o);
    for (size_t r = 0; r < ROWS; r++)
        assert_true(isnan(o[r].v[0]));
}

static void every_entry_point(void)
{
    kld_isa path = kld_isa_active();
    const size_t longer[] = {255, 1000, 4099};
    size_t cap = ROWS * (4099 + 3) * 8;
    void *x = malloc(cap), *y = malloc(cap);
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < sizeof entry_points / sizeof *entry_points; i++) {
        const entry_point *e = &entry_points[i];
        for (size_t n = 1; n <= 33; n++) /* every n below two AVX-512 f32 vectors, and one more */
            check_entry(e, path, n, x, y);
        for (size_t j = 0; j < sizeof longer / sizeof *longer; j++)
            check_entry(e, path, longer[j], x, y);
        check_conventions(e, x);
    }
    free(x);
    free(y);
}

const path_test entry_point_tests[] = {
    {"every_entry_point", every_entry_point},
};
const size_t entry_point_test_count = sizeof entry_point_tests / sizeof *entry_point_tests;
