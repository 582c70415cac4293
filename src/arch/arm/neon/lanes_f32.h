/* neon/lanes_f32.h - lane operations on 4 floats for the SIMD templates (AArch64 Advanced SIMD). */
#include <arm_neon.h>
#include <sleef.h>

#include "generic/limits_f32.h"

typedef float lane;
typedef float32x4_t vec;
typedef uint32x4_t mask; /* all-ones lanes */
typedef struct { float64x2_t lo, hi; } acc; /* lanes 0-1 and 2-3, widened to double */

#define KLD_LANES 4

#define KLD_NEON(op) op##q_f32
#define KLD_NEON_MASK(op) op##q_u32
#include "arch/arm/neon/arith_template.h"

static inline vec v_set1(lane x) { return vdupq_n_f32(x); }

static inline vec v_abs(vec x) { return vabsq_f32(x); }
static inline vec v_rcp_approx(vec x) /* 8-bit estimate and one Newton step: 16 bits */
{
    vec e = vrecpeq_f32(x);
    return vmulq_f32(e, vrecpsq_f32(x, e));
}
static inline vec v_exp(vec x) { return Sleef_expf4_u10advsimd(x); }
static inline vec v_log(vec x) { return Sleef_logf4_u35advsimd(x); }
static inline vec v_pow2i(vec k) /* 2^k for integral k in [-126, 127] */
{
    return vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), 23));
}

static inline unsigned m_bits(mask m)
{
    const uint32x4_t weights = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(m, weights));
}

static inline acc acc_fma(acc a, vec x, vec y)
{
    return (acc){vfmaq_f64(a.lo, vcvt_f64_f32(vget_low_f32(x)), vcvt_f64_f32(vget_low_f32(y))),
                 vfmaq_f64(a.hi, vcvt_high_f64_f32(x), vcvt_high_f64_f32(y))};
}
static inline acc acc_add(acc a, vec x)
{
    return (acc){vaddq_f64(a.lo, vcvt_f64_f32(vget_low_f32(x))),
                 vaddq_f64(a.hi, vcvt_high_f64_f32(x))};
}
static inline double acc_sum(acc a) { return vaddvq_f64(vaddq_f64(a.lo, a.hi)); }
