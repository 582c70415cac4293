/* test_distill.c - the distillation kernels (kld_distill_*) on every path: the loss and the
 * gradient against a float64 reference written here from the definitions (kld.h), each gradient
 * element within docs/accuracy.md's bound, and against the scalar reference path; the gradient's sum (0 for a
 * softmax gradient), central differences of the f64 entry point, masks, NaN/inf, temperatures,
 * n = 0, 1 and every n below two AVX-512 vectors, rows with strides, misaligned pointers, and the
 * f16/bf16 entry points (the f32 kernel on the widened logits, bit for bit; the native gradient
 * the nearest half value to the float one). */
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
#include "test_distill.h"

static const kld_distill_kind kinds[] = {KLD_DISTILL_FORWARD, KLD_DISTILL_REVERSE, KLD_DISTILL_JS};
static const char *const kind_names[] = {"forward", "reverse", "js"};

/* The float64 reference: loss and gradient of student s and teacher t at temperature T from the
 * definitions (kld.h), computed in double (~1e-16 relative per gradient element and ~1e-15
 * absolute on the loss: far below the bounds checked, and fast under qemu, where long double is
 * software), with the kernels' temperature rule (logits scaled by fl32(1/T)). Also, per element,
 * the scale of the documented error bound: inv_t (p + q) (1 + |log p| + |log q| + |r - K| + K),
 * r = log(q/p) or log(q/m) (docs/accuracy.md, "Distillation"). */
typedef struct {
    double loss, k, inv_t;
    double *grad, *scale;
} exact_distill;

static double lse(const float *x, size_t n, double inv_t, double *max)
{
    double m = -INFINITY, z = 0;
    for (size_t i = 0; i < n; i++)
        m = x[i] > m ? x[i] : m;
    for (size_t i = 0; i < n; i++)
        z += x[i] > -INFINITY ? exp((x[i] - m) * inv_t) : 0;
    *max = m;
    return log(z);
}

static exact_distill distill_exact(const float *s, const float *t, size_t n, float temperature,
                                   kld_distill_kind kind)
{
    exact_distill e = {0, 0, (float)(1.0 / (double)temperature), NULL, NULL};
    e.grad = calloc(n + 1, sizeof *e.grad);
    e.scale = calloc(n + 1, sizeof *e.scale);
    double *lp = calloc(n + 1, sizeof *lp), *lq = calloc(n + 1, sizeof *lq), *r = e.scale;
    assert_non_null(e.grad);
    assert_non_null(e.scale);
    assert_non_null(lp);
    assert_non_null(lq);
    double ms, mt, zs = lse(s, n, e.inv_t, &ms), zt = lse(t, n, e.inv_t, &mt);
    for (size_t i = 0; i < n; i++) {
        lq[i] = s[i] > -INFINITY ? (s[i] - ms) * e.inv_t - zs : -INFINITY;
        lp[i] = t[i] > -INFINITY ? (t[i] - mt) * e.inv_t - zt : -INFINITY;
        double p = exp(lp[i]), q = exp(lq[i]);
        int p_on = lp[i] > -INFINITY, q_on = lq[i] > -INFINITY;
        if (kind == KLD_DISTILL_FORWARD) {
            r[i] = 0;
            e.loss += p_on ? (q_on ? p * (lp[i] - lq[i]) : INFINITY) : 0;
        } else if (kind == KLD_DISTILL_REVERSE) {
            r[i] = q_on ? lq[i] - lp[i] : 0;
            e.loss += q_on ? (p_on ? q * r[i] : INFINITY) : 0;
        } else {
            /* log m as a log-sum-exp: (p + q)/2 underflows where p or q alone does not */
            double hi = fmax(lp[i], lq[i]);
            double lm = hi == -INFINITY ? hi : hi + log1p(exp(-fabs(lp[i] - lq[i]))) - log(2.0);
            r[i] = q > 0 ? lq[i] - lm : 0;
            e.loss += ((p > 0 ? p * (lp[i] - lm) : 0) + (q > 0 ? q * r[i] : 0)) / 2;
        }
        e.k += q > 0 ? q * r[i] : 0;
    }
    for (size_t i = 0; i < n; i++) {
        double p = exp(lp[i]), q = exp(lq[i]);
        if (kind == KLD_DISTILL_FORWARD)
            e.grad[i] = e.inv_t * (q - p);
        else
            e.grad[i] = q > 0 ? e.inv_t * q * (r[i] - e.k) * (kind == KLD_DISTILL_JS ? 0.5 : 1) : 0;
        double logs = (p > 0 ? fabs(lp[i]) : 0) + (q > 0 ? fabs(lq[i]) : 0);
        e.scale[i] = e.inv_t * (p + q) * (1 + logs + fabs(r[i] - e.k) + fabs(e.k));
    }
    free(lp);
    free(lq);
    return e;
}

