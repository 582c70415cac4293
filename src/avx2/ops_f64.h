/* avx2/ops_f64.h - lane operations on 4 doubles for prob_template.h (AVX2 + FMA). */
#include <float.h>
#include <immintrin.h>
#include <sleef.h>

typedef double elem;
typedef __m256d vec;
typedef __m256d mask; /* all-ones lanes */
typedef __m256d acc;

#define KLD_LANES 4
#define KLD_RATIO_MIN DBL_MIN
#define KLD_RATIO_MAX DBL_MAX
#define KLD_FAST_MAX 0x1p1000
#define KLD_TINY 0x1p-600
#define KLD_TINY_SCALE 0x1p600

static inline vec v_load(const elem *x) { return _mm256_loadu_pd(x); }
static inline void v_store(elem *x, vec v) { _mm256_storeu_pd(x, v); }
static inline vec v_set1(elem x) { return _mm256_set1_pd(x); }
static inline vec v_add(vec a, vec b) { return _mm256_add_pd(a, b); }
static inline vec v_mul(vec a, vec b) { return _mm256_mul_pd(a, b); }
static inline vec v_div(vec a, vec b) { return _mm256_div_pd(a, b); }
static inline vec v_max(vec a, vec b) { return _mm256_max_pd(a, b); }
/* exact: for p ~ q the correction's own error must stay below the double log's */
static inline vec v_rcp_approx(vec x) { return _mm256_div_pd(_mm256_set1_pd(1), x); }
static inline vec v_fnmadd(vec a, vec b, vec c) { return _mm256_fnmadd_pd(a, b, c); }
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
static inline double acc_sum(acc v)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
