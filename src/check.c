/* check.c - input validation for callers (kld_check_*) and status strings. */
#include <math.h>

#include "kld.h"

#define DEFINE_CHECK(T, SUFFIX)                                                                  \
    kld_status kld_check_##SUFFIX(const T *p, size_t n, double tolerance, size_t *bad_index)     \
    {                                                                                            \
        if (n && !p)                                                                             \
            return KLD_E_NULL;                                                                   \
        if (!(tolerance >= 0)) {                                                                 \
            if (bad_index)                                                                       \
                *bad_index = n;                                                                  \
            return KLD_E_ARG;                                                                    \
        }                                                                                        \
        double sum = 0.0;                                                                        \
        for (size_t i = 0; i < n; i++) {                                                         \
            kld_status s = isnan(p[i])   ? KLD_E_NAN                                             \
                           : isinf(p[i]) ? KLD_E_INF                                             \
                           : p[i] < 0    ? KLD_E_NEGATIVE                                        \
                                         : KLD_OK;                                               \
            if (s != KLD_OK) {                                                                   \
                if (bad_index)                                                                   \
                    *bad_index = i;                                                              \
                return s;                                                                        \
            }                                                                                    \
            sum += p[i];                                                                         \
        }                                                                                        \
        if (!(fabs(sum - 1.0) <= tolerance)) {                                                   \
            if (bad_index)                                                                       \
                *bad_index = n;                                                                  \
            return KLD_E_NOT_NORMALIZED;                                                         \
        }                                                                                        \
        return KLD_OK;                                                                           \
    }

DEFINE_CHECK(float, f32)
DEFINE_CHECK(double, f64)

const char *kld_status_str(kld_status s)
{
    switch (s) {
    case KLD_OK:
        return "ok";
    case KLD_E_NULL:
        return "null pointer with n > 0";
    case KLD_E_NAN:
        return "element is NaN";
    case KLD_E_INF:
        return "element is infinite";
    case KLD_E_NEGATIVE:
        return "element is negative";
    case KLD_E_NOT_NORMALIZED:
        return "sum differs from 1 by more than the tolerance";
    case KLD_E_ARG:
        return "tolerance is NaN or negative";
    }
    return "unknown status";
}
