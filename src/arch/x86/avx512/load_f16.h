/* avx512/load_f16.h - inputs stored as IEEE binary16, widened by AVX-512F's vcvtph2ps into f32 lanes: the
 * storage half of the SIMD templates' contract. Include after avx512/lanes_f32.h. */
#include "generic/half.h"

typedef uint16_t elem;

#define KLD_ELEM_ZERO ((elem)0)
#define KLD_ELEM_NEG_INF ((elem)KLD_F16_NEG_INF)

static inline vec v_load(const elem *x)
{
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)x));
}
static inline lane elem_to_lane(elem x) { return kld_f16_to_float(x); }
