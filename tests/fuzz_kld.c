/* fuzz_kld.c - differential fuzz target: turns the input bytes into p and q (or logits a, b, or an
 * .npy header) full of zeros, subnormals, NaN, infinities, negatives, near-equal pairs and huge
 * ratios, and checks that every runnable path agrees with the scalar reference within the
 * documented bounds, or in the same NaN/infinity class; and that the f16 and bf16 kernels give
 * the f32 kernels' bits on the widened values. Built for libFuzzer with -Dfuzz=true;
 * otherwise fuzz_replay.c runs it over the regression corpus in tests/corpus/. */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kld.h"
#include "npy.h"

#define MAX_N 300

typedef struct {
    const uint8_t *d;
    size_t n;
} bytes;

static unsigned take(bytes *b)
{
    if (!b->n)
        return 0;
    b->n--;
    return *b->d++;
}

static const double special[16] = {0.0,     -0.0,  1e-45, 1e-40, FLT_MIN, 1e-30, 1e-10, 1e-3,
                                   0.1,     0.5,   1.0,   2.0,   1e30,    3e38,  INFINITY, NAN};

/* One value: a special (maybe negated), a probability-like 2^-k, raw bits, or the previous value
 * nudged by a few ulps (p ~ q, where cancellation lives). */
static double value(bytes *b, double prev, int f64)
{
    unsigned c = take(b);
    switch (c & 3) {
    case 0:
        return (c & 0x80 ? -1 : 1) * special[c >> 2 & 15];
    case 1:
        return ldexp(1.0 + (double)(c >> 2) / 64.0, -(int)(take(b) % (f64 ? 1080 : 155)));
    case 2: {
        uint64_t bits = 0;
        for (int k = 0; k < (f64 ? 8 : 4); k++)
            bits = bits << 8 | take(b);
        if (f64) {
            double v;
            memcpy(&v, &bits, sizeof v);
            return v;
        }
        uint32_t b32 = (uint32_t)bits;
        float v;
        memcpy(&v, &b32, sizeof v);
        return v;
    }
    default:
        return f64 ? prev * (1 + ldexp((double)(int)(c >> 2) - 32, -50))
                   : (double)(float)(prev * (1 + ldexp((double)(int)(c >> 2) - 32, -22)));
    }
}

static void fail(const char *what, const char *path, double got, double want, double tol)
{
    fprintf(stderr, "fuzz_kld: %s on %s: got %.17g, want %.17g (tolerance %.3g)\n", what, path,
            got, want, tol);
    abort();
}

/* Same class as the reference (NaN, the same infinity) or within tol of it. When the terms' scale
 * is near the double range (tol, which is proportional to it, is huge or infinite), partial sums
 * overflow in an order-dependent way (inf + -inf = NaN in one order, -inf in another), so only
 * NaN-versus-number and sign classes are not compared there. */
static void agree(const char *what, const char *path, double got, double want, double tol)
{
    if (!(tol < 1e290))
        return;
    if (isnan(want) ? isnan(got) : isinf(want) ? got == want : fabs(got - want) <= tol)
        return;
    fail(what, path, got, want, tol);
}

/* sum |p log p| over positive finite p (likewise q), and |p log(p/q)|, |p log q| over positive
 * finite pairs: the scales of the bounds */
typedef struct {
    double kl_f, kl_r, h_p, h_q, c_pq, c_qp, p, q;
} scales;

static scales scales_of(const double *p, const double *q, size_t n)
{
    scales s = {0};
    for (size_t i = 0; i < n; i++) {
        double x = fabs(p[i]), y = fabs(q[i]);
        s.p += x;
        s.q += y;
        double lx = x > 0 && isfinite(x) ? log(x) : 0, ly = y > 0 && isfinite(y) ? log(y) : 0;
        s.h_p += x * fabs(lx);
        s.h_q += y * fabs(ly);
        if (x > 0 && y > 0 && isfinite(x) && isfinite(y)) {
            double r = x / y, lr = r >= DBL_MIN && r <= DBL_MAX ? log(r) : lx - ly; /* no cancel */
            s.kl_f += x * fabs(lr);
            s.kl_r += y * fabs(lr);
            s.c_pq += x * fabs(ly);
            s.c_qp += y * fabs(lx);
        }
    }
    return s;
}

