/* avx2/ops_f32.h - lane operations on 8 floats for prob_template.h (AVX2 + FMA). */
#include <float.h>
#include <immintrin.h>
#include <sleef.h>

typedef float elem;
typedef __m256 vec;
typedef __m256 mask; /* all-ones lanes */
typedef struct { __m256d lo, hi; } acc; /* lanes 0-3 and 4-7, widened to double */

#define KLD_LANES 8
#define KLD_RATIO_MIN FLT_MIN
#define KLD_RATIO_MAX FLT_MAX
#define KLD_FAST_MAX 0x1p100f
#define KLD_TINY 0x1p-60f
#define KLD_TINY_SCALE 0x1p64f

static inline vec v_load(const elem *x) { return _mm256_loadu_ps(x); }
static inline void v_store(elem *x, vec v) { _mm256_storeu_ps(x, v); }
static inline vec v_set1(elem x) { return _mm256_set1_ps(x); }
static inline vec v_add(vec a, vec b) { return _mm256_add_ps(a, b); }
static inline vec v_sub(vec a, vec b) { return _mm256_sub_ps(a, b); }
static inline vec v_mul(vec a, vec b) { return _mm256_mul_ps(a, b); }
static inline vec v_div(vec a, vec b) { return _mm256_div_ps(a, b); }
static inline vec v_max(vec a, vec b) { return _mm256_max_ps(a, b); }
static inline vec v_rcp_approx(vec x) { return _mm256_rcp_ps(x); }
static inline vec v_fnmadd(vec a, vec b, vec c) { return _mm256_fnmadd_ps(a, b, c); }
static inline vec v_fmadd(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
static inline vec v_exp(vec x) { return Sleef_expf8_u10avx2(x); }
static inline vec v_log(vec x) { return Sleef_logf8_u35avx2(x); }
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
static inline double sum4(__m256d v)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
static inline double acc_sum(acc a) { return sum4(_mm256_add_pd(a.lo, a.hi)); }
