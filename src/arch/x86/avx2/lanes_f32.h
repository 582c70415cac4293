/* avx2/lanes_f32.h - lane operations on 8 floats for the SIMD templates (AVX2 + FMA). */
#include <immintrin.h>
#include <sleef.h>

#include "generic/limits_f32.h"
#include "arch/x86/hsum.h"

typedef float lane;
typedef __m256 vec;
typedef __m256 mask; /* all-ones lanes */
typedef struct { __m256d lo, hi; } acc; /* lanes 0-3 and 4-7, widened to double */

#define KLD_LANES 8

#define KLD_MM(op) _mm256_##op##_ps
#include "arch/x86/arith_template.h"

static inline vec v_abs(vec x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
static inline vec v_rcp_approx(vec x) { return _mm256_rcp_ps(x); }
static inline vec v_exp(vec x) { return Sleef_expf8_u10avx2(x); }
static inline vec v_log(vec x) { return Sleef_logf8_u35avx2(x); }
static inline vec v_pow2i(vec k) /* 2^k for integral k in [-126, 127] */
{
    return _mm256_castsi256_ps(
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23));
}
static inline vec v_select(mask m, vec t, vec f) { return _mm256_blendv_ps(f, t, m); }

static inline mask m_gt(vec a, vec b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline mask m_ge(vec a, vec b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
static inline mask m_le(vec a, vec b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
static inline mask m_eq(vec a, vec b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
static inline mask m_and(mask a, mask b) { return _mm256_and_ps(a, b); }
static inline mask m_or(mask a, mask b) { return _mm256_or_ps(a, b); }
static inline unsigned m_bits(mask m) { return (unsigned)_mm256_movemask_ps(m); }

static inline __m256d widen_lo(vec x) { return _mm256_cvtps_pd(_mm256_castps256_ps128(x)); }
static inline __m256d widen_hi(vec x) { return _mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)); }
static inline acc acc_fma(acc a, vec x, vec y)
{
    return (acc){_mm256_fmadd_pd(widen_lo(x), widen_lo(y), a.lo),
                 _mm256_fmadd_pd(widen_hi(x), widen_hi(y), a.hi)};
}
static inline acc acc_add(acc a, vec x)
{
    return (acc){_mm256_add_pd(a.lo, widen_lo(x)), _mm256_add_pd(a.hi, widen_hi(x))};
}
static inline double acc_sum(acc a) { return kld_hsum_m256d(_mm256_add_pd(a.lo, a.hi)); }