/* f32: the derived bound 4.0e-7 * sum|t| + 2.2e-11 * sum p, with margin for the reference's own
 * 1e-14; f64: 3.1e-14 * sum|t| (n <= 300 here), with the same margin. Entropies and crosses
 * follow their terms' scale. Plain sums: the same doubles in another order. */
static void compare_prob(const kld_stats *got, const kld_stats *ref, const scales *s, int f64,
                         const char *path)
{
    double rel = f64 ? 1e-13 : 5e-7, abs_p = f64 ? 1e-300 : 5e-11;
    agree("forward", path, got->forward, ref->forward, rel * s->kl_f + abs_p * s->p + 1e-300);
    agree("reverse", path, got->reverse, ref->reverse, rel * s->kl_r + abs_p * s->q + 1e-300);
    agree("entropy_p", path, got->entropy_p, ref->entropy_p, rel * s->h_p + 1e-300);
    agree("entropy_q", path, got->entropy_q, ref->entropy_q, rel * s->h_q + 1e-300);
    agree("cross_pq", path, got->cross_pq, ref->cross_pq,
          rel * (s->c_pq + s->kl_f + s->h_p) + abs_p * s->p + 1e-300);
    agree("cross_qp", path, got->cross_qp, ref->cross_qp,
          rel * (s->c_qp + s->kl_r + s->h_q) + abs_p * s->q + 1e-300);
    agree("sum_p", path, got->sum_p, ref->sum_p, 1e-13 * s->p + 1e-300);
    agree("sum_q", path, got->sum_q, ref->sum_q, 1e-13 * s->q + 1e-300);
}

/* stats and both on the active path, on the double or the float copy of the input. */
static void prob_kernels(int f64, const float *pf, const float *qf, const double *pd,
                         const double *qd, size_t n, kld_stats *st, double *f, double *r)
{
    if (f64) {
        kld_stats_f64(pd, qd, n, st);
        kld_both_f64(pd, qd, n, f, r);
    } else {
        kld_stats_f32(pf, qf, n, st);
        kld_both_f32(pf, qf, n, f, r);
    }
}

/* The fused entry points on the active path: every field the separate kernels' bits (kld.h). */
static void fused_prob(int f64, const float *pf, const float *qf, const double *pd,
                       const double *qd, size_t n)
{
    kld_stats_js_tv all, sep;
    if (f64) {
        kld_stats_js_tv_f64(pd, qd, n, &all);
        kld_stats_f64(pd, qd, n, &sep.stats);
        sep.js = kld_js_f64(pd, qd, n), sep.tv = kld_tv_f64(pd, qd, n);
    } else {
        kld_stats_js_tv_f32(pf, qf, n, &all);
        kld_stats_f32(pf, qf, n, &sep.stats);
        sep.js = kld_js_f32(pf, qf, n), sep.tv = kld_tv_f32(pf, qf, n);
    }
    if (memcmp(&all, &sep, sizeof all))
        fail("stats_js_tv", kld_isa_name(kld_isa_active()), all.js, sep.js, 0);
}

static void fused_logits(const float *a, const float *b, size_t n, float t)
{
    kld_logit_stats_js_tv all, sep;
    kld_stats_js_tv_logits_f32(a, b, n, t, &all);
    kld_stats_logits_f32(a, b, n, t, &sep.stats);
    sep.js = kld_js_logits_f32(a, b, n, t), sep.tv = kld_tv_logits_f32(a, b, n, t);
    if (memcmp(&all, &sep, sizeof all))
        fail("stats_js_tv_logits", kld_isa_name(kld_isa_active()), all.js, sep.js, 0);
}

