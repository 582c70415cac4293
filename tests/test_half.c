/* test_half.c - the f16 and bf16 kernels on every path. Every f16 and bf16 value is a float, so
 * each half kernel must give, bit for bit, what the same path's f32 kernel gives on the widened
 * values (the widening here is written independently of the library's: ldexp of the fields),
 * and therefore also the f32 accuracy against the long-double reference. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "support.h"
#include "test_half.h"

typedef enum { F16, BF16 } half_kind;

/* The value of the bits, from the format's fields. */
static float widen(half_kind k, uint16_t h)
{
    int sign = h >> 15, ebits = k == F16 ? 5 : 8, mbits = 15 - ebits;
    int bias = (1 << (ebits - 1)) - 1, e = h >> mbits & ((1 << ebits) - 1);
    unsigned m = h & ((1u << mbits) - 1);
    double v;
    if (e == (1 << ebits) - 1)
        v = m ? NAN : INFINITY;
    else if (e == 0)
        v = ldexp((double)m, 1 - bias - mbits);
    else
        v = ldexp((double)(m | 1u << mbits), e - bias - mbits);
    return (float)(sign ? -v : v);
}

/* The nearest half value to x (ties to even), by search over the 65536 bit patterns' order:
 * slow but independent of any bit trick. Infinities and NaN map to their encodings. */
static uint16_t narrow(half_kind k, double x)
{
    uint16_t inf = k == F16 ? 0x7c00 : 0x7f80;
    if (isnan(x))
        return k == F16 ? 0x7e00 : 0x7fc0;
    uint16_t sign = signbit(x) ? 0x8000 : 0, lo = 0, hi = inf; /* magnitudes are ordered bits */
    double a = fabs(x);
    while (hi - lo > 1) {
        uint16_t mid = (uint16_t)((lo + hi) / 2);
        if (widen(k, mid) <= a)
            lo = mid;
        else
            hi = mid;
    }
    double dlo = a - widen(k, lo), dhi = hi == inf ? INFINITY : widen(k, hi) - a;
    uint16_t best = dlo < dhi || (dlo == dhi && !(lo & 1)) ? lo : hi;
    if (hi == inf && lo > 0 && a >= widen(k, lo) + (widen(k, lo) - widen(k, lo - 1)) / 2)
        best = inf; /* half an ulp or more beyond the largest finite value rounds to inf */
    return sign | best;
}

/* A row pair in half bits and the same values as floats. */
typedef struct {
    size_t n;
    uint16_t *hp, *hq;
    float *fp, *fq;
} half_rows;

static half_rows half_from(half_kind k, const double *p, const double *q, size_t n)
{
    half_rows h = {n, malloc((n + 1) * 2), malloc((n + 1) * 2), malloc((n + 1) * 4),
                   malloc((n + 1) * 4)};
    assert_true(h.hp && h.hq && h.fp && h.fq);
    for (size_t i = 0; i < n; i++) {
        h.hp[i] = narrow(k, p[i]);
        h.hq[i] = narrow(k, q[i]);
        h.fp[i] = widen(k, h.hp[i]);
        h.fq[i] = widen(k, h.hq[i]);
    }
    return h;
}

static void half_free(half_rows *h)
{
    free(h->hp);
    free(h->hq);
    free(h->fp);
    free(h->fq);
}

static int same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

static void assert_same_stats(const kld_stats *a, const kld_stats *b)
{
    assert_true(same(a->forward, b->forward) && same(a->reverse, b->reverse));
    assert_true(same(a->entropy_p, b->entropy_p) && same(a->entropy_q, b->entropy_q));
    assert_true(same(a->cross_pq, b->cross_pq) && same(a->cross_qp, b->cross_qp));
    assert_true(same(a->sum_p, b->sum_p) && same(a->sum_q, b->sum_q));
}

static void assert_same_logit_stats(const kld_logit_stats *a, const kld_logit_stats *b)
{
    assert_same_stats(&a->kl, &b->kl);
    assert_true(same(a->lse_a, b->lse_a) && same(a->lse_b, b->lse_b));
    assert_true(a->argmax_a == b->argmax_a && a->argmax_b == b->argmax_b);
}

/* Every probability entry point of one half kind on (hp, hq) against kld_*_f32 on (fp, fq). */
static void check_prob(half_kind k, const uint16_t *hp, const uint16_t *hq, const float *fp,
                       const float *fq, size_t n)
{
    double f, r, ff, rf;
    kld_stats s, sf;
    kld_both_f32(fp, fq, n, &ff, &rf);
    kld_stats_f32(fp, fq, n, &sf);
    if (k == F16) {
        kld_both_f16(hp, hq, n, &f, &r);
        kld_stats_f16(hp, hq, n, &s);
        assert_true(same(kld_forward_f16(hp, hq, n), ff) && same(kld_reverse_f16(hp, hq, n), rf));
    } else {
        kld_both_bf16(hp, hq, n, &f, &r);
        kld_stats_bf16(hp, hq, n, &s);
        assert_true(same(kld_forward_bf16(hp, hq, n), ff) &&
                    same(kld_reverse_bf16(hp, hq, n), rf));
    }
    assert_true(same(f, ff) && same(r, rf));
    assert_same_stats(&s, &sf);
}

