/* logits_ref_template.h - the reference logits kernels: maxima, then the sums of the softmaxes
 * in double with libm exp, and KL(P||Q) = sum p*(x - y) - lse_a + lse_b directly (in double the
 * cancellation of the two log-sum-exps costs ~1e-15 absolute). They define the semantics of the
 * logits kernels: scaled logits are x = (a - max a) * inv_t, with inv_t = fl32(1/T) (kernels.h).
 * Instantiated per storage type by scalar/logits_<type>.c.
 *
 * Parameters, defined before the include (and #undef'd at its end): KLD_STATS_LOGITS and
 * KLD_BOTH_LOGITS, the full names of the two kernels it defines (kernels.h); and, from a
 * scalar/load_<type>.h included first, elem and elem_value (to float). */
#if !defined(KLD_STATS_LOGITS) || !defined(KLD_BOTH_LOGITS)
#error "logits_ref_template.h needs KLD_STATS_LOGITS, KLD_BOTH_LOGITS and a scalar/load_<type>.h"
#endif

#include <math.h>

#include "kernels.h"
#include "logit_sums.h"
#include "terms.h"
#include "tuning.h"

void KLD_STATS_LOGITS(const elem *a, const elem *b, size_t n, float inv_t, kld_logit_stats *out)
{
    float am = -INFINITY, bm = -INFINITY;
    size_t ia = 0, ib = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        float ai = elem_value(a[i]), bi = elem_value(b[i]);
        bad |= isnan(ai) || isnan(bi) || ai == INFINITY || bi == INFINITY;
        if (ai > am)
            am = ai, ia = i;
        if (bi > bm)
            bm = bi, ib = i;
    }
    if (bad || am == -INFINITY || bm == -INFINITY) {
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

void KLD_BOTH_LOGITS(const elem *a, const elem *b, size_t n, float inv_t, double *forward,
                     double *reverse)
{
    kld_logit_stats s;
    KLD_STATS_LOGITS(a, b, n, inv_t, &s);
    *forward = s.kl.forward;
    *reverse = s.kl.reverse;
}

#undef KLD_STATS_LOGITS
#undef KLD_BOTH_LOGITS