static void fuzz_prob(bytes *b, int f64)
{
    double pd[MAX_N], qd[MAX_N], prev = 0.5;
    float pf[MAX_N], qf[MAX_N];
    size_t n = 0;
    while (b->n && n < MAX_N) {
        pd[n] = prev = value(b, prev, f64);
        qd[n] = prev = value(b, prev, f64);
        pf[n] = (float)pd[n];
        qf[n] = (float)qd[n];
        if (!f64) { /* the float inputs, exactly */
            pd[n] = pf[n];
            qd[n] = qf[n];
        }
        n++;
    }
    scales s = scales_of(pd, qd, n);
    kld_stats ref, got;
    double rf, rr, gf, gr;
    kld_isa_force(KLD_ISA_SCALAR);
    prob_kernels(f64, pf, qf, pd, qd, n, &ref, &rf, &rr);
    double ref_js = f64 ? kld_js_f64(pd, qd, n) : kld_js_f32(pf, qf, n);
    double ref_tv = f64 ? kld_tv_f64(pd, qd, n) : kld_tv_f32(pf, qf, n);
    fused_prob(f64, pf, qf, pd, qd, n);
    for (int isa = 1; isa < KLD_ISA_COUNT; isa++) {
        if (kld_isa_force((kld_isa)isa) != 0)
            continue;
        const char *path = kld_isa_name((kld_isa)isa);
        fused_prob(f64, pf, qf, pd, qd, n);
        prob_kernels(f64, pf, qf, pd, qd, n, &got, &gf, &gr);
        compare_prob(&got, &ref, &s, f64, path);
        agree("both.forward", path, gf, rf, (f64 ? 1e-13 : 5e-7) * s.kl_f + 5e-11 * s.p + 1e-300);
        /* JS: every term >= 0, 7e-7 relative (f32) by its derivation; TV one rounding a term */
        double js = f64 ? kld_js_f64(pd, qd, n) : kld_js_f32(pf, qf, n);
        double tv = f64 ? kld_tv_f64(pd, qd, n) : kld_tv_f32(pf, qf, n);
        agree("js", path, js, ref_js, (f64 ? 1e-13 : 1e-6) * fabs(ref_js) + 1e-300);
        agree("tv", path, tv, ref_tv, (f64 ? 1e-14 : 2e-7) * fabs(ref_tv) + 1e-300);
        agree("both.reverse", path, gr, rr, (f64 ? 1e-13 : 5e-7) * s.kl_r + 5e-11 * s.q + 1e-300);
    }
}

static const float logit_special[16] = {-INFINITY, 0.0f, 1.0f,  -1.0f, 10.0f, -10.0f, 100.0f, 1e4f,
                                        -1e4f,     1e30f, -1e30f, 3e38f, -3e38f, NAN,    INFINITY,
                                        1e-30f};
static const float temperatures[8] = {1.0f, 0.5f, 2.0f, 1e-3f, 7.0f, 1e-30f, 1e30f, 0.9f};

/* The accuracy promised for JS and TV from float logits: 1e-6 relative at 1e-2 and above, 1e-5
 * at 1e-4 and above, 1e-9 absolute below. */
static double div_tier(double v)
{
    double a = fabs(v);
    return a >= 1e-2 ? 1e-6 * a : a >= 1e-4 ? 1e-5 * a : 1e-9;
}