/* Every logits entry point of one half kind at temperature t against kld_*_logits_f32. */
static void check_logits(half_kind k, const uint16_t *ha, const uint16_t *hb, const float *fa,
                         const float *fb, size_t n, float t)
{
    kld_logit_stats s, sf;
    double f, r, ff, rf, js, tv;
    kld_stats_logits_f32(fa, fb, n, t, &sf);
    kld_both_logits_f32(fa, fb, n, &ff, &rf);
    double jsf = kld_js_logits_f32(fa, fb, n, t), tvf = kld_tv_logits_f32(fa, fb, n, t);
    if (k == F16) {
        js = kld_js_logits_f16(ha, hb, n, t);
        tv = kld_tv_logits_f16(ha, hb, n, t);
        kld_stats_logits_f16(ha, hb, n, t, &s);
        kld_both_logits_f16(ha, hb, n, &f, &r);
        assert_true(same(kld_forward_logits_f16(ha, hb, n), ff) &&
                    same(kld_reverse_logits_f16(ha, hb, n), rf));
    } else {
        js = kld_js_logits_bf16(ha, hb, n, t);
        tv = kld_tv_logits_bf16(ha, hb, n, t);
        kld_stats_logits_bf16(ha, hb, n, t, &s);
        kld_both_logits_bf16(ha, hb, n, &f, &r);
        assert_true(same(kld_forward_logits_bf16(ha, hb, n), ff) &&
                    same(kld_reverse_logits_bf16(ha, hb, n), rf));
    }
    assert_same_logit_stats(&s, &sf);
    assert_true(same(f, ff) && same(r, rf) && same(js, jsf) && same(tv, tvf));
}

/* Probabilities and logits (log p) of LLM-like rows, both half kinds, n from 0 to 40 (every
 * tail of every width, AVX-512's 16 lanes twice) and every misalignment up to 15 elements. */
static void half_lengths_and_offsets(void)
{
    for (int k = F16; k <= BF16; k++)
        for (size_t n = 0; n <= 40; n++)
            for (size_t off = 0; off <= (n == 40 ? 15 : 0); off++) {
                rows r = rows_llm(500 + n, n + off, 3.0, 0.5, 0);
                half_rows h = half_from((half_kind)k, r.p64, r.q64, n + off);
                check_prob((half_kind)k, h.hp + off, h.hq + off, h.fp + off, h.fq + off, n);
                for (size_t i = 0; i < n + off; i++) { /* logits: log p, in the same format */
                    h.hp[i] = narrow((half_kind)k, log(r.p64[i]));
                    h.hq[i] = narrow((half_kind)k, log(r.q64[i]));
                    h.fp[i] = widen((half_kind)k, h.hp[i]);
                    h.fq[i] = widen((half_kind)k, h.hq[i]);
                }
                check_logits((half_kind)k, h.hp + off, h.hq + off, h.fp + off, h.fq + off, n,
                             1.0f);
                check_logits((half_kind)k, h.hp + off, h.hq + off, h.fp + off, h.fq + off, n,
                             0.7f);
                half_free(&h);
                rows_free(&r);
            }
}

/* A vocabulary-sized row: the half kernels equal the f32 kernels, and so meet the f32 bound
 * against the long-double reference of the widened values. */
static void half_llm_rows(void)
{
    const size_t n = 32000;
    for (int k = F16; k <= BF16; k++) {
        const dataset *d = dataset_get(2000, n, 3.0, 0.45, 0, NULL);
        half_rows h = half_from((half_kind)k, d->r.p64, d->r.q64, n);
        check_prob((half_kind)k, h.hp, h.hq, h.fp, h.fq, n);
        exact e = exact_f32(h.fp, h.fq, n);
        kld_stats s;
        if (k == F16)
            kld_stats_f16(h.hp, h.hq, n, &s);
        else
            kld_stats_bf16(h.hp, h.hq, n, &s);
        check_stats_f32(&s, &e);
        exact_logits el = exact_logits_f32(h.fp, h.fq, n, 1.0f); /* probabilities as logits */
        kld_logit_stats ls;
        if (k == F16)
            kld_stats_logits_f16(h.hp, h.hq, n, 1.0f, &ls);
        else
            kld_stats_logits_bf16(h.hp, h.hq, n, 1.0f, &ls);
        check_logit_stats(&ls, &el, n);
        half_free(&h);
    }
}

/* Zeros, subnormals, the largest finite, infinities, NaN and negatives in the body and the tail:
 * the same class of value as the f32 kernels on the widened values, bit for bit. */