static void exact_free(exact_distill *e)
{
    free(e->grad);
    free(e->scale);
}

/* docs/accuracy.md: each element within 2^-17 of its scale (the first-order bound is about
 * 2^-20 of it: a few float roundings of each of p, q, log(q/p) and K, with 8x to spare); the
 * loss within the logits kernels' tiers. */
#define GRAD_BOUND 0x1p-17

static double loss_tol(kld_distill_kind kind, double loss)
{
    return kind == KLD_DISTILL_JS ? tol_div_f32(loss) : tol_kl_f32(loss, fabs(loss));
}

/* The f32 entry point on (s, t) against the float64 reference and the scalar path. */
static void check_row(const float *s, const float *t, size_t n, float temperature,
                        kld_distill_kind kind)
{
    exact_distill e = distill_exact(s, t, n, temperature, kind);
    float *g = malloc((n + 1) * sizeof *g), *gr = malloc((n + 1) * sizeof *gr);
    assert_non_null(g);
    assert_non_null(gr);
    double loss, loss_ref;
    kld_distill_f32(s, t, n, temperature, kind, &loss, g);
    kld_isa path = kld_isa_active();
    assert_int_equal(kld_isa_force(KLD_ISA_SCALAR), 0);
    kld_distill_f32(s, t, n, temperature, kind, &loss_ref, gr);
    assert_int_equal(kld_isa_force(path), 0);
    check_close(kind_names[kind], loss, e.loss, loss_tol(kind, e.loss));
    check_close("reference loss", loss_ref, e.loss, loss_tol(kind, e.loss));
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        check_close("gradient", g[i], e.grad[i], GRAD_BOUND * e.scale[i] + 1e-40);
        check_close("gradient vs scalar path", g[i], gr[i],
                    2 * GRAD_BOUND * e.scale[i] + 1e-40);
        sum += g[i];
    }
    /* the sum: the bound of each element, summed (inv_t 2^-17 (2 + 2 E|log| + ...)); checked
     * tighter, at 2^-19 inv_t (1 + 2 K), which the rounding of p and q (2^-23 each) allows */
    check_close("gradient sum", sum, 0.0L, 0x1p-19 * e.inv_t * (1 + 2 * e.k));
    free(g);
    free(gr);
    exact_free(&e);
}

/* LLM-like rows (support.c's logits_llm: teacher z, student z + e) at every n below two AVX-512
 * vectors and beyond, three temperatures, far and close. */
static void distill_lengths(void)
{
    static const float temps[] = {1.0f, 0.7f, 2.0f};
    static const double spreads[] = {1.0, 1e-3};
    for (size_t n = 1; n <= 40; n++)
        for (size_t j = 0; j < 2; j++) {
            logits l = logits_llm(9100 + 10 * n + j, n, 3.0, spreads[j], 0);
            for (size_t k = 0; k < 3; k++)
                check_row(l.b, l.a, n, temps[(n + k) % 3], kinds[k]);
            logits_free(&l);
        }
    static const size_t longer[] = {257, 4099, 32000};
    for (size_t i = 0; i < 3; i++) {
        logits l = logits_llm(9500 + i, longer[i], 2.5, 0.3, i == 1);
        for (size_t k = 0; k < 3; k++)
            for (size_t tt = 0; tt < 3; tt++)
                check_row(l.b, l.a, l.n, temps[tt], kinds[k]);
        logits_free(&l);
    }
}