static void fuzz_logits(bytes *b)
{
    float a[MAX_N], bb[MAX_N];
    float t = temperatures[take(b) & 7];
    size_t n = 0;
    while (b->n && n < MAX_N) {
        for (int k = 0; k < 2; k++) {
            unsigned c = take(b);
            float v = (c & 1) ? logit_special[c >> 1 & 15]
                              : (float)((int)(c >> 1) - 64) / 8.0f + (float)(int8_t)take(b) / 1024.0f;
            (k ? bb : a)[n] = v;
        }
        n++;
    }
    kld_logit_stats ref, got;
    kld_isa_force(KLD_ISA_SCALAR);
    kld_stats_logits_f32(a, bb, n, t, &ref);
    double ref_js = kld_js_logits_f32(a, bb, n, t), ref_tv = kld_tv_logits_f32(a, bb, n, t);
    fused_logits(a, bb, n, t);
    for (int isa = 1; isa < KLD_ISA_COUNT; isa++) {
        if (kld_isa_force((kld_isa)isa) != 0)
            continue;
        const char *path = kld_isa_name((kld_isa)isa);
        fused_logits(a, bb, n, t);
        kld_stats_logits_f32(a, bb, n, t, &got);
        /* documented: ~4e-7 relative (times the ratio of the noise mean to its spread) for close
         * distributions; the scalar reference's own cancellation is ~1e-16 of the lse terms */
        double slack = 1e-15 * (fabs(ref.lse_a) + fabs(ref.lse_b)) + 1e-12;
        agree("logits.forward", path, got.kl.forward, ref.kl.forward,
              1e-5 * fabs(ref.kl.forward) + slack);
        agree("logits.reverse", path, got.kl.reverse, ref.kl.reverse,
              1e-5 * fabs(ref.kl.reverse) + slack);
        /* x = (a - max a)/T is rounded in float and exp turns that into |x| * 2^-24 relative on
         * each weight: an entropy carried by tail tokens (x ~ -20) is good to a few 1e-6 */
        agree("logits.entropy_p", path, got.kl.entropy_p, ref.kl.entropy_p,
              1e-5 * fabs(ref.kl.entropy_p) + slack);
        agree("logits.entropy_q", path, got.kl.entropy_q, ref.kl.entropy_q,
              1e-5 * fabs(ref.kl.entropy_q) + slack);
        agree("logits.lse_a", path, got.lse_a, ref.lse_a, 1e-6 * fabs(ref.lse_a) + 1e-6);
        agree("logits.lse_b", path, got.lse_b, ref.lse_b, 1e-6 * fabs(ref.lse_b) + 1e-6);
        if (got.argmax_a != ref.argmax_a || got.argmax_b != ref.argmax_b)
            fail("logits.argmax", path, (double)got.argmax_a, (double)ref.argmax_a, 0);
        double f, r; /* the KL-only kernel, through the rows API: the stats kernel's bits */
        kld_rows_both_logits_f32(a, bb, 1, n, n, n, t, &f, &r);
        if (memcmp(&f, &got.kl.forward, sizeof f) || memcmp(&r, &got.kl.reverse, sizeof r))
            fail("logits.both", path, f, got.kl.forward, 0);
        /* JS and TV: kld.h's tiers (docs/accuracy.md) */
        agree("logits.js", path, kld_js_logits_f32(a, bb, n, t), ref_js, div_tier(ref_js));
        agree("logits.tv", path, kld_tv_logits_f32(a, bb, n, t), ref_tv, div_tier(ref_tv));
    }
}

