/* api_prob.c - the public probability-space entry points: the argument conventions of
 * api_internal.h, then the active path's kernel. */
#include "api_internal.h"
#include "kernels.h"

void kld_both_f32(const float *p, const float *q, size_t n, double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    if (kld_missing_input(p, q, n))
        f = r = NAN;
    else if (n)
        kld_active_kernels()->both_f32(p, q, n, &f, &r);
    kld_store_pair(forward, reverse, f, r);
}

double kld_forward_f32(const float *p, const float *q, size_t n)
{
    double f;
    kld_both_f32(p, q, n, &f, NULL);
    return f;
}

double kld_reverse_f32(const float *p, const float *q, size_t n)
{
    double r;
    kld_both_f32(p, q, n, NULL, &r);
    return r;
}

void kld_stats_f32(const float *p, const float *q, size_t n, kld_stats *out)
{
    if (!out)
        return;
    if (kld_missing_input(p, q, n))
        *out = kld_stats_nan();
    else if (n)
        kld_active_kernels()->stats_f32(p, q, n, out);
    else
        *out = (kld_stats){0};
}

void kld_both_f64(const double *p, const double *q, size_t n, double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    if (kld_missing_input(p, q, n))
        f = r = NAN;
    else if (n)
        kld_active_kernels()->both_f64(p, q, n, &f, &r);
    kld_store_pair(forward, reverse, f, r);
}

double kld_forward_f64(const double *p, const double *q, size_t n)
{
    double f;
    kld_both_f64(p, q, n, &f, NULL);
    return f;
}

double kld_reverse_f64(const double *p, const double *q, size_t n)
{
    double r;
    kld_both_f64(p, q, n, NULL, &r);
    return r;
}

void kld_stats_f64(const double *p, const double *q, size_t n, kld_stats *out)
{
    if (!out)
        return;
    if (kld_missing_input(p, q, n))
        *out = kld_stats_nan();
    else if (n)
        kld_active_kernels()->stats_f64(p, q, n, out);
    else
        *out = (kld_stats){0};
}

void kld_both_f16(const uint16_t *p, const uint16_t *q, size_t n, double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    if (kld_missing_input(p, q, n))
        f = r = NAN;
    else if (n)
        kld_active_kernels()->both_f16(p, q, n, &f, &r);
    kld_store_pair(forward, reverse, f, r);
}

double kld_forward_f16(const uint16_t *p, const uint16_t *q, size_t n)
{
    double f;
    kld_both_f16(p, q, n, &f, NULL);
    return f;
}

double kld_reverse_f16(const uint16_t *p, const uint16_t *q, size_t n)
{
    double r;
    kld_both_f16(p, q, n, NULL, &r);
    return r;
}

void kld_stats_f16(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out)
{
    if (!out)
        return;
    if (kld_missing_input(p, q, n))
        *out = kld_stats_nan();
    else if (n)
        kld_active_kernels()->stats_f16(p, q, n, out);
    else
        *out = (kld_stats){0};
}

void kld_both_bf16(const uint16_t *p, const uint16_t *q, size_t n, double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    if (kld_missing_input(p, q, n))
        f = r = NAN;
    else if (n)
        kld_active_kernels()->both_bf16(p, q, n, &f, &r);
    kld_store_pair(forward, reverse, f, r);
}

double kld_forward_bf16(const uint16_t *p, const uint16_t *q, size_t n)
{
    double f;
    kld_both_bf16(p, q, n, &f, NULL);
    return f;
}

double kld_reverse_bf16(const uint16_t *p, const uint16_t *q, size_t n)
{
    double r;
    kld_both_bf16(p, q, n, NULL, &r);
    return r;
}

void kld_stats_bf16(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out)
{
    if (!out)
        return;
    if (kld_missing_input(p, q, n))
        *out = kld_stats_nan();
    else if (n)
        kld_active_kernels()->stats_bf16(p, q, n, out);
    else
        *out = (kld_stats){0};
}

/* Jensen-Shannon and total variation: NaN for a NULL input with n > 0, 0 for n == 0. */

double kld_js_f32(const float *p, const float *q, size_t n)
{
    if (kld_missing_input(p, q, n))
        return NAN;
    return n ? kld_active_kernels()->js_f32(p, q, n) : 0.0;
}

double kld_tv_f32(const float *p, const float *q, size_t n)
{
    if (kld_missing_input(p, q, n))
        return NAN;
    return n ? kld_active_kernels()->tv_f32(p, q, n) : 0.0;
}

double kld_js_f64(const double *p, const double *q, size_t n)
{
    if (kld_missing_input(p, q, n))
        return NAN;
    return n ? kld_active_kernels()->js_f64(p, q, n) : 0.0;
}

double kld_tv_f64(const double *p, const double *q, size_t n)
{
    if (kld_missing_input(p, q, n))
        return NAN;
    return n ? kld_active_kernels()->tv_f64(p, q, n) : 0.0;
}

double kld_js_f16(const uint16_t *p, const uint16_t *q, size_t n)
{
    if (kld_missing_input(p, q, n))
        return NAN;
    return n ? kld_active_kernels()->js_f16(p, q, n) : 0.0;
}

double kld_tv_f16(const uint16_t *p, const uint16_t *q, size_t n)
{
    if (kld_missing_input(p, q, n))
        return NAN;
    return n ? kld_active_kernels()->tv_f16(p, q, n) : 0.0;
}

double kld_js_bf16(const uint16_t *p, const uint16_t *q, size_t n)
{
    if (kld_missing_input(p, q, n))
        return NAN;
    return n ? kld_active_kernels()->js_bf16(p, q, n) : 0.0;
}

double kld_tv_bf16(const uint16_t *p, const uint16_t *q, size_t n)
{
    if (kld_missing_input(p, q, n))
        return NAN;
    return n ? kld_active_kernels()->tv_bf16(p, q, n) : 0.0;
}
