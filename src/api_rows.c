/* api_rows.c - the batched entry points: the kernel table resolved once per call, then the
 * single-row kernels row by row, so that every row's result equals the single-row call on it. */
#include "api_internal.h"
#include "kernels.h"

void kld_rows_both_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp,
                       size_t ldq, double *forward, double *reverse)
{
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        double f = bad ? NAN : 0.0, b = f;
        if (!bad && n)
            k->both_f32(p + r * ldp, q + r * ldq, n, &f, &b);
        kld_store_pair(forward ? &forward[r] : NULL, reverse ? &reverse[r] : NULL, f, b);
    }
}

void kld_rows_stats_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp,
                        size_t ldq, kld_stats *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            out[r] = kld_stats_nan();
        else if (n)
            k->stats_f32(p + r * ldp, q + r * ldq, n, &out[r]);
        else
            out[r] = (kld_stats){0};
    }
}

void kld_rows_stats_logits_f32(const float *a, const float *b, size_t rows, size_t n,
                               size_t lda, size_t ldb, float temperature, kld_logit_stats *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            kld_logits_nan(&out[r], n);
        else /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_stats_logits_f32_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                     &out[r]);
    }
}

void kld_rows_both_logits_f32(const float *a, const float *b, size_t rows, size_t n, size_t lda,
                              size_t ldb, float temperature, double *forward, double *reverse)
{
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        double f = NAN, rv = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_both_logits_f32_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                    &f, &rv);
        kld_store_pair(forward ? &forward[r] : NULL, reverse ? &reverse[r] : NULL, f, rv);
    }
}

void kld_rows_both_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                       size_t ldq, double *forward, double *reverse)
{
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        double f = bad ? NAN : 0.0, b = f;
        if (!bad && n)
            k->both_f16(p + r * ldp, q + r * ldq, n, &f, &b);
        kld_store_pair(forward ? &forward[r] : NULL, reverse ? &reverse[r] : NULL, f, b);
    }
}

void kld_rows_stats_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                        size_t ldq, kld_stats *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            out[r] = kld_stats_nan();
        else if (n)
            k->stats_f16(p + r * ldp, q + r * ldq, n, &out[r]);
        else
            out[r] = (kld_stats){0};
    }
}

void kld_rows_stats_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                               size_t lda, size_t ldb, float temperature, kld_logit_stats *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            kld_logits_nan(&out[r], n);
        else /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_stats_logits_f16_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                     &out[r]);
    }
}

void kld_rows_both_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, size_t lda,
                              size_t ldb, float temperature, double *forward, double *reverse)
{
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        double f = NAN, rv = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_both_logits_f16_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                    &f, &rv);
        kld_store_pair(forward ? &forward[r] : NULL, reverse ? &reverse[r] : NULL, f, rv);
    }
}

void kld_rows_both_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                       size_t ldq, double *forward, double *reverse)
{
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        double f = bad ? NAN : 0.0, b = f;
        if (!bad && n)
            k->both_bf16(p + r * ldp, q + r * ldq, n, &f, &b);
        kld_store_pair(forward ? &forward[r] : NULL, reverse ? &reverse[r] : NULL, f, b);
    }
}

void kld_rows_stats_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp,
                        size_t ldq, kld_stats *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            out[r] = kld_stats_nan();
        else if (n)
            k->stats_bf16(p + r * ldp, q + r * ldq, n, &out[r]);
        else
            out[r] = (kld_stats){0};
    }
}

void kld_rows_stats_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                               size_t lda, size_t ldb, float temperature, kld_logit_stats *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            kld_logits_nan(&out[r], n);
        else /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_stats_logits_bf16_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                     &out[r]);
    }
}

void kld_rows_both_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n, size_t lda,
                              size_t ldb, float temperature, double *forward, double *reverse)
{
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        double f = NAN, rv = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_both_logits_bf16_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                    &f, &rv);
        kld_store_pair(forward ? &forward[r] : NULL, reverse ? &reverse[r] : NULL, f, rv);
    }
}

void kld_rows_js_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? k->js_f32(p + r * ldp, q + r * ldq, n) : 0.0;
}

void kld_rows_tv_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? k->tv_f32(p + r * ldp, q + r * ldq, n) : 0.0;
}

void kld_rows_js_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? k->js_f64(p + r * ldp, q + r * ldq, n) : 0.0;
}

void kld_rows_tv_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? k->tv_f64(p + r * ldp, q + r * ldq, n) : 0.0;
}

void kld_rows_js_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? k->js_f16(p + r * ldp, q + r * ldq, n) : 0.0;
}

void kld_rows_tv_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? k->tv_f16(p + r * ldp, q + r * ldq, n) : 0.0;
}

void kld_rows_js_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? k->js_bf16(p + r * ldp, q + r * ldq, n) : 0.0;
}

void kld_rows_tv_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? k->tv_bf16(p + r * ldp, q + r * ldq, n) : 0.0;
}

void kld_rows_js_logits_f32(const float *a, const float *b, size_t rows, size_t n,
                            size_t lda, size_t ldb, float temperature, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        out[r] = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_div_logits_f32_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                  &out[r], NULL);
    }
}

void kld_rows_tv_logits_f32(const float *a, const float *b, size_t rows, size_t n,
                            size_t lda, size_t ldb, float temperature, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        out[r] = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_div_logits_f32_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                  NULL, &out[r]);
    }
}

void kld_rows_js_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                            size_t lda, size_t ldb, float temperature, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        out[r] = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_div_logits_f16_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                  &out[r], NULL);
    }
}

void kld_rows_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                            size_t lda, size_t ldb, float temperature, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        out[r] = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_div_logits_f16_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                  NULL, &out[r]);
    }
}

void kld_rows_js_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                            size_t lda, size_t ldb, float temperature, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        out[r] = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_div_logits_bf16_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                  &out[r], NULL);
    }
}

void kld_rows_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                            size_t lda, size_t ldb, float temperature, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        out[r] = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            kld_div_logits_bf16_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                                  NULL, &out[r]);
    }
}
