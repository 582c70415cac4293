/* avx2/load_f16.h - inputs stored as IEEE binary16, widened by F16C into f32 lanes: the
 * storage half of the SIMD templates' contract. Include after avx2/lanes_f32.h. */
#include "generic/half.h"

typedef uint16_t elem;

#define KLD_ELEM_ZERO ((elem)0)
#define KLD_ELEM_NEG_INF ((elem)KLD_F16_NEG_INF)

static inline vec v_load(const elem *x)
{
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)x));
}
static inline lane elem_to_lane(elem x) { return kld_f16_to_float(x); }
