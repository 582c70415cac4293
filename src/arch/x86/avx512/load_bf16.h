/* avx512/load_bf16.h - inputs stored as bfloat16, widened by a 16-bit shift into f32 lanes: the
 * storage half of the SIMD templates' contract. Include after avx512/lanes_f32.h. */
#include "generic/half.h"

typedef uint16_t elem;

#define KLD_ELEM_ZERO ((elem)0)
#define KLD_ELEM_NEG_INF ((elem)KLD_BF16_NEG_INF)

static inline vec v_load(const elem *x)
{
    return _mm512_castsi512_ps(
        _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)x)), 16));
}
static inline lane elem_to_lane(elem x) { return kld_bf16_to_float(x); }
