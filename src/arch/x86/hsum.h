/* x86/hsum.h - the sum of the four doubles of an AVX vector (the AVX2 lanes headers). */
#ifndef KLD_X86_HSUM_H
#define KLD_X86_HSUM_H

#include <immintrin.h>

static inline double kld_hsum_m256d(__m256d v)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

#endif /* KLD_X86_HSUM_H */
