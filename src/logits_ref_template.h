/* scalar/logits_f32.c - the reference logits kernel: maxima, then the sums of the softmaxes in
 * double with libm exp, and KL(P||Q) = sum p*(x - y) - lse_a + lse_b directly (in double the
 * cancellation of the two log-sum-exps costs ~1e-15 absolute). It defines the semantics of the
 * logits kernels: scaled logits are x = (a - max a) * inv_t, with inv_t = fl32(1/T) (kernels.h). */
#include <math.h>

#include "api_internal.h"
#include "kernels.h"
#include "logit_sums.h"
#include "tuning.h"

void kld_stats_logits_f32_scalar(const float *a, const float *b, size_t n, float inv_t,
                                 kld_logit_stats *out)
{
    float am = -INFINITY, bm = -INFINITY;
    size_t ia = 0, ib = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        bad |= isnan(a[i]) || isnan(b[i]) || a[i] == INFINITY || b[i] == INFINITY;
        if (a[i] > am)
            am = a[i], ia = i;
        if (b[i] > bm)
            bm = b[i], ib = i;
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
            int fa = a[i] > -INFINITY, fb = b[i] > -INFINITY;
            double x = ((double)a[i] - am) * s_t, y = ((double)b[i] - bm) * s_t, w = 0, v = 0;
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

void kld_both_logits_f32_scalar(const float *a, const float *b, size_t n, float inv_t,
                                double *forward, double *reverse)
{
    kld_logit_stats s;
    kld_stats_logits_f32_scalar(a, b, n, inv_t, &s);
    *forward = s.kl.forward;
    *reverse = s.kl.reverse;
}
