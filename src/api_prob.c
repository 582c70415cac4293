/* api_prob.c - the public probability entry points (kld.h), single-row and rows: each takes its
 * kernel from the active path's table and hands it to the helper of its shape (api_template.h),
 * which applies the argument conventions. */
#include "api_internal.h"
#include "kernels.h"

#define KLD_API_ELEM float
#define KLD_API_SHAPE(shape) shape##_f32
#include "api_template.h"
#define KLD_API_ELEM double
#define KLD_API_SHAPE(shape) shape##_f64
#include "api_template.h"
#define KLD_API_ELEM uint16_t
#define KLD_API_SHAPE(shape) shape##_u16
#include "api_template.h"

void kld_both_f32(const float *p, const float *q, size_t n, double *forward, double *reverse)
{
    pair_f32(kld_active_kernels()->both_f32, p, q, n, forward, reverse);
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
    stats_f32(kld_active_kernels()->stats_f32, p, q, n, out);
}

double kld_js_f32(const float *p, const float *q, size_t n)
{
    return one_f32(kld_active_kernels()->js_f32, p, q, n);
}

double kld_tv_f32(const float *p, const float *q, size_t n)
{
    return one_f32(kld_active_kernels()->tv_f32, p, q, n);
}

void kld_both_f64(const double *p, const double *q, size_t n, double *forward, double *reverse)
{
    pair_f64(kld_active_kernels()->both_f64, p, q, n, forward, reverse);
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
    stats_f64(kld_active_kernels()->stats_f64, p, q, n, out);
}

double kld_js_f64(const double *p, const double *q, size_t n)
{
    return one_f64(kld_active_kernels()->js_f64, p, q, n);
}

double kld_tv_f64(const double *p, const double *q, size_t n)
{
    return one_f64(kld_active_kernels()->tv_f64, p, q, n);
}

void kld_both_f16(const uint16_t *p, const uint16_t *q, size_t n, double *forward, double *reverse)
{
    pair_u16(kld_active_kernels()->both_f16, p, q, n, forward, reverse);
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
    stats_u16(kld_active_kernels()->stats_f16, p, q, n, out);
}

double kld_js_f16(const uint16_t *p, const uint16_t *q, size_t n)
{
    return one_u16(kld_active_kernels()->js_f16, p, q, n);
}

double kld_tv_f16(const uint16_t *p, const uint16_t *q, size_t n)
{
    return one_u16(kld_active_kernels()->tv_f16, p, q, n);
}

void kld_both_bf16(const uint16_t *p, const uint16_t *q, size_t n, double *forward, double *reverse)
{
    pair_u16(kld_active_kernels()->both_bf16, p, q, n, forward, reverse);
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
    stats_u16(kld_active_kernels()->stats_bf16, p, q, n, out);
}

double kld_js_bf16(const uint16_t *p, const uint16_t *q, size_t n)
{
    return one_u16(kld_active_kernels()->js_bf16, p, q, n);
}

double kld_tv_bf16(const uint16_t *p, const uint16_t *q, size_t n)
{
    return one_u16(kld_active_kernels()->tv_bf16, p, q, n);
}

void kld_rows_both_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp,
                       size_t ldq, double *forward, double *reverse)
{
    rows_pair_f32(kld_active_kernels()->both_f32, p, q, rows, n, ldp, ldq, forward, reverse);
}

void kld_rows_stats_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp,
                        size_t ldq, kld_stats *out)
{
    rows_stats_f32(kld_active_kernels()->stats_f32, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_js_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    rows_one_f32(kld_active_kernels()->js_f32, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_tv_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    rows_one_f32(kld_active_kernels()->tv_f32, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_both_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp,
                       size_t ldq, double *forward, double *reverse)
{
    rows_pair_f64(kld_active_kernels()->both_f64, p, q, rows, n, ldp, ldq, forward, reverse);
}

void kld_rows_stats_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp,
                        size_t ldq, kld_stats *out)
{
    rows_stats_f64(kld_active_kernels()->stats_f64, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_js_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp,
                     size_t ldq, double *out)
{
    rows_one_f64(kld_active_kernels()->js_f64, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_tv_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp,
                     size_t ldq, double *out)
{
    rows_one_f64(kld_active_kernels()->tv_f64, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_both_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                       size_t ldq, double *forward, double *reverse)
{
    rows_pair_u16(kld_active_kernels()->both_f16, p, q, rows, n, ldp, ldq, forward, reverse);
}

void kld_rows_stats_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                        size_t ldq, kld_stats *out)
{
    rows_stats_u16(kld_active_kernels()->stats_f16, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_js_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                     size_t ldq, double *out)
{
    rows_one_u16(kld_active_kernels()->js_f16, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_tv_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                     size_t ldq, double *out)
{
    rows_one_u16(kld_active_kernels()->tv_f16, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_both_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                        size_t ldq, double *forward, double *reverse)
{
    rows_pair_u16(kld_active_kernels()->both_bf16, p, q, rows, n, ldp, ldq, forward, reverse);
}

void kld_rows_stats_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                         size_t ldq, kld_stats *out)
{
    rows_stats_u16(kld_active_kernels()->stats_bf16, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_js_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                      size_t ldq, double *out)
{
    rows_one_u16(kld_active_kernels()->js_bf16, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_tv_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                      size_t ldq, double *out)
{
    rows_one_u16(kld_active_kernels()->tv_bf16, p, q, rows, n, ldp, ldq, out);
}

void kld_stats_js_tv_f32(const float *p, const float *q, size_t n, kld_stats_js_tv *out)
{
    stats_js_tv_f32(kld_active_kernels()->stats_js_tv_f32, p, q, n, out);
}

void kld_rows_stats_js_tv_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp,
                             size_t ldq, kld_stats_js_tv *out)
{
    rows_stats_js_tv_f32(kld_active_kernels()->stats_js_tv_f32, p, q, rows, n, ldp, ldq, out);
}

void kld_stats_js_tv_f64(const double *p, const double *q, size_t n, kld_stats_js_tv *out)
{
    stats_js_tv_f64(kld_active_kernels()->stats_js_tv_f64, p, q, n, out);
}

void kld_rows_stats_js_tv_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp,
                             size_t ldq, kld_stats_js_tv *out)
{
    rows_stats_js_tv_f64(kld_active_kernels()->stats_js_tv_f64, p, q, rows, n, ldp, ldq, out);
}

void kld_stats_js_tv_f16(const uint16_t *p, const uint16_t *q, size_t n, kld_stats_js_tv *out)
{
    stats_js_tv_u16(kld_active_kernels()->stats_js_tv_f16, p, q, n, out);
}

void kld_rows_stats_js_tv_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n,
                              size_t ldp, size_t ldq, kld_stats_js_tv *out)
{
    rows_stats_js_tv_u16(kld_active_kernels()->stats_js_tv_f16, p, q, rows, n, ldp, ldq, out);
}

void kld_stats_js_tv_bf16(const uint16_t *p, const uint16_t *q, size_t n, kld_stats_js_tv *out)
{
    stats_js_tv_u16(kld_active_kernels()->stats_js_tv_bf16, p, q, n, out);
}

void kld_rows_stats_js_tv_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n,
                              size_t ldp, size_t ldq, kld_stats_js_tv *out)
{
    rows_stats_js_tv_u16(kld_active_kernels()->stats_js_tv_bf16, p, q, rows, n, ldp, ldq, out);
}
