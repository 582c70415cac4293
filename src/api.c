/* api.c - the public kernel entry points: argument conventions (n == 0, NULL), then dispatch. */
#include <math.h>

#include "kernels.h"

#define DEFINE_PROB_API(T, SUFFIX)                                                               \
    void kld_both_##SUFFIX(const T *p, const T *q, size_t n, double *forward, double *reverse)   \
    {                                                                                            \
        double f = 0.0, r = 0.0;                                                                 \
        if (n && (!p || !q))                                                                     \
            f = r = NAN;                                                                         \
        else if (n)                                                                              \
            kld_active_kernels()->both_##SUFFIX(p, q, n, &f, &r);                                \
        if (forward)                                                                             \
            *forward = f;                                                                        \
        if (reverse)                                                                             \
            *reverse = r;                                                                        \
    }                                                                                            \
    double kld_forward_##SUFFIX(const T *p, const T *q, size_t n)                                \
    {                                                                                            \
        double f;                                                                                \
        kld_both_##SUFFIX(p, q, n, &f, NULL);                                                    \
        return f;                                                                                \
    }                                                                                            \
    double kld_reverse_##SUFFIX(const T *p, const T *q, size_t n)                                \
    {                                                                                            \
        double r;                                                                                \
        kld_both_##SUFFIX(p, q, n, NULL, &r);                                                    \
        return r;                                                                                \
    }                                                                                            \
    void kld_stats_##SUFFIX(const T *p, const T *q, size_t n, kld_stats *out)                    \
    {                                                                                            \
        if (!out)                                                                                \
            return;                                                                              \
        if (n && (!p || !q))                                                                     \
            *out = (kld_stats){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};                          \
        else if (n)                                                                              \
            kld_active_kernels()->stats_##SUFFIX(p, q, n, out);                                  \
        else                                                                                     \
            *out = (kld_stats){0};                                                               \
    }

DEFINE_PROB_API(float, f32)
DEFINE_PROB_API(double, f64)
