/* test_guard.c - every entry point on every path with its inputs flush against inaccessible
 * (PROT_NONE) pages, before and after: a read outside [x, x+n) crashes the test. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "support.h"
#include "test_guard.h"

/* bytes of accessible memory between two PROT_NONE pages, flush against the end or the start */
typedef struct {
    char *map;
    size_t len;
    void *data;
} guarded;

static guarded guard_alloc(size_t bytes, int flush_end)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = (bytes + page - 1) / page;
    guarded g = {0};
    g.len = (pages + 2) * page;
    g.map = mmap(NULL, g.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(g.map != MAP_FAILED);
    if (pages)
        assert_int_equal(mprotect(g.map + page, pages * page, PROT_READ | PROT_WRITE), 0);
    g.data = flush_end ? g.map + page + pages * page - bytes : g.map + page;
    return g;
}

static void guard_free(guarded *g)
{
    munmap(g->map, g->len);
}

/* Calls every entry point on float/double probabilities and float logits of length n placed at
 * p, q, a, b. Rows use two rows of n/2 with ld = n/2. */
static void call_everything(const float *p, const float *q, const double *pd, const double *qd,
                            const float *a, const float *b, size_t n)
{
    double f, r, fr[2], rr[2];
    kld_stats s, sr[2];
    kld_logit_stats ls, lsr[2];
    kld_both_f32(p, q, n, &f, &r);
    assert_false(isnan(f) || isnan(r));
    kld_stats_f32(p, q, n, &s);
    (void)kld_forward_f32(p, q, n);
    (void)kld_reverse_f32(p, q, n);
    kld_both_f64(pd, qd, n, &f, &r);
    assert_false(isnan(f) || isnan(r));
    kld_stats_f64(pd, qd, n, &s);
    (void)kld_forward_f64(pd, qd, n);
    (void)kld_reverse_f64(pd, qd, n);
    kld_stats_logits_f32(a, b, n, 0.9f, &ls);
    assert_false(isnan(ls.kl.forward));
    kld_both_logits_f32(a, b, n, &f, &r);
    (void)kld_forward_logits_f32(a, b, n);
    (void)kld_reverse_logits_f32(a, b, n);
    size_t half = n / 2;
    kld_rows_both_f32(p, q, 2, half, half, half, fr, rr);
    kld_rows_stats_f32(p, q, 2, half, half, half, sr);
    kld_rows_both_logits_f32(a, b, 2, half, half, half, 1.0f, fr, rr);
    kld_rows_stats_logits_f32(a, b, 2, half, half, half, 1.0f, lsr);
    (void)kld_js_f32(p, q, n);
    (void)kld_tv_f32(p, q, n);
    (void)kld_js_f64(pd, qd, n);
    (void)kld_tv_f64(pd, qd, n);
    kld_rows_js_f32(p, q, 2, half, half, half, fr);
    kld_rows_tv_f64(pd, qd, 2, half, half, half, fr);
    (void)kld_js_logits_f32(a, b, n, 0.9f);
    (void)kld_tv_logits_f32(a, b, n, 1.0f);
    kld_rows_js_logits_f32(a, b, 2, half, half, half, 1.0f, fr);
    kld_rows_tv_logits_f32(a, b, 2, half, half, half, 0.5f, rr);
    (void)kld_check_f32(p, n, 1.0, NULL);
    (void)kld_check_f64(pd, n, 1.0, NULL);
}

/* The f16 and bf16 entry points on n elements of half bits at hp, hq (read as probabilities and
 * as logits); rows use two rows of n/2. */
