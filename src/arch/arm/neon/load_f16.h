/* neon/load_f16.h - inputs stored as IEEE binary16, widened by fcvtl into f32 lanes: the
 * storage half of the SIMD templates' contract. Include after neon/lanes_f32.h. */
#include "generic/half.h"

typedef uint16_t elem;

#define KLD_ELEM_ZERO ((elem)0)
#define KLD_ELEM_NEG_INF ((elem)KLD_F16_NEG_INF)

static inline vec v_load(const elem *x)
{
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(x)));
}
static inline lane elem_to_lane(elem x) { return kld_f16_to_float(x); }