/* Far apart (|log q/p| > 1 on most tokens), large logits, a small and a large temperature. Like
 * every logits kernel, the SIMD paths form b - a in float first, exact for nearby logits: a
 * teacher and a student offset by different constants (+1000 and -500) lose 2^-24 |b - a| in each
 * log-ratio (2e-4 relative on the KL here, as kld_both_logits_f32), so the offset is common. */
static void distill_far_and_scaled(void)
{
    logits l = logits_llm(9600, 1000, 8.0, 6.0, 0), m = logits_llm(9601, 1000, 4.0, 0.1, 0);
    for (size_t k = 0; k < 3; k++) {
        check_row(l.b, l.a, l.n, 1.0f, kinds[k]);
        check_row(l.a, l.b, l.n, 0.25f, kinds[k]);
        check_row(m.b, m.a, m.n, 30.0f, kinds[k]);
    }
    for (size_t i = 0; i < m.n; i++)
        m.a[i] += 1000.0f, m.b[i] += 1000.0f; /* a common offset (b - a stays exact) */
    for (size_t k = 0; k < 3; k++)
        check_row(m.b, m.a, m.n, 1.0f, kinds[k]);
    logits_free(&l);
    logits_free(&m);
}

/* Central differences of the f64 entry point's loss, at h = 1e-5 (error ~h^2 |f'''| ~ 1e-10,
 * plus 1e-16 / h from the loss's rounding), against its gradient; and the f32 gradient against
 * the f64 one. */
static void distill_finite_differences(void)
{
    const double s[] = {0.3, -1.2, 2.0, 0.1, -0.4}, t[] = {1.1, -0.7, 1.5, -2.0, 0.2};
    const float sf[] = {0.3f, -1.2f, 2.0f, 0.1f, -0.4f}, tf[] = {1.1f, -0.7f, 1.5f, -2.0f, 0.2f};
    const size_t n = 5;
    const double h = 1e-5;
    for (size_t k = 0; k < 3; k++) {
        double g[5], loss, plus, minus, loss32;
        float g32[5];
        kld_distill_f64(s, t, n, 1.5f, kinds[k], &loss, g);
        kld_distill_f32(sf, tf, n, 1.5f, kinds[k], &loss32, g32);
        check_close("f32 loss vs f64", loss32, loss, 1e-6 * loss);
        for (size_t i = 0; i < n; i++) {
            double x[5];
            memcpy(x, s, sizeof x);
            x[i] = s[i] + h;
            kld_distill_f64(x, t, n, 1.5f, kinds[k], &plus, NULL);
            x[i] = s[i] - h;
            kld_distill_f64(x, t, n, 1.5f, kinds[k], &minus, NULL);
            check_close("finite difference", g[i], (plus - minus) / (2 * h), 1e-9);
            check_close("f32 gradient vs f64", g32[i], g[i], 1e-6);
        }
    }
}

/* By hand, T = 1: teacher (0, 0, -inf), student (0, -inf, -inf): P = (1/2, 1/2, 0), Q = (1, 0, 0).
 * Forward: +inf, gradient q - p = (1/2, -1/2, 0). Reverse: log 2, gradient q (log(q/p) - K) =
 * (0, 0, 0). JS: (log(2/(3/2))... as test_div_logits.c), gradient q/2 (log(q/m) - K) = 0 since Q
 * is one point (K = log(q/m) at it). Swapped (teacher one point, student two): reverse +inf with a
 * NaN gradient; JS finite. Then NaN, +inf, all -inf, bad temperatures, unknown kind, NULL, n = 0. */
