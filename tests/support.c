/* support.c - test helpers (see support.h). */
#include "support.h"

#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double rng_uniform(rng *r)
{
    return ((double)(rng_next(r) >> 11) + 0.5) * 0x1p-53;
}

double rng_normal(rng *r)
{
    return sqrt(-2.0 * log(rng_uniform(r))) * cos(6.283185307179586 * rng_uniform(r));
}

double rng_cauchy(rng *r)
{
    return tan(3.141592653589793 * (rng_uniform(r) - 0.5));
}

static void softmax(double *x, size_t n)
{
    double m = -INFINITY, s = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, x[i]);
    for (size_t i = 0; i < n; i++)
        s += x[i] = exp(x[i] - m);
    for (size_t i = 0; i < n; i++)
        x[i] /= s;
}

rows rows_llm(uint64_t seed, size_t n, double sz, double s, int heavy)
{
    rng g = {seed};
    rows r = {n, malloc((n + 1) * sizeof(double)), malloc((n + 1) * sizeof(double)),
              malloc((n + 1) * sizeof(float)), malloc((n + 1) * sizeof(float))};
    assert_non_null(r.p64);
    assert_non_null(r.q64);
    assert_non_null(r.p32);
    assert_non_null(r.q32);
    for (size_t i = 0; i < n; i++) {
        double z = sz * (heavy ? rng_cauchy(&g) : rng_normal(&g));
        r.p64[i] = z;
        r.q64[i] = z + s * rng_normal(&g);
    }
    softmax(r.p64, n);
    softmax(r.q64, n);
    rows_sync_f32(&r);
    return r;
}

void rows_sync_f32(rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        r->p32[i] = (float)r->p64[i];
        r->q32[i] = (float)r->q64[i];
    }
}

void rows_free(rows *r)
{
    free(r->p64);
    free(r->q64);
    free(r->p32);
    free(r->q32);
}

/* The sums of SciPy's rel_entr and entr terms in long double, from the two logarithms of each
 * element: forward term x*(log x - log y), a different formula from the library's log of the
 * ratio. Cancellation in log x - log y costs at most |log x| * 2^-63 (x86 extended) or 2^-112
 * (aarch64 quad) absolute, below every tolerance here. */
exact exact_f64(const double *p, const double *q, size_t n)
{
    exact e = {0};
    for (size_t i = 0; i < n; i++) {
        long double x = p[i], y = q[i];
        long double lx = x > 0 ? logl(x) : 0, ly = y > 0 ? logl(y) : 0, f, r, hx, hy;
        if (isnan(x) || isnan(y))
            f = r = NAN;
        else {
            f = x > 0 && y > 0 ? x * (lx - ly) : x == 0 && y >= 0 ? 0 : INFINITY;
            r = x > 0 && y > 0 ? y * (ly - lx) : y == 0 && x >= 0 ? 0 : INFINITY;
        }
        hx = isnan(x) ? NAN : x > 0 ? -x * lx : x == 0 ? 0 : -INFINITY;
        hy = isnan(y) ? NAN : y > 0 ? -y * ly : y == 0 ? 0 : -INFINITY;
        e.forward += f;
        e.reverse += r;
        e.abs_forward += fabsl(f);
        e.abs_reverse += fabsl(r);
        e.entropy_p += hx;
        e.entropy_q += hy;
        /* the direct form for finite positive x; the definition otherwise (x = +inf: NaN) */
        e.cross_pq += x > 0 && isfinite(x) && y > 0 ? -x * ly : hx + f;
        e.cross_qp += y > 0 && isfinite(y) && x > 0 ? -y * lx : hy + r;
        e.sum_p += x;
        e.sum_q += y;
    }
    return e;
}

exact exact_f32(const float *p, const float *q, size_t n)
{
    double *pd = malloc((n + 1) * sizeof(double)), *qd = malloc((n + 1) * sizeof(double));
    assert_non_null(pd);
    assert_non_null(qd);
    for (size_t i = 0; i < n; i++) {
        pd[i] = p[i];
        qd[i] = q[i];
    }
    exact e = exact_f64(pd, qd, n);
    free(pd);
    free(qd);
    return e;
}

typedef struct {
    uint64_t seed;
    size_t n;
    double sz, s;
    int heavy;
    dataset_edit edit;
    dataset *d;
} cache_entry;

static cache_entry cache[64];
static size_t cached;

const dataset *dataset_get(uint64_t seed, size_t n, double sz, double s, int heavy,
                           dataset_edit edit)
{
    for (size_t i = 0; i < cached; i++) {
        cache_entry *c = &cache[i];
        if (c->seed == seed && c->n == n && c->sz == sz && c->s == s && c->heavy == heavy &&
            c->edit == edit)
            return c->d;
    }
    assert_true(cached < sizeof cache / sizeof *cache);
    dataset *d = malloc(sizeof *d);
    assert_non_null(d);
    d->r = rows_llm(seed, n, sz, s, heavy);
    if (edit) {
        edit(&d->r);
        rows_sync_f32(&d->r);
    }
    d->e32 = exact_f32(d->r.p32, d->r.q32, n);
    d->e64 = exact_f64(d->r.p64, d->r.q64, n);
    cache[cached++] = (cache_entry){seed, n, sz, s, heavy, edit, d};
    return d;
}

