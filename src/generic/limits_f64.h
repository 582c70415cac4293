/* limits_f64.h - what the SIMD templates need to know of double lanes (see limits_f32.h).
 * Included by each ISA's lanes_f64.h. */
#ifndef KLD_LIMITS_F64_H
#define KLD_LIMITS_F64_H

#include <float.h>

#include "tuning.h"

#define KLD_RATIO_MIN DBL_MIN
#define KLD_RATIO_MAX DBL_MAX
#define KLD_FAST_MAX 0x1p1000
#define KLD_TINY 0x1p-600
#define KLD_TINY_SCALE 0x1p600
#define KLD_BOTH_SPLIT KLD_BOTH_SPLIT_F64
#define KLD_JS_TERMS 22 /* Jensen-Shannon series terms: remainder below 2^-54 relative for |d| <= 1/2 */

#endif /* KLD_LIMITS_F64_H */
