/* avx512/lanes_f32.h - lane operations on 16 floats for the SIMD templates (AVX-512F only). */
#include <immintrin.h>
#include <sleef.h>

#include "generic/limits_f32.h"

typedef float lane;
typedef __m512 vec;
typedef __mmask16 mask;
typedef struct { __m512d lo, hi; } acc; /* lanes 0-7 and 8-15, widened to double */

#define KLD_LANES 16

#define KLD_MM(op) _mm512_##op##_ps
#include "arch/x86/arith_template.h"

static inline vec v_abs(vec x) { return _mm512_abs_ps(x); }
static inline vec v_rcp_approx(vec x) { return _mm512_rcp14_ps(x); }
static inline vec v_exp(vec x) { return Sleef_expf16_u10avx512f(x); }
static inline vec v_log(vec x) { return Sleef_logf16_u35avx512f(x); }
static inline vec v_pow2i(vec k) /* 2^k for integral k in [-126, 127] */
{
    return _mm512_castsi512_ps(
        _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(k), _mm512_set1_epi32(127)), 23));
}
static inline vec v_select(mask m, vec t, vec f) { return _mm512_mask_blend_ps(m, f, t); }

static inline mask m_gt(vec a, vec b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
static inline mask m_ge(vec a, vec b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
static inline mask m_le(vec a, vec b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
static inline mask m_eq(vec a, vec b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
static inline mask m_and(mask a, mask b) { return a & b; }
static inline mask m_or(mask a, mask b) { return a | b; }
static inline unsigned m_bits(mask m) { return m; }

static inline __m512d widen_lo(vec x) { return _mm512_cvtps_pd(_mm512_castps512_ps256(x)); }
static inline __m512d widen_hi(vec x)
{
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1)));
}
static inline acc acc_fma(acc a, vec x, vec y)
{
    return (acc){_mm512_fmadd_pd(widen_lo(x), widen_lo(y), a.lo),
                 _mm512_fmadd_pd(widen_hi(x), widen_hi(y), a.hi)};
}
static inline acc acc_add(acc a, vec x)
{
    return (acc){_mm512_add_pd(a.lo, widen_lo(x)), _mm512_add_pd(a.hi, widen_hi(x))};
}
static inline double acc_sum(acc a) { return _mm512_reduce_add_pd(_mm512_add_pd(a.lo, a.hi)); }