void dataset_free_all(void)
{
    for (size_t i = 0; i < cached; i++) {
        rows_free(&cache[i].d->r);
        free(cache[i].d);
    }
    cached = 0;
}

/* log-sum-exp of x/t in long double, as its two parts: the maximum (first index to *arg) and
 * log sum e^((x - max)/t), so that log p = (x - max)/t - that stays exact even for huge logits. */
static long double lse_l(const float *x, size_t n, long double t, size_t *arg, long double *m)
{
    long double s = 0;
    *m = -INFINITY;
    *arg = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] > *m) {
            *m = x[i];
            *arg = i;
        }
    if (*m == -INFINITY)
        return *m; /* empty or all masked */
    for (size_t i = 0; i < n; i++)
        s += expl((x[i] - *m) / t);
    return logl(s);
}

logits logits_llm(uint64_t seed, size_t n, double sz, double s, int heavy)
{
    rng g = {seed};
    logits l = {n, malloc((n + 1) * sizeof(float)), malloc((n + 1) * sizeof(float))};
    assert_non_null(l.a);
    assert_non_null(l.b);
    for (size_t i = 0; i < n; i++) {
        double z = sz * (heavy ? rng_cauchy(&g) : rng_normal(&g));
        l.a[i] = (float)z;
        l.b[i] = (float)(z + s * rng_normal(&g));
    }
    return l;
}

void logits_free(logits *l)
{
    free(l->a);
    free(l->b);
}

long double exact_js_term(long double p, long double q)
{
    if (isnan(p) || isnan(q) || isinf(p) || isinf(q))
        return NAN;
    if (p < 0 || q < 0)
        return INFINITY;
    /* p log(p/m) = p log1p(d), q log(q/m) = q log1p(-d), d = (p - q)/(p + q): log1pl keeps the
     * relative accuracy of tiny d, where log(p/m) would leave 2^-64/d^2 after the cancellation */
    long double s = p + q, t = 0;
    if (s == 0)
        return 0;
    long double d = (p - q) / s; /* the side near -1 takes the log of its ratio 2p/s directly */
    if (p > 0)
        t += p * (d < -0.5L ? logl(2 * (p / s)) : log1pl(d));
    if (q > 0)
        t += q * (d > 0.5L ? logl(2 * (q / s)) : log1pl(-d));
    return t / 2;
}

exact_logits exact_logits_f32(const float *a, const float *b, size_t n, float t)
{
    exact_logits e = {0};
    for (size_t i = 0; i < n; i++)
        e.nan |= isnan(a[i]) || isnan(b[i]) || a[i] == INFINITY || b[i] == INFINITY;
    /* kld.h's rule: logits are scaled by s = 1/T rounded to float; dividing by 1/s is that */
    long double lt = 1.0L / (long double)(float)(1.0 / (double)t), ma, mb;
    long double sa = lse_l(a, n, lt, &e.argmax_a, &ma), sb = lse_l(b, n, lt, &e.argmax_b, &mb);
    e.lse_a = ma / lt + sa;
    e.lse_b = mb / lt + sb;
    e.nan |= n && (ma == -INFINITY || mb == -INFINITY);
    if (e.nan || n == 0) {
        if (n == 0)
            e.lse_a = e.lse_b = -INFINITY;
        return e;
    }
    for (size_t i = 0; i < n; i++) {
        long double lp = (a[i] - ma) / lt - sa, lq = (b[i] - mb) / lt - sb;
        /* a token is masked by a logit of -inf, not by its probability underflowing: with
         * finite log p and log q the term is p (log p - log q), even where p or q is 0 in
         * long double (a tiny temperature) */
        long double p = expl(lp), q = expl(lq), f = 0, r = 0;
        int fa = a[i] > -INFINITY, fb = b[i] > -INFINITY;
        if (fa && fb) {
            f = p * (lp - lq);
            r = q * (lq - lp);
        } else if (fa) {
            f = INFINITY;
        } else if (fb) {
            r = INFINITY;
        }
        e.forward += f;
        e.reverse += r;
        e.abs_forward += fabsl(f);
        e.abs_reverse += fabsl(r);
        e.entropy_p -= p > 0 ? p * lp : 0;
        e.entropy_q -= q > 0 ? q * lq : 0;
        /* masked: probability 0; close pairs: q - p = p (e^(log q - log p) - 1), without p - q's
         * cancellation */
        long double pm = fa ? p : 0, qm = fb ? q : 0;
        int close = fa && fb && fabsl(lq - lp) <= 1;
        e.js += exact_js_term(pm, qm);
        e.tv += close ? fabsl(p * expm1l(lq - lp)) : fabsl(pm - qm);
    }
    e.cross_pq = e.entropy_p + e.forward;
    e.cross_qp = e.entropy_q + e.reverse;
    e.tv /= 2;
    return e;
}

