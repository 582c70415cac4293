/* avx2/load_bf16.h - inputs stored as bfloat16, widened by a 16-bit shift into f32 lanes: the
 * storage half of the SIMD templates' contract. Include after avx2/lanes_f32.h. */
#include "generic/half.h"

typedef uint16_t elem;

#define KLD_ELEM_ZERO ((elem)0)
#define KLD_ELEM_NEG_INF ((elem)KLD_BF16_NEG_INF)

static inline vec v_load(const elem *x)
{
    return _mm256_castsi256_ps(
        _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)x)), 16));
}
static inline lane elem_to_lane(elem x) { return kld_bf16_to_float(x); }
