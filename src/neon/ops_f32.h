/* neon/ops_f32.h - lane operations on 4 floats for prob_template.h (AArch64 Advanced SIMD). */
#include <arm_neon.h>
#include <float.h>
#include <sleef.h>

typedef float elem;
typedef float32x4_t vec;
typedef uint32x4_t mask; /* all-ones lanes */
typedef struct { float64x2_t lo, hi; } acc; /* lanes 0-1 and 2-3, widened to double */

#define KLD_LANES 4
#define KLD_RATIO_MIN FLT_MIN
#define KLD_RATIO_MAX FLT_MAX
#define KLD_FAST_MAX 0x1p100f
#define KLD_TINY 0x1p-60f
#define KLD_TINY_SCALE 0x1p64f

static inline vec v_load(const elem *x) { return vld1q_f32(x); }
static inline void v_store(elem *x, vec v) { vst1q_f32(x, v); }
static inline vec v_set1(elem x) { return vdupq_n_f32(x); }
static inline vec v_add(vec a, vec b) { return vaddq_f32(a, b); }
static inline vec v_sub(vec a, vec b) { return vsubq_f32(a, b); }
static inline vec v_mul(vec a, vec b) { return vmulq_f32(a, b); }
static inline vec v_div(vec a, vec b) { return vdivq_f32(a, b); }
static inline vec v_max(vec a, vec b) { return vmaxq_f32(a, b); }
static inline vec v_rcp_approx(vec x) /* 8-bit estimate and one Newton step: 16 bits */
{
    vec e = vrecpeq_f32(x);
    return vmulq_f32(e, vrecpsq_f32(x, e));
}
static inline vec v_fnmadd(vec a, vec b, vec c) { return vfmsq_f32(c, a, b); }
static inline vec v_fmadd(vec a, vec b, vec c) { return vfmaq_f32(c, a, b); }
static inline vec v_exp(vec x) { return Sleef_expf4_u10advsimd(x); }
static inline vec v_log(vec x) { return Sleef_logf4_u35advsimd(x); }
static inline vec v_select(mask m, vec t, vec f) { return vbslq_f32(m, t, f); }

static inline mask m_gt(vec a, vec b) { return vcgtq_f32(a, b); }
static inline mask m_ge(vec a, vec b) { return vcgeq_f32(a, b); }
static inline mask m_le(vec a, vec b) { return vcleq_f32(a, b); }
static inline mask m_eq(vec a, vec b) { return vceqq_f32(a, b); }
static inline mask m_and(mask a, mask b) { return vandq_u32(a, b); }
static inline mask m_or(mask a, mask b) { return vorrq_u32(a, b); }
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
