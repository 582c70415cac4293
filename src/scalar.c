/* scalar.c - the reference path: every element through terms.h, summed in double. */
#include "kernels.h"
#include "terms.h"

#define DEFINE_SCALAR_KERNELS(T, SUFFIX)                                                         \
    void kld_both_##SUFFIX(const T *p, const T *q, size_t n, double *forward,                 \
                              double *reverse)                                                   \
    {                                                                                            \
        double f = 0.0, r = 0.0;                                                                 \
        for (size_t i = 0; i < n; i++) {                                                         \
            f += kld_term_forward(p[i], q[i]);                                                   \
            r += kld_term_forward(q[i], p[i]);                                                   \
        }                                                                                        \
        *forward = f;                                                                            \
        *reverse = r;                                                                            \
    }                                                                                            \
    void kld_stats_##SUFFIX(const T *p, const T *q, size_t n, kld_stats *out)                 \
    {                                                                                            \
        kld_terms t = {0};                                                                       \
        double sp = 0.0, sq = 0.0;                                                               \
        for (size_t i = 0; i < n; i++) {                                                         \
            kld_terms_add(&t, p[i], q[i]);                                                       \
            sp += p[i];                                                                          \
            sq += q[i];                                                                          \
        }                                                                                        \
        *out = (kld_stats){t.forward, t.reverse, t.entropy_p, t.entropy_q,                       \
                           t.cross_pq, t.cross_qp, sp, sq};                                      \
    }

DEFINE_SCALAR_KERNELS(float, f32_scalar)
DEFINE_SCALAR_KERNELS(double, f64_scalar)
