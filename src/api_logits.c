/* api_logits.c - the public logits entry points (kld.h), single-row and rows: each takes its
 * kernel from the active path's table and hands it to the helper of its shape (api_template.h),
 * which applies the argument conventions, the temperature rule among them. */
#include "api_internal.h"
#include "kernels.h"

#define KLD_API_LOGITS
#define KLD_API_ELEM float
#define KLD_API_SHAPE(shape) shape##_f32
#include "api_template.h"
#define KLD_API_LOGITS
#define KLD_API_ELEM uint16_t
#define KLD_API_SHAPE(shape) shape##_u16
#include "api_template.h"

void kld_stats_logits_f32(const float *a, const float *b, size_t n, float temperature,
                          kld_logit_stats *out)
{
    if (out)
        logit_stats_f32(kld_active_kernels()->stats_logits_f32, a, b, n, temperature, out);
}

void kld_both_logits_f32(const float *a, const float *b, size_t n, double *forward, double *reverse)
{
    logit_pair_f32(kld_active_kernels()->both_logits_f32, a, b, n, 1.0f, forward, reverse);
}

double kld_forward_logits_f32(const float *a, const float *b, size_t n)
{
    double f;
    kld_both_logits_f32(a, b, n, &f, NULL);
    return f;
}

double kld_reverse_logits_f32(const float *a, const float *b, size_t n)
{
    double r;
    kld_both_logits_f32(a, b, n, NULL, &r);
    return r;
}

double kld_js_logits_f32(const float *a, const float *b, size_t n, float temperature)
{
    double js;
    logit_div_f32(kld_active_kernels()->div_logits_f32, a, b, n, temperature, &js, NULL);
    return js;
}

double kld_tv_logits_f32(const float *a, const float *b, size_t n, float temperature)
{
    double tv;
    logit_div_f32(kld_active_kernels()->div_logits_f32, a, b, n, temperature, NULL, &tv);
    return tv;
}

void kld_stats_logits_f16(const uint16_t *a, const uint16_t *b, size_t n, float temperature,
                          kld_logit_stats *out)
{
    if (out)
        logit_stats_u16(kld_active_kernels()->stats_logits_f16, a, b, n, temperature, out);
}

void kld_both_logits_f16(const uint16_t *a, const uint16_t *b, size_t n, double *forward,
                         double *reverse)
{
    logit_pair_u16(kld_active_kernels()->both_logits_f16, a, b, n, 1.0f, forward, reverse);
}

double kld_forward_logits_f16(const uint16_t *a, const uint16_t *b, size_t n)
{
    double f;
    kld_both_logits_f16(a, b, n, &f, NULL);
    return f;
}

double kld_reverse_logits_f16(const uint16_t *a, const uint16_t *b, size_t n)
{
    double r;
    kld_both_logits_f16(a, b, n, NULL, &r);
    return r;
}

double kld_js_logits_f16(const uint16_t *a, const uint16_t *b, size_t n, float temperature)
{
    double js;
    logit_div_u16(kld_active_kernels()->div_logits_f16, a, b, n, temperature, &js, NULL);
    return js;
}

double kld_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t n, float temperature)
{
    double tv;
    logit_div_u16(kld_active_kernels()->div_logits_f16, a, b, n, temperature, NULL, &tv);
    return tv;
}

void kld_stats_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n, float temperature,
                           kld_logit_stats *out)
{
    if (out)
        logit_stats_u16(kld_active_kernels()->stats_logits_bf16, a, b, n, temperature, out);
}

void kld_both_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n, double *forward,
                          double *reverse)
{
    logit_pair_u16(kld_active_kernels()->both_logits_bf16, a, b, n, 1.0f, forward, reverse);
}

double kld_forward_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n)
{
    double f;
    kld_both_logits_bf16(a, b, n, &f, NULL);
    return f;
}

double kld_reverse_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n)
{
    double r;
    kld_both_logits_bf16(a, b, n, NULL, &r);
    return r;
}

double kld_js_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n, float temperature)
{
    double js;
    logit_div_u16(kld_active_kernels()->div_logits_bf16, a, b, n, temperature, &js, NULL);
    return js;
}

double kld_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n, float temperature)
{
    double tv;
    logit_div_u16(kld_active_kernels()->div_logits_bf16, a, b, n, temperature, NULL, &tv);
    return tv;
}

void kld_rows_stats_logits_f32(const float *a, const float *b, size_t rows, size_t n, size_t lda,
                               size_t ldb, float temperature, kld_logit_stats *out)
{
    rows_logit_stats_f32(kld_active_kernels()->stats_logits_f32, a, b, rows, n, lda, ldb,
                         temperature, out);
}

