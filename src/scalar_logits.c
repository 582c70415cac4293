/* scalar_logits.c - the reference logits kernel: maxima, then the sums of the softmaxes in double
 * with libm exp, and KL(P||Q) = sum p*(x - y) - lse_a + lse_b directly (in double the cancellation
 * of the two log-sum-exps costs ~1e-15 absolute). */
#include "kernels.h"
#include "logits_common.h"

#define KLD_SCALAR_FOLD 1024

typedef struct {
    double a, zq, x, y, f, r; /* sum w, sum v, sum w*x, sum v*y, sum w*(x-y), sum v*(y-x) */
} logit_sums;

static void add_sums(logit_sums *t, const logit_sums *b)
{
    t->a += b->a;
    t->zq += b->zq;
    t->x += b->x;
    t->y += b->y;
    t->f += b->f;
    t->r += b->r;
}

void kld_stats_logits_f32_scalar(const float *a, const float *b, size_t n, float temperature,
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
    const double t = temperature;
    logit_sums s = {0};
    int f_inf = 0, r_inf = 0;
    for (size_t start = 0; start < n; start += KLD_SCALAR_FOLD) {
        size_t stop = n - start < KLD_SCALAR_FOLD ? n : start + KLD_SCALAR_FOLD;
        logit_sums blk = {0};
        for (size_t i = start; i < stop; i++) {
            int fa = a[i] > -INFINITY, fb = b[i] > -INFINITY;
            double x = ((double)a[i] - am) / t, y = ((double)b[i] - bm) / t, w = 0, v = 0;
            if (fa) {
                w = exp(x);
                blk.a += w;
                blk.x += w * x;
            }
            if (fb) {
                v = exp(y);
                blk.zq += v;
                blk.y += v * y;
            }
            if (fa && fb) {
                blk.f += w * (x - y);
                blk.r += v * (y - x);
            }
            f_inf |= fa && !fb;
            r_inf |= fb && !fa;
        }
        add_sums(&s, &blk);
    }
    double la = log(s.a), lq = log(s.zq);
    double hp = la - s.x / s.a, hq = lq - s.y / s.zq;
    double fwd = f_inf ? INFINITY : s.f / s.a - la + lq;
    double rev = r_inf ? INFINITY : s.r / s.zq - lq + la;
    *out = (kld_logit_stats){{fwd, rev, hp, hq, hp + fwd, hq + rev, 1.0, 1.0},
                             am / t + la, bm / t + lq, ia, ib};
}

void kld_both_logits_f32_scalar(const float *a, const float *b, size_t n, float temperature,
                                double *forward, double *reverse)
{
    kld_logit_stats s;
    kld_stats_logits_f32_scalar(a, b, n, temperature, &s);
    *forward = s.kl.forward;
    *reverse = s.kl.reverse;
}