static void distill_conventions(void)
{
    const float t[] = {0.0f, 0.0f, -INFINITY}, s[] = {0.0f, -INFINITY, -INFINITY};
    float g[3];
    double loss;
    kld_distill_f32(s, t, 3, 1.0f, KLD_DISTILL_FORWARD, &loss, g);
    assert_true(loss == INFINITY);
    check_close("masked g0", g[0], 0.5L, 1e-7);
    check_close("masked g1", g[1], -0.5L, 1e-7);
    assert_true(g[2] == 0.0f);
    kld_distill_f32(s, t, 3, 1.0f, KLD_DISTILL_REVERSE, &loss, g);
    check_close("reverse one point", loss, logl(2.0L), 1e-7);
    for (int i = 0; i < 3; i++)
        check_close("reverse masked gradient", g[i], 0.0L, 1e-7);
    long double js = ((logl(2.0L / 3) + logl(2.0L)) / 2 + logl(4.0L / 3)) / 2;
    kld_distill_f32(s, t, 3, 1.0f, KLD_DISTILL_JS, &loss, g);
    check_close("js masked", loss, js, 1e-6 * js);
    for (int i = 0; i < 3; i++)
        check_close("js one-point gradient", g[i], 0.0L, 1e-7);
    /* swapped: the student spreads where the teacher is masked */
    kld_distill_f32(t, s, 3, 1.0f, KLD_DISTILL_REVERSE, &loss, g);
    assert_true(loss == INFINITY && isnan(g[0]) && isnan(g[1]) && isnan(g[2]));
    kld_distill_f32(t, s, 3, 1.0f, KLD_DISTILL_FORWARD, &loss, g);
    check_close("forward swapped", loss, logl(2.0L), 1e-7);
    check_close("forward swapped g0", g[0], -0.5L, 1e-7);
    check_close("forward swapped g1", g[1], 0.5L, 1e-7);
    kld_distill_f32(t, s, 3, 1.0f, KLD_DISTILL_JS, &loss, g);
    check_close("js swapped", loss, js, 1e-6 * js);
    /* q/2 (log(q/m) - K) with q = (1/2, 1/2), m = (3/4, 1/4): log(2/3) and log 2, K their mean */
    long double k = (logl(2.0L / 3) + logl(2.0L)) / 2;
    check_close("js swapped g0", g[0], 0.25L * (logl(2.0L / 3) - k), 1e-7);
    check_close("js swapped g1", g[1], 0.25L * (logl(2.0L) - k), 1e-7);
    assert_true(g[2] == 0.0f);

    const float nan_row[] = {0.0f, NAN}, inf_row[] = {0.0f, INFINITY}, ok[] = {0.5f, 0.25f},
                masked[] = {-INFINITY, -INFINITY};
    const float *bad[][2] = {{nan_row, ok}, {ok, nan_row}, {inf_row, ok}, {ok, inf_row},
                             {masked, ok}, {ok, masked}};
    for (size_t b = 0; b < 6; b++)
        for (size_t k = 0; k < 3; k++) {
            g[0] = g[1] = 1.0f;
            kld_distill_f32(bad[b][0], bad[b][1], 2, 1.0f, kinds[k], &loss, g);
            assert_true(isnan(loss) && isnan(g[0]) && isnan(g[1]));
        }
    static const float temps[] = {0.0f, -1.0f, NAN, INFINITY, 1e-39f};
    for (size_t i = 0; i < 5; i++) {
        g[0] = 1.0f;
        kld_distill_f32(ok, ok, 2, temps[i], KLD_DISTILL_FORWARD, &loss, g);
        assert_true(isnan(loss) && isnan(g[0]) && isnan(g[1]));
    }
    kld_distill_f32(ok, ok, 2, 1.0f, (kld_distill_kind)3, &loss, g);
    assert_true(isnan(loss) && isnan(g[0]));
    kld_distill_f32(NULL, ok, 2, 1.0f, KLD_DISTILL_JS, &loss, g);
    assert_true(isnan(loss) && isnan(g[1]));
    g[0] = 7.0f;
    loss = 1.0;
    kld_distill_f32(NULL, NULL, 0, 1.0f, KLD_DISTILL_JS, &loss, g);
    assert_true(loss == 0.0 && g[0] == 7.0f);
    kld_distill_f32(ok, ok, 2, 1.0f, KLD_DISTILL_REVERSE, NULL, g); /* loss may be NULL */
    assert_true(g[0] == 0.0f && g[1] == 0.0f);
    kld_distill_f32(ok, t, 2, 1.0f, KLD_DISTILL_REVERSE, &loss, NULL); /* grad too */
    assert_true(loss > 0);
}

static int same_bits(const void *x, const void *y, size_t bytes)
{
    return memcmp(x, y, bytes) == 0;
}

/* Rows with strides (ld = n + 3), each row's results bit for bit the single-row call's, on
 * pointers one element off alignment; bad strides and NULL. */
