/* limits_f32.h - what the SIMD templates need to know of float lanes: the ranges in which the
 * fast formulas are exact, and the tuning choice for this lane type. Included by each ISA's
 * lanes_f32.h. */
#ifndef KLD_LIMITS_F32_H
#define KLD_LIMITS_F32_H

#include <float.h>

#include "tuning.h"

#define KLD_RATIO_MIN FLT_MIN /* p/q must be normal for the FMA residual to be exact */
#define KLD_RATIO_MAX FLT_MAX
#define KLD_FAST_MAX 0x1p100f /* above, the reciprocal estimate of p would underflow */
#define KLD_TINY 0x1p-60f     /* below, p and q are scaled by KLD_TINY_SCALE for the residual */
#define KLD_TINY_SCALE 0x1p64f
#define KLD_BOTH_SPLIT KLD_BOTH_SPLIT_F32
#define KLD_JS_TERMS 10 /* Jensen-Shannon series terms: remainder below 2^-25 relative for |d| <= 1/2 */

#endif /* KLD_LIMITS_F32_H */
