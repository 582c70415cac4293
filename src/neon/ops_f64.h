/* neon/ops_f64.h - lane operations on 2 doubles for prob_template.h (AArch64 Advanced SIMD). */
#include <arm_neon.h>
#include <float.h>
#include <sleef.h>

typedef double elem;
typedef float64x2_t vec;
typedef uint64x2_t mask; /* all-ones lanes */
typedef float64x2_t acc;

#define KLD_LANES 2
#define KLD_RATIO_MIN DBL_MIN
#define KLD_RATIO_MAX DBL_MAX
#define KLD_FAST_MAX 0x1p1000
#define KLD_TINY 0x1p-600
#define KLD_TINY_SCALE 0x1p600

static inline vec v_load(const elem *x) { return vld1q_f64(x); }
static inline void v_store(elem *x, vec v) { vst1q_f64(x, v); }
static inline vec v_set1(elem x) { return vdupq_n_f64(x); }
static inline vec v_add(vec a, vec b) { return vaddq_f64(a, b); }
static inline vec v_mul(vec a, vec b) { return vmulq_f64(a, b); }
static inline vec v_div(vec a, vec b) { return vdivq_f64(a, b); }
static inline vec v_max(vec a, vec b) { return vmaxq_f64(a, b); }
/* exact: for p ~ q the correction's own error must stay below the double log's */
static inline vec v_rcp_approx(vec x) { return vdivq_f64(vdupq_n_f64(1), x); }
static inline vec v_fnmadd(vec a, vec b, vec c) { return vfmsq_f64(c, a, b); }
static inline vec v_log(vec x) { return Sleef_logd2_u35advsimd(x); }
static inline vec v_select(mask m, vec t, vec f) { return vbslq_f64(m, t, f); }

static inline mask m_gt(vec a, vec b) { return vcgtq_f64(a, b); }
static inline mask m_ge(vec a, vec b) { return vcgeq_f64(a, b); }
static inline mask m_le(vec a, vec b) { return vcleq_f64(a, b); }
static inline mask m_eq(vec a, vec b) { return vceqq_f64(a, b); }
static inline mask m_and(mask a, mask b) { return vandq_u64(a, b); }
static inline mask m_or(mask a, mask b) { return vorrq_u64(a, b); }
static inline unsigned m_bits(mask m)
{
    return (unsigned)(vgetq_lane_u64(m, 0) & 1u) | (unsigned)(vgetq_lane_u64(m, 1) & 2u);
}

static inline acc acc_fma(acc a, vec x, vec y) { return vfmaq_f64(a, x, y); }
static inline acc acc_add(acc a, vec x) { return vaddq_f64(a, x); }
static inline double acc_sum(acc a) { return vaddvq_f64(a); }
