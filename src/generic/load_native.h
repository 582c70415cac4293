/* load_native.h - inputs stored in the lane type itself (float on f32 lanes, double on f64
 * lanes): the storage half of the SIMD templates' contract, for every ISA. Include after a lanes
 * header. A storage type narrower than its lanes has a load header per ISA (<isa>/load_f16.h). */
#include <math.h>

typedef lane elem;

#define KLD_ELEM_ZERO ((elem)0)             /* the padding of probability tails */
#define KLD_ELEM_NEG_INF ((elem)-INFINITY)  /* the padding of logit tails */

static inline vec v_load(const elem *x) { return v_load_lanes(x); }
static inline lane elem_to_lane(elem x) { return x; }