enum { ROWS = 3, N = 37, LD = N + 3 };

static void distill_rows(void)
{
    logits l = logits_llm(9700, ROWS * LD + 1, 2.0, 0.5, 0);
    const float *s = l.b + 1, *t = l.a + 1; /* misaligned by one float */
    float *grad = calloc(ROWS * LD + 1, sizeof *grad), one[N];
    assert_non_null(grad);
    double loss[ROWS], single;
    for (size_t k = 0; k < 3; k++) {
        kld_rows_distill_f32(s, t, ROWS, N, LD, LD, 0.9f, kinds[k], loss, grad + 1, LD);
        for (size_t r = 0; r < ROWS; r++) {
            kld_distill_f32(s + r * LD, t + r * LD, N, 0.9f, kinds[k], &single, one);
            assert_true(single > 0 && same_bits(&single, &loss[r], sizeof single));
            assert_true(same_bits(one, grad + 1 + r * LD, sizeof one));
        }
    }
    /* ldg < n with rows > 1: NaN losses, the gradient not written */
    grad[1] = 5.0f;
    kld_rows_distill_f32(s, t, ROWS, N, LD, LD, 1.0f, KLD_DISTILL_FORWARD, loss, grad + 1, N - 1);
    assert_true(isnan(loss[0]) && isnan(loss[2]) && grad[1] == 5.0f);
    kld_rows_distill_f32(s, t, ROWS, N, N - 1, LD, 1.0f, KLD_DISTILL_FORWARD, loss, grad + 1, LD);
    assert_true(isnan(loss[1]) && isnan(grad[1]) && isnan(grad[1 + 2 * LD + N - 1]));
    kld_rows_distill_f32(NULL, t, ROWS, N, LD, LD, 1.0f, KLD_DISTILL_JS, loss, NULL, LD);
    assert_true(isnan(loss[0]) && isnan(loss[2]));
    kld_rows_distill_f32(s, t, 0, N, LD, LD, 1.0f, KLD_DISTILL_JS, NULL, NULL, 0);
    free(grad);
    logits_free(&l);
}

/* f16 and bf16 bits of a float, by the library's rounding's definition (nearest, ties to even),
 * checked here as the nearest value: widen(h) is no farther from x than its neighbours. */
static float widen_half(int bf, uint16_t h)
{
    if (bf) {
        uint32_t bits = (uint32_t)h << 16;
        float f;
        memcpy(&f, &bits, sizeof f);
        return f;
    }
    int e = h >> 10 & 0x1f, m = h & 0x3ff;
    double v = e == 0x1f ? (m ? NAN : INFINITY) : e ? ldexp(m | 0x400, e - 25) : ldexp(m, -24);
    return (float)(h >> 15 ? -v : v);
}

/* The bits of x, exact in the format (a normal value, 0 or -inf, as the test's inputs are). */
static uint16_t to_half(int bf, float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    if (bf || x == 0)
        return (uint16_t)(bits >> 16);
    uint32_t sign = bits >> 16 & 0x8000u, e = (bits >> 23 & 0xffu) - 127 + 15;
    if (isinf(x))
        return (uint16_t)(sign | 0x7c00u);
    uint16_t h = (uint16_t)(sign | e << 10 | (bits >> 13 & 0x3ffu));
    assert_true(widen_half(0, h) == x);
    return h;
}

static int nearest_half(int bf, uint16_t h, float x)
{
    if (isnan(x))
        return isnan(widen_half(bf, h));
    double d = fabs((double)widen_half(bf, h) - x);
    uint16_t up = (uint16_t)(h + 1), down = (uint16_t)(h - 1);
    int finite_up = !isinf(widen_half(bf, h)) && (h & 0x7fff) < (bf ? 0x7f80 : 0x7c00);
    return (!finite_up || d <= fabs((double)widen_half(bf, up) - x)) &&
           ((h & 0x7fff) == 0 || d <= fabs((double)widen_half(bf, down) - x));
}

/* Every half entry point: the f32 kernel on the widened logits, bit for bit (float gradient);
 * the native gradient is the nearest half value to that float gradient. Logits on a grid of
 * 1/16 in [-8, 8) are exact in both formats. */