void kld_rows_both_logits_f32(const float *a, const float *b, size_t rows, size_t n, size_t lda,
                              size_t ldb, float temperature, double *forward, double *reverse)
{
    rows_logit_pair_f32(kld_active_kernels()->both_logits_f32, a, b, rows, n, lda, ldb, temperature,
                        forward, reverse);
}

void kld_rows_js_logits_f32(const float *a, const float *b, size_t rows, size_t n, size_t lda,
                            size_t ldb, float temperature, double *out)
{
    rows_logit_div_f32(kld_active_kernels()->div_logits_f32, 0, a, b, rows, n, lda, ldb,
                       temperature, out);
}

void kld_rows_tv_logits_f32(const float *a, const float *b, size_t rows, size_t n, size_t lda,
                            size_t ldb, float temperature, double *out)
{
    rows_logit_div_f32(kld_active_kernels()->div_logits_f32, 1, a, b, rows, n, lda, ldb,
                       temperature, out);
}

void kld_rows_stats_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                               size_t lda, size_t ldb, float temperature, kld_logit_stats *out)
{
    rows_logit_stats_u16(kld_active_kernels()->stats_logits_f16, a, b, rows, n, lda, ldb,
                         temperature, out);
}

void kld_rows_both_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                              size_t lda, size_t ldb, float temperature, double *forward,
                              double *reverse)
{
    rows_logit_pair_u16(kld_active_kernels()->both_logits_f16, a, b, rows, n, lda, ldb, temperature,
                        forward, reverse);
}

void kld_rows_js_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, size_t lda,
                            size_t ldb, float temperature, double *out)
{
    rows_logit_div_u16(kld_active_kernels()->div_logits_f16, 0, a, b, rows, n, lda, ldb,
                       temperature, out);
}

void kld_rows_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, size_t lda,
                            size_t ldb, float temperature, double *out)
{
    rows_logit_div_u16(kld_active_kernels()->div_logits_f16, 1, a, b, rows, n, lda, ldb,
                       temperature, out);
}

void kld_rows_stats_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                                size_t lda, size_t ldb, float temperature, kld_logit_stats *out)
{
    rows_logit_stats_u16(kld_active_kernels()->stats_logits_bf16, a, b, rows, n, lda, ldb,
                         temperature, out);
}

void kld_rows_both_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                               size_t lda, size_t ldb, float temperature, double *forward,
                               double *reverse)
{
    rows_logit_pair_u16(kld_active_kernels()->both_logits_bf16, a, b, rows, n, lda, ldb,
                        temperature, forward, reverse);
}

void kld_rows_js_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                             size_t lda, size_t ldb, float temperature, double *out)
{
    rows_logit_div_u16(kld_active_kernels()->div_logits_bf16, 0, a, b, rows, n, lda, ldb,
                       temperature, out);
}

void kld_rows_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                             size_t lda, size_t ldb, float temperature, double *out)
{
    rows_logit_div_u16(kld_active_kernels()->div_logits_bf16, 1, a, b, rows, n, lda, ldb,
                       temperature, out);
}

void kld_stats_js_tv_logits_f32(const float *a, const float *b, size_t n, float temperature,
                               kld_logit_stats_js_tv *out)
{
    logit_stats_js_tv_f32(kld_active_kernels()->stats_js_tv_logits_f32, a, b, n, temperature,
                         out);
}

void kld_rows_stats_js_tv_logits_f32(const float *a, const float *b, size_t rows, size_t n,
                                    size_t lda, size_t ldb, float temperature,
                                    kld_logit_stats_js_tv *out)
{
    rows_logit_stats_js_tv_f32(kld_active_kernels()->stats_js_tv_logits_f32, a, b, rows, n, lda,
                              ldb, temperature, out);
}

void kld_stats_js_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t n, float temperature,
                               kld_logit_stats_js_tv *out)
{
    logit_stats_js_tv_u16(kld_active_kernels()->stats_js_tv_logits_f16, a, b, n, temperature,
                         out);
}

void kld_rows_stats_js_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                                    size_t lda, size_t ldb, float temperature,
                                    kld_logit_stats_js_tv *out)
{
    rows_logit_stats_js_tv_u16(kld_active_kernels()->stats_js_tv_logits_f16, a, b, rows, n, lda,
                              ldb, temperature, out);
}

void kld_stats_js_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n, float temperature,
                               kld_logit_stats_js_tv *out)
{
    logit_stats_js_tv_u16(kld_active_kernels()->stats_js_tv_logits_bf16, a, b, n, temperature,
                         out);
}

void kld_rows_stats_js_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                                    size_t lda, size_t ldb, float temperature,
                                    kld_logit_stats_js_tv *out)
{
    rows_logit_stats_js_tv_u16(kld_active_kernels()->stats_js_tv_logits_bf16, a, b, rows, n, lda,
                              ldb, temperature, out);
}