static void half_special_values(void)
{
    static const uint16_t f16[] = {0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3800, 0x3c00,
                                   0x7bff, 0x7c00, 0xfc00, 0x7e00, 0xb400};
    static const uint16_t bf16[] = {0x0000, 0x8000, 0x0001, 0x007f, 0x0080, 0x3f00, 0x3f80,
                                    0x7f7f, 0x7f80, 0xff80, 0x7fc0, 0xbe80};
    const size_t n = 37, nv = sizeof f16 / sizeof *f16;
    for (int k = F16; k <= BF16; k++)
        for (size_t pos = 0; pos < n; pos += 12)
            for (size_t a = 0; a < nv; a++)
                for (size_t b = 0; b < nv; b++) {
                    rows r = rows_llm(pos * 100 + a * 13 + b, n, 3.0, 0.5, 0);
                    half_rows h = half_from((half_kind)k, r.p64, r.q64, n);
                    h.hp[pos] = k == F16 ? f16[a] : bf16[a];
                    h.hq[pos] = k == F16 ? f16[b] : bf16[b];
                    h.fp[pos] = widen((half_kind)k, h.hp[pos]);
                    h.fq[pos] = widen((half_kind)k, h.hq[pos]);
                    check_prob((half_kind)k, h.hp, h.hq, h.fp, h.fq, n);
                    check_logits((half_kind)k, h.hp, h.hq, h.fp, h.fq, n, 1.0f);
                    half_free(&h);
                    rows_free(&r);
                }
}

/* Rows equal the single-row calls bit for bit; NULL, n = 0 and bad temperatures follow the f32
 * conventions. */
static void half_rows_and_conventions(void)
{
    const size_t n = 300, ld = 317;
    rows r = rows_llm(77, 3 * ld, 3.0, 0.3, 0);
    for (int k = F16; k <= BF16; k++) {
        half_rows h = half_from((half_kind)k, r.p64, r.q64, 3 * ld);
        double fw[3], rv[3], f, b;
        kld_stats st[3], s;
        kld_logit_stats ls[3], l;
        int f16 = k == F16;
        (f16 ? kld_rows_both_f16 : kld_rows_both_bf16)(h.hp, h.hq, 3, n, ld, ld, fw, rv);
        (f16 ? kld_rows_stats_f16 : kld_rows_stats_bf16)(h.hp, h.hq, 3, n, ld, ld, st);
        (f16 ? kld_rows_stats_logits_f16 : kld_rows_stats_logits_bf16)(h.hp, h.hq, 3, n, ld, ld,
                                                                       0.9f, ls);
        for (size_t i = 0; i < 3; i++) {
            (f16 ? kld_both_f16 : kld_both_bf16)(h.hp + i * ld, h.hq + i * ld, n, &f, &b);
            assert_true(same(f, fw[i]) && same(b, rv[i]));
            (f16 ? kld_stats_f16 : kld_stats_bf16)(h.hp + i * ld, h.hq + i * ld, n, &s);
            assert_same_stats(&s, &st[i]);
            (f16 ? kld_stats_logits_f16 : kld_stats_logits_bf16)(h.hp + i * ld, h.hq + i * ld, n,
                                                                 0.9f, &l);
            assert_same_logit_stats(&l, &ls[i]);
        }
        (f16 ? kld_rows_both_logits_f16 : kld_rows_both_logits_bf16)(h.hp, h.hq, 3, n, ld, ld,
                                                                     0.9f, fw, rv);
        for (size_t i = 0; i < 3; i++)
            assert_true(same(fw[i], ls[i].kl.forward) && same(rv[i], ls[i].kl.reverse));
        /* conventions */
        assert_true(isnan((f16 ? kld_forward_f16 : kld_forward_bf16)(NULL, h.hq, 5)));
        assert_true((f16 ? kld_forward_f16 : kld_forward_bf16)(NULL, NULL, 0) == 0);
        (f16 ? kld_stats_logits_f16 : kld_stats_logits_bf16)(h.hp, h.hq, n, 1e-40f, &l);
        assert_true(isnan(l.kl.forward) && l.argmax_a == n);
        (f16 ? kld_stats_logits_f16 : kld_stats_logits_bf16)(h.hp, NULL, n, 1.0f, &l);
        assert_true(isnan(l.kl.reverse));
        (f16 ? kld_rows_both_f16 : kld_rows_both_bf16)(h.hp, h.hq, 2, n, n - 1, n, fw, rv);
        assert_true(isnan(fw[0]) && isnan(rv[1])); /* ld < n with two rows */
        half_free(&h);
    }
    rows_free(&r);
}

const path_test half_tests[] = {
    {"half_lengths_and_offsets", half_lengths_and_offsets},
    {"half_llm_rows", half_llm_rows},
    {"half_special_values", half_special_values},
    {"half_rows_and_conventions", half_rows_and_conventions},
};
const size_t half_test_count = sizeof half_tests / sizeof *half_tests;
