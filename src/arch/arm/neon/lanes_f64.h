/* neon/lanes_f64.h - lane operations on 2 doubles for the SIMD templates (AArch64 Advanced SIMD). */
#include <arm_neon.h>
#include <sleef.h>

#include "generic/limits_f64.h"

typedef double lane;
typedef float64x2_t vec;
typedef uint64x2_t mask; /* all-ones lanes */
typedef float64x2_t acc;

#define KLD_LANES 2

#define KLD_NEON(op) op##q_f64
#define KLD_NEON_MASK(op) op##q_u64
#include "arch/arm/neon/arith_template.h"

static inline vec v_set1(lane x) { return vdupq_n_f64(x); }

/* exact: for p ~ q the correction's own error must stay below the double log's */
static inline vec v_abs(vec x) { return vabsq_f64(x); }
static inline vec v_rcp_approx(vec x) { return vdivq_f64(vdupq_n_f64(1), x); }
static inline vec v_log(vec x) { return Sleef_logd2_u35advsimd(x); }

static inline unsigned m_bits(mask m)
{
    return (unsigned)(vgetq_lane_u64(m, 0) & 1u) | (unsigned)(vgetq_lane_u64(m, 1) & 2u);
}

static inline acc acc_fma(acc a, vec x, vec y) { return vfmaq_f64(a, x, y); }
static inline acc acc_add(acc a, vec x) { return vaddq_f64(a, x); }
static inline double acc_sum(acc a) { return vaddvq_f64(a); }
