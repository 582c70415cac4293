/* api_distill.c - the public distillation entry points (kld.h's kld_distill_*), single-row and
 * rows: each takes its kernel from the active path's table and hands it to the helper of its
 * input type below, which applies the conventions (temperature, NULL inputs, kind, n == 0, rows'
 * strides) before the kernel sees a row. */
#include "api_internal.h"
#include "generic/grad_store.h"
#include "kernels.h"

/* The helpers of one input type t (C type T): distill_<t> for a row, rows_distill_<t> for rows.
 * The gradient goes to grad (float) or, when that is NULL, to native (the input's type). */
#define KLD_DISTILL_HELPERS(t, T)                                                              \
    static void nan_row_##t(size_t n, double *loss, float *grad, T *native)                    \
    {                                                                                          \
        if (loss)                                                                              \
            *loss = NAN;                                                                       \
        for (size_t i = 0; grad && i < n; i++)                                                 \
            grad[i] = NAN;                                                                     \
        for (size_t i = 0; !grad && native && i < n; i++)                                      \
            native[i] = KLD_GRAD_AS_##t(NAN);                                                  \
    }                                                                                          \
                                                                                               \
    static void distill_##t(const T *s, const T *te, size_t n, float temperature,              \
                            kld_distill_kind kind, double *loss, float *grad, T *native)       \
    {                                                                                          \
        float inv_t;                                                                           \
        double l = 0.0;                                                                        \
        if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(s, te, n) ||    \
            (unsigned)kind > KLD_DISTILL_JS)                                                   \
            nan_row_##t(n, &l, grad, native);                                                  \
        else if (n)                                                                            \
            kld_active_kernels()->distill_##t(s, te, n, inv_t, (int)kind, &l, grad, native);   \
        if (loss)                                                                              \
            *loss = l;                                                                         \
    }                                                                                          \
                                                                                               \
    static void rows_distill_##t(const T *s, const T *te, size_t rows, size_t n, size_t lds,   \
                                 size_t ldt, float temperature, kld_distill_kind kind,         \
                                 double *loss, float *grad, T *native, size_t ldg)             \
    {                                                                                          \
        int bad = kld_bad_rows(s, te, rows, n, lds, ldt) || (rows > 1 && (grad || native) &&   \
                                                             ldg < n);                         \
        int writable = rows <= 1 || ldg >= n;                                                  \
        for (size_t r = 0; r < rows; r++) {                                                    \
            float *g = grad && writable ? grad + r * ldg : NULL;                               \
            T *h = native && writable ? native + r * ldg : NULL;                               \
            if (bad)                                                                           \
                nan_row_##t(n, loss ? &loss[r] : NULL, g, h);                                  \
            else                                                                               \
                distill_##t(n ? s + r * lds : s, n ? te + r * ldt : te, n, temperature, kind,  \
                            loss ? &loss[r] : NULL, g, h);                                     \
        }                                                                                      \
    }
KLD_DISTILL_HELPERS(f32, float)
KLD_DISTILL_HELPERS(f64, double)
KLD_DISTILL_HELPERS(f16, uint16_t)
KLD_DISTILL_HELPERS(bf16, uint16_t)
#undef KLD_DISTILL_HELPERS

void kld_distill_f32(const float *student, const float *teacher, size_t n, float temperature,
                     kld_distill_kind kind, double *loss, float *grad)
{
    distill_f32(student, teacher, n, temperature, kind, loss, grad, NULL);
}

void kld_distill_f64(const double *student, const double *teacher, size_t n, float temperature,
                     kld_distill_kind kind, double *loss, double *grad)
{
    distill_f64(student, teacher, n, temperature, kind, loss, NULL, grad);
}

void kld_distill_f16(const uint16_t *student, const uint16_t *teacher, size_t n,
                     float temperature, kld_distill_kind kind, double *loss, float *grad)
{
    distill_f16(student, teacher, n, temperature, kind, loss, grad, NULL);
}

void kld_distill_bf16(const uint16_t *student, const uint16_t *teacher, size_t n,
                      float temperature, kld_distill_kind kind, double *loss, float *grad)
{
    distill_bf16(student, teacher, n, temperature, kind, loss, grad, NULL);
}

void kld_distill_native_f16(const uint16_t *student, const uint16_t *teacher, size_t n,
                            float temperature, kld_distill_kind kind, double *loss,
                            uint16_t *grad)
{
    distill_f16(student, teacher, n, temperature, kind, loss, NULL, grad);
}

void kld_distill_native_bf16(const uint16_t *student, const uint16_t *teacher, size_t n,
                             float temperature, kld_distill_kind kind, double *loss,
                             uint16_t *grad)
{
    distill_bf16(student, teacher, n, temperature, kind, loss, NULL, grad);
}

void kld_rows_distill_f32(const float *student, const float *teacher, size_t rows, size_t n,
                          size_t lds, size_t ldt, float temperature, kld_distill_kind kind,
                          double *loss, float *grad, size_t ldg)
{
    rows_distill_f32(student, teacher, rows, n, lds, ldt, temperature, kind, loss, grad, NULL,
                     ldg);
}

void kld_rows_distill_f64(const double *student, const double *teacher, size_t rows, size_t n,
                          size_t lds, size_t ldt, float temperature, kld_distill_kind kind,
                          double *loss, double *grad, size_t ldg)
{
    rows_distill_f64(student, teacher, rows, n, lds, ldt, temperature, kind, loss, NULL, grad,
                     ldg);
}

void kld_rows_distill_f16(const uint16_t *student, const uint16_t *teacher, size_t rows,
                          size_t n, size_t lds, size_t ldt, float temperature,
                          kld_distill_kind kind, double *loss, float *grad, size_t ldg)
{
    rows_distill_f16(student, teacher, rows, n, lds, ldt, temperature, kind, loss, grad, NULL,
                     ldg);
}

void kld_rows_distill_bf16(const uint16_t *student, const uint16_t *teacher, size_t rows,
                           size_t n, size_t lds, size_t ldt, float temperature,
                           kld_distill_kind kind, double *loss, float *grad, size_t ldg)
{
    rows_distill_bf16(student, teacher, rows, n, lds, ldt, temperature, kind, loss, grad, NULL,
                      ldg);
}

void kld_rows_distill_native_f16(const uint16_t *student, const uint16_t *teacher, size_t rows,
                                 size_t n, size_t lds, size_t ldt, float temperature,
                                 kld_distill_kind kind, double *loss, uint16_t *grad, size_t ldg)
{
    rows_distill_f16(student, teacher, rows, n, lds, ldt, temperature, kind, loss, NULL, grad,
                     ldg);
}

void kld_rows_distill_native_bf16(const uint16_t *student, const uint16_t *teacher, size_t rows,
                                  size_t n, size_t lds, size_t ldt, float temperature,
                                  kld_distill_kind kind, double *loss, uint16_t *grad,
                                  size_t ldg)
{
    rows_distill_bf16(student, teacher, rows, n, lds, ldt, temperature, kind, loss, NULL, grad,
                      ldg);
}
