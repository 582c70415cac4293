/* half.h - IEEE binary16 (f16) and bfloat16 (bf16) bits to float, exactly: every f16 and bf16
 * value is a float. Used where a path reads one element at a time (the scalar reference, the
 * SIMD paths' rare lanes and tails); the SIMD loads widen whole vectors (<isa>/load_*.h). */
#ifndef KLD_HALF_H
#define KLD_HALF_H

#include <stdint.h>
#include <string.h>

#define KLD_F16_NEG_INF 0xfc00u  /* -inf in each format: the padding of logit tails */
#define KLD_BF16_NEG_INF 0xff80u

static inline float kld_f16_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = h >> 10 & 0x1f, mant = h & 0x3ffu, bits;
    if (exp == 0) { /* zero or subnormal: mant * 2^-24, exact in float */
        float f = (float)mant * 0x1p-24f;
        return sign ? -f : f;
    }
    if (exp == 0x1f)
        bits = sign | 0x7f800000u | mant << 13; /* inf, NaN (payload kept) */
    else
        bits = sign | (exp + 112) << 23 | mant << 13;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline float kld_bf16_to_float(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

#endif /* KLD_HALF_H */
