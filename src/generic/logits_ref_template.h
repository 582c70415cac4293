/* logits_ref_template.h - the reference logits kernels: maxima, then the sums of the softmaxes
 * in double with libm exp, and KL(P||Q) = sum p*(x - y) - lse_a + lse_b directly (in double the
 * cancellation of the two log-sum-exps costs ~1e-15 absolute). They define the semantics of the
 * logits kernels: scaled logits are x = (a - max a) * inv_t, with inv_t = fl32(1/T) (kernels.h).
 * Instantiated per storage type by arch/scalar/kernels_<type>.c through ref_kernels.h.
 *
 * JS and TV: p = e^x / A and q = e^y / B in double, then terms.h's terms, whose cancellation in
 * p - q costs ~1e-16 of each p.
 *
 * Parameters: KLD_KERNEL(family), as in ref_template.h, for the kernels it defines
 * (stats_logits, both_logits, div_logits, stats_js_tv_logits); and, from an
 * arch/scalar/load_<type>.h included first, elem and elem_value (to float). */
#if !defined(KLD_KERNEL)
#error "logits_ref_template.h needs KLD_KERNEL and an arch/scalar/load_<type>.h"
#endif

#include <math.h>

#include "kernels.h"
#include "logit_sums.h"
#include "terms.h"
#include "tuning.h"

/* The maxima of a and b and their first indices; 0 for a row with NaN or +inf, or all -inf. */
static int ref_maxima(const elem *a, const elem *b, size_t n, float *am, float *bm, size_t *ia,
                      size_t *ib)
{
    int bad = 0;
    *am = *bm = -INFINITY;
    *ia = *ib = 0;
    for (size_t i = 0; i < n; i++) {
        float ai = elem_value(a[i]), bi = elem_value(b[i]);
        bad |= isnan(ai) || isnan(bi) || ai == INFINITY || bi == INFINITY;
        if (ai > *am)
            *am = ai, *ia = i;
        if (bi > *bm)
            *bm = bi, *ib = i;
    }
    return !bad && *am > -INFINITY && *bm > -INFINITY;
}

void KLD_KERNEL(stats_logits)(const elem *a, const elem *b, size_t n, float inv_t, kld_logit_stats *out)
{
    float am, bm;
    size_t ia, ib;
    if (!ref_maxima(a, b, n, &am, &bm, &ia, &ib)) {
        kld_logits_nan(out, n);
        return;
    }
    const double s_t = inv_t; /* the rule of every path: scaled logits are (a - max a) * inv_t */
    kld_logit_sums s = {0};
    int f_inf = 0, r_inf = 0;
    for (size_t start = 0; start < n; start += KLD_REF_FOLD) {
        size_t stop = n - start < KLD_REF_FOLD ? n : start + KLD_REF_FOLD;
        kld_logit_sums blk = {0};
        for (size_t i = start; i < stop; i++) {
            float ai = elem_value(a[i]), bi = elem_value(b[i]);
            int fa = ai > -INFINITY, fb = bi > -INFINITY;
            double x = ((double)ai - am) * s_t, y = ((double)bi - bm) * s_t, w = 0, v = 0;
            if (fa) {
                w = exp(x);
                blk.w += w;
                blk.wx += w * x;
            }
            if (fb) {
                v = exp(y);
                blk.v += v;
                blk.vy += v * y;
            }
            if (fa && fb) {
                blk.wt += w * (y - x);
                blk.vt += v * (y - x);
            }
            f_inf |= fa && !fb;
            r_inf |= fb && !fa;
        }
        kld_logit_sums_add(&s, &blk);
    }
    double la = log(s.w), lq = log(s.v);
    double hp = la - s.wx / s.w, hq = lq - s.vy / s.v;
    double fwd = f_inf ? INFINITY : -s.wt / s.w - la + lq; /* sum p (x - y) - lse_a + lse_b */
    double rev = r_inf ? INFINITY : s.vt / s.v - lq + la;
    *out = (kld_logit_stats){{fwd, rev, hp, hq, hp + fwd, hq + rev, 1.0, 1.0},
                             am * s_t + la, bm * s_t + lq, ia, ib};
}

void KLD_KERNEL(both_logits)(const elem *a, const elem *b, size_t n, float inv_t, double *forward,
                     double *reverse)
{
    kld_logit_stats s;
    KLD_KERNEL(stats_logits)(a, b, n, inv_t, &s);
    *forward = s.kl.forward;
    *reverse = s.kl.reverse;
}

/* e^x (or e^y) of one logit, 0 where masked */
static double ref_weight(float logit, float max, double s_t)
{
    return logit > -INFINITY ? exp(((double)logit - max) * s_t) : 0.0;
}

void KLD_KERNEL(div_logits)(const elem *a, const elem *b, size_t n, float inv_t, double *js, double *tv)
{
    float am, bm;
    size_t ia, ib;
    if (!ref_maxima(a, b, n, &am, &bm, &ia, &ib)) {
        if (js)
            *js = NAN;
        if (tv)
            *tv = NAN;
        return;
    }
    const double s_t = inv_t;
    double sum_w = 0.0, sum_v = 0.0, sum_js = 0.0, sum_tv = 0.0;
    for (size_t start = 0; start < n; start += KLD_REF_FOLD) {
        size_t stop = n - start < KLD_REF_FOLD ? n : start + KLD_REF_FOLD;
        double w = 0.0, v = 0.0;
        for (size_t i = start; i < stop; i++) {
            w += ref_weight(elem_value(a[i]), am, s_t);
            v += ref_weight(elem_value(b[i]), bm, s_t);
        }
        sum_w += w;
        sum_v += v;
    }
    for (size_t start = 0; start < n; start += KLD_REF_FOLD) {
        size_t stop = n - start < KLD_REF_FOLD ? n : start + KLD_REF_FOLD;
        double j = 0.0, t = 0.0;
        for (size_t i = start; i < stop; i++) {
            double p = ref_weight(elem_value(a[i]), am, s_t) / sum_w;
            double q = ref_weight(elem_value(b[i]), bm, s_t) / sum_v;
            j += kld_term_js(p, q);
            t += kld_term_tv(p, q);
        }
        sum_js += j;
        sum_tv += t;
    }
    if (js)
        *js = sum_js;
    if (tv)
        *tv = 0.5 * sum_tv;
}


/* stats_logits and div_logits on one pair: the fused entry point's reference is the separate
 * kernels'. */
void KLD_KERNEL(stats_js_tv_logits)(const elem *a, const elem *b, size_t n, float inv_t,
                                    kld_logit_stats_js_tv *out)
{
    KLD_KERNEL(stats_logits)(a, b, n, inv_t, &out->stats);
    KLD_KERNEL(div_logits)(a, b, n, inv_t, &out->js, &out->tv);
}
