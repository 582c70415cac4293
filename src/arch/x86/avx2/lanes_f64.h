/* avx2/lanes_f64.h - lane operations on 4 doubles for the SIMD templates (AVX2 + FMA). */
#include <immintrin.h>
#include <sleef.h>

#include "generic/limits_f64.h"
#include "arch/x86/hsum.h"

typedef double lane;
typedef __m256d vec;
typedef __m256d mask; /* all-ones lanes */
typedef __m256d acc;

#define KLD_LANES 4

#define KLD_MM(op) _mm256_##op##_pd
#include "arch/x86/arith_template.h"

/* exact: for p ~ q the correction's own error must stay below the double log's */
static inline vec v_abs(vec x) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), x); }
static inline vec v_rcp_approx(vec x) { return _mm256_div_pd(_mm256_set1_pd(1), x); }
static inline vec v_log(vec x) { return Sleef_logd4_u35avx2(x); }
static inline vec v_select(mask m, vec t, vec f) { return _mm256_blendv_pd(f, t, m); }

static inline mask m_gt(vec a, vec b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
static inline mask m_ge(vec a, vec b) { return _mm256_cmp_pd(a, b, _CMP_GE_OQ); }
static inline mask m_le(vec a, vec b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
static inline mask m_eq(vec a, vec b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
static inline mask m_and(mask a, mask b) { return _mm256_and_pd(a, b); }
static inline mask m_or(mask a, mask b) { return _mm256_or_pd(a, b); }
static inline unsigned m_bits(mask m) { return (unsigned)_mm256_movemask_pd(m); }

static inline acc acc_fma(acc a, vec x, vec y) { return _mm256_fmadd_pd(x, y, a); }
static inline acc acc_add(acc a, vec x) { return _mm256_add_pd(a, x); }
static inline double acc_sum(acc v) { return kld_hsum_m256d(v); }
