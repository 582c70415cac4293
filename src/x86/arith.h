/* x86/arith.h - the lane operations whose AVX2 and AVX-512 intrinsics differ only in width and
 * type (_mm256_add_ps, _mm512_add_pd, ...), stamped once per ops header. */
#ifndef KLD_X86_ARITH_H
#define KLD_X86_ARITH_H

#define KLD_X86_ARITH(W, T)                                                                      \
    static inline vec v_load(const elem *x) { return _mm##W##_loadu_##T(x); }                   \
    static inline void v_store(elem *x, vec v) { _mm##W##_storeu_##T(x, v); }                   \
    static inline vec v_set1(elem x) { return _mm##W##_set1_##T(x); }                           \
    static inline vec v_add(vec a, vec b) { return _mm##W##_add_##T(a, b); }                    \
    static inline vec v_sub(vec a, vec b) { return _mm##W##_sub_##T(a, b); }                    \
    static inline vec v_mul(vec a, vec b) { return _mm##W##_mul_##T(a, b); }                    \
    static inline vec v_div(vec a, vec b) { return _mm##W##_div_##T(a, b); }                    \
    static inline vec v_max(vec a, vec b) { return _mm##W##_max_##T(a, b); }                    \
    static inline vec v_min(vec a, vec b) { return _mm##W##_min_##T(a, b); }                    \
    static inline vec v_fmadd(vec a, vec b, vec c) { return _mm##W##_fmadd_##T(a, b, c); }      \
    static inline vec v_fnmadd(vec a, vec b, vec c) { return _mm##W##_fnmadd_##T(a, b, c); }

/* The sum of the four doubles of v (AVX). */
static inline double kld_hsum_m256d(__m256d v)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

#endif /* KLD_X86_ARITH_H */
