/* grad_store.h - a float gradient element stored in the type a distillation kernel was asked for
 * (float, or the input's type: f64, f16, bf16), rounded to nearest even, NaN kept NaN, overflow to
 * infinity; and the all-NaN result of a bad row. Shared by the reference and the SIMD templates
 * (generic/distill_ref_template.h, generic/distill_template.h; include after the storage header,
 * elem, with KLD_TYPE defined) and the public entry points (api_distill.c: the first part). */
#ifndef KLD_GRAD_STORE_H
#define KLD_GRAD_STORE_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernel_list.h"

/* float to IEEE binary16, round to nearest even (subnormals included). */
static inline uint16_t kld_float_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint16_t sign = (uint16_t)(x >> 16 & 0x8000u);
    uint32_t mag = x & 0x7fffffffu;
    if (mag > 0x7f800000u)
        return sign | 0x7e00u; /* NaN */
    if (mag >= 0x477ff000u)    /* 65520 and beyond: past halfway to 2^16, infinity */
        return sign | 0x7c00u;
    if (mag < 0x38800000u) { /* below 2^-14: a multiple of 2^-24, rounded by the float add */
        float scaled = fabsf(f) * 0x1p24f;
        return sign | (uint16_t)(scaled + 0x1p23f - 0x1p23f);
    }
    uint32_t r = mag - (112u << 23); /* rebias 127 -> 15; then round away 13 bits */
    r += 0xfffu + (r >> 13 & 1u);
    return sign | (uint16_t)(r >> 13);
}

/* float to bfloat16, round to nearest even; NaN stays NaN (quieted). */
static inline uint16_t kld_float_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)(x >> 16 | 0x40u);
    x += 0x7fffu + (x >> 16 & 1u);
    return (uint16_t)(x >> 16);
}

/* A gradient value (float, or double from the reference) in each type: f16 and bf16 through
 * float (the reference's double is rounded twice, each time to nearest). */
#define KLD_GRAD_AS_f32(x) ((float)(x))
#define KLD_GRAD_AS_f64(x) ((double)(x))
#define KLD_GRAD_AS_f16(x) kld_float_to_f16((float)(x))
#define KLD_GRAD_AS_bf16(x) kld_float_to_bf16((float)(x))

#endif /* KLD_GRAD_STORE_H */

/* Per storage type, in a kernel's translation unit (after elem, with KLD_TYPE defined). */
#if defined(KLD_TYPE) && !defined(KLD_GRAD_STORE_ELEM)
#define KLD_GRAD_STORE_ELEM
#define KLD_GRAD_ELEM(x) KLD_CAT(KLD_GRAD_AS_, KLD_TYPE)(x)

/* A row without a defined result: NaN loss, NaN gradient. */
static void distill_nan_row(size_t n, double *loss, float *grad, elem *grad_native)
{
    *loss = NAN;
    for (size_t i = 0; grad && i < n; i++)
        grad[i] = NAN;
    for (size_t i = 0; !grad && grad_native && i < n; i++)
        grad_native[i] = KLD_GRAD_ELEM(NAN);
}
#endif