void check_logit_stats(const kld_logit_stats *s, const exact_logits *e, size_t n)
{
    if (e->nan) {
        assert_true(isnan(s->kl.forward) && isnan(s->kl.reverse) && isnan(s->kl.entropy_p) &&
                    isnan(s->kl.cross_qp) && isnan(s->lse_a) && isnan(s->lse_b));
        assert_int_equal(s->argmax_a, n);
        assert_int_equal(s->argmax_b, n);
        return;
    }
    check_close("logits.forward", s->kl.forward, e->forward, tol_kl_f32(e->forward, e->abs_forward));
    check_close("logits.reverse", s->kl.reverse, e->reverse, tol_kl_f32(e->reverse, e->abs_reverse));
    check_close("logits.entropy_p", s->kl.entropy_p, e->entropy_p, tol_entropy_f32(e->entropy_p));
    check_close("logits.entropy_q", s->kl.entropy_q, e->entropy_q, tol_entropy_f32(e->entropy_q));
    check_close("logits.cross_pq", s->kl.cross_pq, e->cross_pq, tol_entropy_f32(e->cross_pq));
    check_close("logits.cross_qp", s->kl.cross_qp, e->cross_qp, tol_entropy_f32(e->cross_qp));
    check_close("logits.lse_a", s->lse_a, e->lse_a, 1e-6 * fabsl(e->lse_a));
    check_close("logits.lse_b", s->lse_b, e->lse_b, 1e-6 * fabsl(e->lse_b));
    assert_int_equal(s->argmax_a, e->argmax_a);
    assert_int_equal(s->argmax_b, e->argmax_b);
}

double tol_kl_f32(long double kl, long double abs_terms)
{
    double a = fabs((double)kl);
    double rule = a >= 1e-2 ? 1e-6 * a : a >= 1e-4 ? 1e-5 * a : 1e-9;
    return fmax(rule, 6e-8 * (double)abs_terms);
}

double tol_div_f32(long double value)
{
    double a = fabs((double)value);
    return a >= 1e-2 ? 1e-6 * a : a >= 1e-4 ? 1e-5 * a : 1e-9;
}

double tol_entropy_f32(long double h)
{
    return 1e-6 * fabs((double)h);
}

double tol_kl_f64(long double kl, long double abs_terms)
{
    double a = fabs((double)kl);
    return a >= 1e-6 ? 1e-10 * a : fmax(1e-10 * a, 4 * 0x1p-52 * (double)abs_terms);
}

double tol_entropy_f64(long double h)
{
    return 1e-10 * fabs((double)h);
}

void check_close(const char *what, double got, long double want, double tol)
{
    if (isnan(want) && isnan(got))
        return;
    if ((isinf(want) || fabsl(want) > DBL_MAX) && got == (double)want)
        return; /* beyond the double range the only right answer is the infinity of its sign */
    double err = fabs((double)((long double)got - want));
    /* NaN or an infinity wanted and not got fails whatever tol is (a tolerance derived from an
     * infinite value is itself infinite) */
    if (isnan(want) || isinf(want) || fabsl(want) > DBL_MAX || !(err <= tol)) {
        print_error("%s: got %.17g, want %.17Lg (error %.3g, tolerance %.3g)\n", what, got, want,
                    err, tol);
        fail();
    }
}

static void check_stats(const kld_stats *s, const exact *e, int f64)
{
    double (*tkl)(long double, long double) = f64 ? tol_kl_f64 : tol_kl_f32;
    double (*th)(long double) = f64 ? tol_entropy_f64 : tol_entropy_f32;
    check_close("stats.forward", s->forward, e->forward, tkl(e->forward, e->abs_forward));
    check_close("stats.reverse", s->reverse, e->reverse, tkl(e->reverse, e->abs_reverse));
    check_close("stats.entropy_p", s->entropy_p, e->entropy_p, th(e->entropy_p));
    check_close("stats.entropy_q", s->entropy_q, e->entropy_q, th(e->entropy_q));
    check_close("stats.cross_pq", s->cross_pq, e->cross_pq, th(e->cross_pq));
    check_close("stats.cross_qp", s->cross_qp, e->cross_qp, th(e->cross_qp));
    /* the sums add the same doubles in another order: n roundings of 2^-53 at most */
    check_close("stats.sum_p", s->sum_p, e->sum_p, 1e-12 * fabsl(e->sum_p) + 1e-300);
    check_close("stats.sum_q", s->sum_q, e->sum_q, 1e-12 * fabsl(e->sum_q) + 1e-300);
}

void check_stats_f32(const kld_stats *s, const exact *e)
{
    check_stats(s, e, 0);
}

void check_stats_f64(const kld_stats *s, const exact *e)
{
    check_stats(s, e, 1);
}
