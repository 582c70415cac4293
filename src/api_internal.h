/* api_internal.h - the argument conventions every public entry point shares (kld.h): inputs that
 * are NULL, outputs that may be NULL, the all-NaN results, and the temperature rule. */
#ifndef KLD_API_INTERNAL_H
#define KLD_API_INTERNAL_H

#include <float.h>
#include <math.h>
#include <stddef.h>

#include "kld.h"
#include "generic/terms.h"

/* Work to do (n > 0) but an input is NULL: every result is NaN. */
static inline int kld_missing_input(const void *x, const void *y, size_t n)
{
    return n && (!x || !y);
}

/* Rows: a NULL input with work to do, or overlapping rows (ld < n) when there is more than one. */
static inline int kld_bad_rows(const void *x, const void *y, size_t rows, size_t n, size_t ldx,
                               size_t ldy)
{
    return (rows && kld_missing_input(x, y, n)) || (rows > 1 && (ldx < n || ldy < n));
}

/* Stores a pair of results; either output may be NULL. */
static inline void kld_store_pair(double *forward, double *reverse, double f, double r)
{
    if (forward)
        *forward = f;
    if (reverse)
        *reverse = r;
}

/* The temperature rule of every path: logits are scaled by multiplying them by
 * inv_t = fl32(1/T), 1/T rounded to float once. A temperature for which that is not a finite,
 * positive float (T <= 0, NaN, +inf, or T below 1/FLT_MAX, about 2.9e-39) has no scale: returns
 * 0, and the caller gives NaN results. */
static inline int kld_inverse_temperature(float temperature, float *inv_t)
{
    if (!(temperature > 0 && temperature <= FLT_MAX))
        return 0;
    *inv_t = (float)(1.0 / temperature);
    return *inv_t <= FLT_MAX;
}

#endif /* KLD_API_INTERNAL_H */