static void distill_half(void)
{
    enum { HN = 45 };
    float s[HN], t[HN], g32[HN], g[HN];
    uint16_t hs[HN], ht[HN], hg[HN];
    rng r = {9800};
    for (size_t i = 0; i < HN; i++) {
        s[i] = (float)((int)(rng_next(&r) % 256) - 128) / 16;
        t[i] = (float)((int)(rng_next(&r) % 256) - 128) / 16;
    }
    s[7] = -INFINITY; /* a masked student token */
    for (int bf = 0; bf < 2; bf++) {
        for (size_t i = 0; i < HN; i++)
            hs[i] = to_half(bf, s[i]), ht[i] = to_half(bf, t[i]);
        for (size_t k = 0; k < 3; k++)
            for (size_t n = 1; n <= HN; n += 11) {
                double l32, l, ln;
                kld_distill_f32(s, t, n, 1.3f, kinds[k], &l32, g32);
                if (bf) {
                    kld_distill_bf16(hs, ht, n, 1.3f, kinds[k], &l, g);
                    kld_distill_native_bf16(hs, ht, n, 1.3f, kinds[k], &ln, hg);
                } else {
                    kld_distill_f16(hs, ht, n, 1.3f, kinds[k], &l, g);
                    kld_distill_native_f16(hs, ht, n, 1.3f, kinds[k], &ln, hg);
                }
                assert_true(same_bits(&l, &l32, sizeof l) && same_bits(&ln, &l32, sizeof l));
                assert_true(same_bits(g, g32, n * sizeof *g));
                for (size_t i = 0; i < n; i++)
                    assert_true(nearest_half(bf, hg[i], g32[i]));
            }
        /* rows of each */
        double loss[2], one;
        float rg[2 * HN];
        uint16_t rh[2 * HN];
        size_t n = HN / 2;
        if (bf) {
            kld_rows_distill_bf16(hs, ht, 2, n, n, n + 1, 1.0f, KLD_DISTILL_JS, loss, rg, n + 2);
            kld_rows_distill_native_bf16(hs, ht, 2, n, n, n + 1, 1.0f, KLD_DISTILL_JS, NULL, rh, n);
            kld_distill_bf16(hs + n, ht + n + 1, n, 1.0f, KLD_DISTILL_JS, &one, g);
        } else {
            kld_rows_distill_f16(hs, ht, 2, n, n, n + 1, 1.0f, KLD_DISTILL_JS, loss, rg, n + 2);
            kld_rows_distill_native_f16(hs, ht, 2, n, n, n + 1, 1.0f, KLD_DISTILL_JS, NULL, rh, n);
            kld_distill_f16(hs + n, ht + n + 1, n, 1.0f, KLD_DISTILL_JS, &one, g);
        }
        assert_true(same_bits(&one, &loss[1], sizeof one) && same_bits(g, rg + n + 2, n * sizeof *g));
        for (size_t i = 0; i < n; i++)
            assert_true(nearest_half(bf, rh[n + i], g[i]));
    }
    /* f64 rows against single rows */
    double a64[2 * 9], b64[2 * 9], gr[2 * 9], g1[9], loss[2], one;
    for (size_t i = 0; i < 18; i++)
        a64[i] = s[i], b64[i] = t[i] + 0.25;
    kld_rows_distill_f64(a64, b64, 2, 9, 9, 9, 0.8f, KLD_DISTILL_REVERSE, loss, gr, 9);
    kld_distill_f64(a64 + 9, b64 + 9, 9, 0.8f, KLD_DISTILL_REVERSE, &one, g1);
    assert_true(same_bits(&one, &loss[1], sizeof one) && same_bits(g1, gr + 9, sizeof g1));
}

const path_test distill_tests[] = {
    {"distill_lengths", distill_lengths},
    {"distill_far_and_scaled", distill_far_and_scaled},
    {"distill_finite_differences", distill_finite_differences},
    {"distill_conventions", distill_conventions},
    {"distill_rows", distill_rows},
    {"distill_half", distill_half},
};
const size_t distill_test_count = sizeof distill_tests / sizeof *distill_tests;