/* f16 or bf16 bits to float, from the fields (independent of the library's conversion). */
static float half_value(int bf16, uint16_t h)
{
    int ebits = bf16 ? 8 : 5, mbits = 15 - ebits, bias = (1 << (ebits - 1)) - 1;
    int e = h >> mbits & ((1 << ebits) - 1);
    unsigned m = h & ((1u << mbits) - 1);
    double v = e == (1 << ebits) - 1 ? (m ? NAN : INFINITY)
               : e == 0              ? ldexp((double)m, 1 - bias - mbits)
                                     : ldexp((double)(m | 1u << mbits), e - bias - mbits);
    return (float)(h >> 15 ? -v : v);
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

static void same_stats(const char *what, const char *path, const kld_stats *a, const kld_stats *b)
{
    const double *x = &a->forward, *y = &b->forward; /* kld_stats is eight doubles */
    for (int k = 0; k < 8; k++)
        if (!same_bits(x[k], y[k]))
            fail(what, path, x[k], y[k], 0);
}

/* f16 and bf16: every path's half kernels must give the bits of the same path's f32 kernels on
 * the widened values (the f32 kernels are checked against the reference above). The bits come
 * raw from the input, or as specials; temperatures include some below 1/FLT_MAX, which have no
 * float 1/T and must give NaN on every path. */
static void fuzz_half(bytes *b, int bf16, int logits)
{
    static const float temps[8] = {1.0f, 0.9f, 1e-3f, 3e-39f, 1e-40f, 2.5e-39f, 1e30f, 0.0f};
    static const uint16_t special[2][8] = {{0x0000, 0x8000, 0x0001, 0x7bff, 0x7c00, 0xfc00, 0x7e00,
                                            0x3c00},
                                           {0x0000, 0x8000, 0x0001, 0x7f7f, 0x7f80, 0xff80, 0x7fc0,
                                            0x3f80}};
    uint16_t hp[MAX_N], hq[MAX_N];
    float fp[MAX_N], fq[MAX_N];
    float t = temps[take(b) & 7];
    size_t n = 0;
    while (b->n && n < MAX_N) {
        for (int k = 0; k < 2; k++) {
            unsigned c = take(b);
            uint16_t h = c & 1 ? special[bf16][c >> 1 & 7] : (uint16_t)(take(b) << 8 | c);
            (k ? hq : hp)[n] = h;
            (k ? fq : fp)[n] = half_value(bf16, h);
        }
        n++;
    }
    for (int isa = 0; isa < KLD_ISA_COUNT; isa++) {
        if (kld_isa_force((kld_isa)isa) != 0)
            continue;
        const char *path = kld_isa_name((kld_isa)isa);
        if (logits) {
            kld_logit_stats got, want;
            kld_stats_logits_f32(fp, fq, n, t, &want);
            (bf16 ? kld_stats_logits_bf16 : kld_stats_logits_f16)(hp, hq, n, t, &got);
            same_stats("half logits", path, &got.kl, &want.kl);
            if (!same_bits(got.lse_a, want.lse_a) || got.argmax_a != want.argmax_a ||
                got.argmax_b != want.argmax_b)
                fail("half logits lse/argmax", path, got.lse_a, want.lse_a, 0);
            if (!((float)(1.0 / t) <= FLT_MAX) && !(isnan(got.kl.forward) && got.argmax_a == n))
                fail("temperature without a float 1/T", path, got.kl.forward, NAN, 0);
            double js = (bf16 ? kld_js_logits_bf16 : kld_js_logits_f16)(hp, hq, n, t);
            double tv = (bf16 ? kld_tv_logits_bf16 : kld_tv_logits_f16)(hp, hq, n, t);
            if (!same_bits(js, kld_js_logits_f32(fp, fq, n, t)) ||
                !same_bits(tv, kld_tv_logits_f32(fp, fq, n, t)))
                fail("half js/tv logits", path, js, tv, 0);
        } else {
            kld_stats got, want;
            kld_stats_f32(fp, fq, n, &want);
            (bf16 ? kld_stats_bf16 : kld_stats_f16)(hp, hq, n, &got);
            same_stats("half stats", path, &got, &want);
            double f, r;
            (bf16 ? kld_both_bf16 : kld_both_f16)(hp, hq, n, &f, &r);
            kld_both_f32(fp, fq, n, &want.forward, &want.reverse);
            if (!same_bits(f, want.forward) || !same_bits(r, want.reverse))
                fail("half both", path, f, want.forward, 0);
        }
    }
}

/* The .npy header parser on hostile bytes: no crash, and an accepted shape never overflows. */
static void fuzz_npy(bytes *b)
{
    npy_info info;
    char err[256];
    if (npy_parse_dict((const char *)b->d, b->n, 1, &info, err, sizeof err) == 0) {
        if (info.rows == 0 || info.cols == 0 ||
            info.cols > UINT64_MAX / (uint64_t)info.itemsize / info.rows)
            fail("npy shape", "parser", (double)info.rows, (double)info.cols, 0);
    }
    FILE *f = fmemopen((void *)b->d, b->n ? b->n : 1, "rb");
    if (f) {
        (void)npy_read_header(f, &info, err, sizeof err);
        fclose(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bytes b = {data, size};
    unsigned mode = take(&b);
    if (mode & 0x40) { /* bit 6: the half-precision kernels (the older modes keep their bytes) */
        fuzz_half(&b, mode & 1, mode >> 1 & 1);
        return 0;
    }
    switch (mode & 3) {
    case 0:
        fuzz_prob(&b, 0);
        break;
    case 1:
        fuzz_prob(&b, 1);
        break;
    case 2:
        fuzz_logits(&b);
        break;
    default:
        fuzz_npy(&b);
    }
    return 0;
}
