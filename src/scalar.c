/* scalar.c - the reference path: every element through terms.h, summed in double, folded into the
 * totals every KLD_SCALAR_FOLD elements so that rounding grows with 1024 + n/1024, not n. */
#include "kernels.h"
#include "terms.h"

#define KLD_SCALAR_FOLD 1024

#define DEFINE_SCALAR_KERNELS(T, SUFFIX)                                                         \
    void kld_both_##SUFFIX(const T *p, const T *q, size_t n, double *forward,                 \
                              double *reverse)                                                   \
    {                                                                                            \
        double f = 0.0, r = 0.0;                                                                 \
        for (size_t start = 0; start < n; start += KLD_SCALAR_FOLD) {                            \
            size_t stop = n - start < KLD_SCALAR_FOLD ? n : start + KLD_SCALAR_FOLD;             \
            double bf = 0.0, br = 0.0;                                                           \
            for (size_t i = start; i < stop; i++) {                                              \
                bf += kld_term_forward(p[i], q[i]);                                              \
                br += kld_term_forward(q[i], p[i]);                                              \
            }                                                                                    \
            f += bf;                                                                             \
            r += br;                                                                             \
        }                                                                                        \
        *forward = f;                                                                            \
        *reverse = r;                                                                            \
    }                                                                                            \
    void kld_stats_##SUFFIX(const T *p, const T *q, size_t n, kld_stats *out)                 \
    {                                                                                            \
        kld_terms t = {0};                                                                       \
        double sp = 0.0, sq = 0.0;                                                               \
        for (size_t start = 0; start < n; start += KLD_SCALAR_FOLD) {                            \
            size_t stop = n - start < KLD_SCALAR_FOLD ? n : start + KLD_SCALAR_FOLD;             \
            kld_terms b = {0};                                                                   \
            double bp = 0.0, bq = 0.0;                                                           \
            for (size_t i = start; i < stop; i++) {                                              \
                kld_terms_add(&b, p[i], q[i]);                                                   \
                bp += p[i];                                                                      \
                bq += q[i];                                                                      \
            }                                                                                    \
            kld_terms_merge(&t, &b);                                                             \
            sp += bp;                                                                            \
            sq += bq;                                                                            \
        }                                                                                        \
        *out = (kld_stats){t.forward, t.reverse, t.entropy_p, t.entropy_q,                       \
                           t.cross_pq, t.cross_qp, sp, sq};                                      \
    }

DEFINE_SCALAR_KERNELS(float, f32_scalar)
DEFINE_SCALAR_KERNELS(double, f64_scalar)