static void call_half(const uint16_t *hp, const uint16_t *hq, size_t n)
{
    double f, r, fr[2], rr[2];
    kld_stats s, sr[2];
    kld_logit_stats ls, lsr[2];
    size_t half = n / 2;
    kld_both_f16(hp, hq, n, &f, &r);
    kld_stats_f16(hp, hq, n, &s);
    (void)kld_forward_f16(hp, hq, n);
    (void)kld_reverse_f16(hp, hq, n);
    kld_both_bf16(hp, hq, n, &f, &r);
    assert_false(isnan(f) || isnan(r));
    kld_stats_bf16(hp, hq, n, &s);
    (void)kld_forward_bf16(hp, hq, n);
    (void)kld_reverse_bf16(hp, hq, n);
    kld_stats_logits_f16(hp, hq, n, 0.9f, &ls);
    kld_both_logits_f16(hp, hq, n, &f, &r);
    (void)kld_forward_logits_f16(hp, hq, n);
    (void)kld_reverse_logits_f16(hp, hq, n);
    kld_stats_logits_bf16(hp, hq, n, 0.9f, &ls);
    kld_both_logits_bf16(hp, hq, n, &f, &r);
    (void)kld_forward_logits_bf16(hp, hq, n);
    (void)kld_reverse_logits_bf16(hp, hq, n);
    kld_rows_both_f16(hp, hq, 2, half, half, half, fr, rr);
    kld_rows_stats_f16(hp, hq, 2, half, half, half, sr);
    kld_rows_both_logits_f16(hp, hq, 2, half, half, half, 1.0f, fr, rr);
    kld_rows_stats_logits_f16(hp, hq, 2, half, half, half, 1.0f, lsr);
    kld_rows_both_bf16(hp, hq, 2, half, half, half, fr, rr);
    kld_rows_stats_bf16(hp, hq, 2, half, half, half, sr);
    kld_rows_both_logits_bf16(hp, hq, 2, half, half, half, 1.0f, fr, rr);
    kld_rows_stats_logits_bf16(hp, hq, 2, half, half, half, 1.0f, lsr);
    (void)kld_js_f16(hp, hq, n);
    (void)kld_tv_f16(hp, hq, n);
    (void)kld_js_bf16(hp, hq, n);
    (void)kld_tv_bf16(hp, hq, n);
    kld_rows_js_bf16(hp, hq, 2, half, half, half, fr);
    kld_rows_tv_f16(hp, hq, 2, half, half, half, fr);
    (void)kld_js_logits_f16(hp, hq, n, 1.0f);
    (void)kld_tv_logits_f16(hp, hq, n, 0.9f);
    (void)kld_js_logits_bf16(hp, hq, n, 0.9f);
    (void)kld_tv_logits_bf16(hp, hq, n, 1.0f);
    kld_rows_js_logits_f16(hp, hq, 2, half, half, half, 1.0f, fr);
    kld_rows_tv_logits_bf16(hp, hq, 2, half, half, half, 1.0f, rr);
}

static void guard_pages(void)
{
    static const size_t large[] = {1000, 4099, 65539};
    for (size_t k = 0; k <= 100 + sizeof large / sizeof *large; k++) {
        size_t n = k <= 100 ? k : large[k - 101];
        rows src = rows_llm(9000 + k, n, 3.0, 0.5, 0);
        for (int flush_end = 0; flush_end < 2; flush_end++) {
            guarded gp = guard_alloc(n * sizeof(float), flush_end),
                    gq = guard_alloc(n * sizeof(float), flush_end),
                    gpd = guard_alloc(n * sizeof(double), flush_end),
                    gqd = guard_alloc(n * sizeof(double), flush_end),
                    ga = guard_alloc(n * sizeof(float), flush_end),
                    gb = guard_alloc(n * sizeof(float), flush_end),
                    ghp = guard_alloc(n * sizeof(uint16_t), flush_end),
                    ghq = guard_alloc(n * sizeof(uint16_t), flush_end);
            float *a = ga.data, *b = gb.data;
            uint16_t *hp = ghp.data, *hq = ghq.data;
            if (n) {
                memcpy(gp.data, src.p32, n * sizeof(float));
                memcpy(gq.data, src.q32, n * sizeof(float));
                memcpy(gpd.data, src.p64, n * sizeof(double));
                memcpy(gqd.data, src.q64, n * sizeof(double));
            }
            for (size_t i = 0; i < n; i++) { /* logits: log of the probabilities */
                a[i] = logf(src.p32[i]);
                b[i] = logf(src.q32[i]);
                uint32_t bits[2]; /* bf16 bits: the float's top half */
                memcpy(&bits[0], &src.p32[i], 4);
                memcpy(&bits[1], &src.q32[i], 4);
                hp[i] = (uint16_t)(bits[0] >> 16);
                hq[i] = (uint16_t)(bits[1] >> 16);
            }
            call_everything(gp.data, gq.data, gpd.data, gqd.data, a, b, n);
            call_half(hp, hq, n);
            guard_free(&gp);
            guard_free(&gq);
            guard_free(&gpd);
            guard_free(&gqd);
            guard_free(&ga);
            guard_free(&gb);
            guard_free(&ghp);
            guard_free(&ghq);
        }
        rows_free(&src);
    }
}

const path_test guard_tests[] = {
    {"guard_pages", guard_pages},
};
const size_t guard_test_count = sizeof guard_tests / sizeof *guard_tests;
