/* check.c - input validation for callers (kld_check_*) and status strings. */
#include <math.h>

#include "generic/half.h"
#include "kld.h"

#include <stddef.h>

static double f32_at(const void *p, size_t i)
{
    return ((const float *)p)[i];
}

static double f64_at(const void *p, size_t i)
{
    return ((const double *)p)[i];
}

static double f16_at(const void *p, size_t i)
{
    return kld_f16_to_float(((const uint16_t *)p)[i]);
}

static double bf16_at(const void *p, size_t i)
{
    return kld_bf16_to_float(((const uint16_t *)p)[i]);
}

/* The check for any element type; always inlined, so that at (a constant at each call) is too. */
static inline __attribute__((always_inline)) kld_status
check_core(const void *p, size_t n, double tolerance, size_t *bad_index,
           double (*at)(const void *, size_t))
{
    if (n && !p)
        return KLD_E_NULL;
    size_t bad = n;
    kld_status s = KLD_OK;
    if (!(tolerance >= 0)) {
        s = KLD_E_ARG;
    } else {
        double sum = 0.0;
        for (size_t i = 0; i < n && s == KLD_OK; i++) {
            double v = at(p, i);
            s = isnan(v) ? KLD_E_NAN : isinf(v) ? KLD_E_INF : v < 0 ? KLD_E_NEGATIVE : KLD_OK;
            bad = i;
            sum += v;
        }
        if (s == KLD_OK) {
            bad = n;
            if (!(fabs(sum - 1.0) <= tolerance))
                s = KLD_E_NOT_NORMALIZED;
        }
    }
    if (s != KLD_OK && bad_index)
        *bad_index = bad;
    return s;
}

kld_status kld_check_f32(const float *p, size_t n, double tolerance, size_t *bad_index)
{
    return check_core(p, n, tolerance, bad_index, f32_at);
}

kld_status kld_check_f64(const double *p, size_t n, double tolerance, size_t *bad_index)
{
    return check_core(p, n, tolerance, bad_index, f64_at);
}

kld_status kld_check_f16(const uint16_t *p, size_t n, double tolerance, size_t *bad_index)
{
    return check_core(p, n, tolerance, bad_index, f16_at);
}

kld_status kld_check_bf16(const uint16_t *p, size_t n, double tolerance, size_t *bad_index)
{
    return check_core(p, n, tolerance, bad_index, bf16_at);
}

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
