/* rows.c - the batched entry points: one dispatch, then the single-row kernels row by row, so
 * every row's result equals the single-row call on it. */
#include <math.h>

#include "kernels.h"
#include "logits_common.h"

/* NULL inputs with work to do, or overlapping rows (ld < n) when there is more than one row. */
static int bad_rows(const void *x, const void *y, size_t rows, size_t n, size_t ldx, size_t ldy)
{
    return (n && rows && (!x || !y)) || (rows > 1 && (ldx < n || ldy < n));
}

void kld_rows_both_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp,
                       size_t ldq, double *forward, double *reverse)
{
    int bad = bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        double f = bad ? NAN : 0.0, b = f;
        if (!bad && n)
            k->both_f32(p + r * ldp, q + r * ldq, n, &f, &b);
        if (forward)
            forward[r] = f;
        if (reverse)
            reverse[r] = b;
    }
}

void kld_rows_stats_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp,
                        size_t ldq, kld_stats *out)
{
    if (!out)
        return;
    int bad = bad_rows(p, q, rows, n, ldp, ldq);
    const kld_kernels *k = kld_active_kernels();
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            out[r] = (kld_stats){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
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
    int bad = bad_rows(a, b, rows, n, lda, ldb);
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            kld_logits_nan(&out[r], n);
        else
            kld_stats_logits_f32(a + r * lda, b + r * ldb, n, temperature, &out[r]);
    }
}

void kld_rows_both_logits_f32(const float *a, const float *b, size_t rows, size_t n, size_t lda,
                              size_t ldb, float temperature, double *forward, double *reverse)
{
    int bad = bad_rows(a, b, rows, n, lda, ldb);
    for (size_t r = 0; r < rows; r++) {
        double f = NAN, rv = NAN;
        if (!bad)
            kld_both_logits_at(a + r * lda, b + r * ldb, n, temperature, &f, &rv);
        if (forward)
            forward[r] = f;
        if (reverse)
            reverse[r] = rv;
    }
}
