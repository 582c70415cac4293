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

void kld_rows_both_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp,
                       size_t ldq, double *forward, double *reverse)
{
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        double f = bad ? NAN : 0.0, b = f;
        if (!bad && n)
            k->both_f64(p + r * ldp, q + r * ldq, n, &f, &b);
        kld_store_pair(forward ? &forward[r] : NULL, reverse ? &reverse[r] : NULL, f, b);
    }
}

void kld_rows_stats_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp,
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
            k->stats_f64(p + r * ldp, q + r * ldq, n, &out[r]);
        else
            out[r] = (kld_stats){0};
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

/* JS and TV rows: one helper per element type, each public function a kernel and an output. */

typedef double (*div_f32)(const float *p, const float *q, size_t n);
typedef double (*div_f64)(const double *p, const double *q, size_t n);
typedef double (*div_u16)(const uint16_t *p, const uint16_t *q, size_t n);

static void rows_div_f32(div_f32 kernel, const float *p, const float *q, size_t rows, size_t n,
                         size_t ldp, size_t ldq, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? kernel(p + r * ldp, q + r * ldq, n) : 0.0;
}

static void rows_div_f64(div_f64 kernel, const double *p, const double *q, size_t rows, size_t n,
                         size_t ldp, size_t ldq, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? kernel(p + r * ldp, q + r * ldq, n) : 0.0;
}

static void rows_div_u16(div_u16 kernel, const uint16_t *p, const uint16_t *q, size_t rows,
                         size_t n, size_t ldp, size_t ldq, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? kernel(p + r * ldp, q + r * ldq, n) : 0.0;
}

void kld_rows_js_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    rows_div_f32(kld_active_kernels()->js_f32, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_tv_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    rows_div_f32(kld_active_kernels()->tv_f32, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_js_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    rows_div_f64(kld_active_kernels()->js_f64, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_tv_f64(const double *p, const double *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    rows_div_f64(kld_active_kernels()->tv_f64, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_js_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    rows_div_u16(kld_active_kernels()->js_f16, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_tv_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                     double *out)
{
    rows_div_u16(kld_active_kernels()->tv_f16, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_js_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                      double *out)
{
    rows_div_u16(kld_active_kernels()->js_bf16, p, q, rows, n, ldp, ldq, out);
}

void kld_rows_tv_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                      double *out)
{
    rows_div_u16(kld_active_kernels()->tv_bf16, p, q, rows, n, ldp, ldq, out);
}

/* JS and TV rows from logits: the single-row path (api_logits.c) row by row, JS or TV kept. */

typedef void (*div_logits_f32)(const kld_kernels *k, const float *a, const float *b, size_t n,
                               float temperature, double *js, double *tv);
typedef void (*div_logits_u16)(const kld_kernels *k, const uint16_t *a, const uint16_t *b,
                               size_t n, float temperature, double *js, double *tv);

static void rows_div_logits_f32(div_logits_f32 div_with, int tv, const float *a, const float *b,
                                size_t rows, size_t n, size_t lda, size_t ldb, float temperature,
                                double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        out[r] = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            div_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                     tv ? NULL : &out[r], tv ? &out[r] : NULL);
    }
}

static void rows_div_logits_u16(div_logits_u16 div_with, int tv, const uint16_t *a,
                                const uint16_t *b, size_t rows, size_t n, size_t lda, size_t ldb,
                                float temperature, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        out[r] = NAN;
        if (!bad) /* n == 0: no row pointer is formed (a and b may be NULL) */
            div_with(k, n ? a + r * lda : a, n ? b + r * ldb : b, n, temperature,
                     tv ? NULL : &out[r], tv ? &out[r] : NULL);
    }
}

void kld_rows_js_logits_f32(const float *a, const float *b, size_t rows, size_t n,
                            size_t lda, size_t ldb, float temperature, double *out)
{
    rows_div_logits_f32(kld_div_logits_f32_with, 0, a, b, rows, n, lda, ldb, temperature, out);
}

void kld_rows_tv_logits_f32(const float *a, const float *b, size_t rows, size_t n,
                            size_t lda, size_t ldb, float temperature, double *out)
{
    rows_div_logits_f32(kld_div_logits_f32_with, 1, a, b, rows, n, lda, ldb, temperature, out);
}

void kld_rows_js_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                            size_t lda, size_t ldb, float temperature, double *out)
{
    rows_div_logits_u16(kld_div_logits_f16_with, 0, a, b, rows, n, lda, ldb, temperature, out);
}

void kld_rows_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                            size_t lda, size_t ldb, float temperature, double *out)
{
    rows_div_logits_u16(kld_div_logits_f16_with, 1, a, b, rows, n, lda, ldb, temperature, out);
}

void kld_rows_js_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                             size_t lda, size_t ldb, float temperature, double *out)
{
    rows_div_logits_u16(kld_div_logits_bf16_with, 0, a, b, rows, n, lda, ldb, temperature, out);
}

void kld_rows_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                             size_t lda, size_t ldb, float temperature, double *out)
{
    rows_div_logits_u16(kld_div_logits_bf16_with, 1, a, b, rows, n, lda, ldb, temperature, out);
}
