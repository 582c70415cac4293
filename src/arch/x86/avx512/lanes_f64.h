/* avx512/lanes_f64.h - lane operations on 8 doubles for the SIMD templates (AVX-512F only). */
#include <immintrin.h>
#include <sleef.h>

#include "generic/limits_f64.h"

typedef double lane;
typedef __m512d vec;
typedef __mmask8 mask;
typedef __m512d acc;

#define KLD_LANES 8

#define KLD_MM(op) _mm512_##op##_pd
#include "arch/x86/arith_template.h"

/* exact: for p ~ q the correction's own error must stay below the double log's (fuzz finding) */
static inline vec v_abs(vec x) { return _mm512_abs_pd(x); }
static inline vec v_rcp_approx(vec x) { return _mm512_div_pd(_mm512_set1_pd(1), x); }
static inline vec v_log(vec x) { return Sleef_logd8_u35avx512f(x); }
static inline vec v_select(mask m, vec t, vec f) { return _mm512_mask_blend_pd(m, f, t); }

static inline mask m_gt(vec a, vec b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
static inline mask m_ge(vec a, vec b) { return _mm512_cmp_pd_mask(a, b, _CMP_GE_OQ); }
static inline mask m_le(vec a, vec b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
static inline mask m_eq(vec a, vec b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
static inline mask m_and(mask a, mask b) { return a & b; }
static inline mask m_or(mask a, mask b) { return a | b; }
static inline unsigned m_bits(mask m) { return m; }

static inline acc acc_fma(acc a, vec x, vec y) { return _mm512_fmadd_pd(x, y, a); }
static inline acc acc_add(acc a, vec x) { return _mm512_add_pd(a, x); }
static inline double acc_sum(acc a) { return _mm512_reduce_add_pd(a); }
