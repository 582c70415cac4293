/* elem.h - the element type of a kernel and the limits the templates need for it. An ops header
 * defines KLD_ELEM_F32 or KLD_ELEM_F64 and includes this. */
#ifndef KLD_ELEM_H
#define KLD_ELEM_H

#include <float.h>

#if defined(KLD_ELEM_F32)
typedef float elem;
#define KLD_RATIO_MIN FLT_MIN   /* p/q must be normal for the residual to be exact */
#define KLD_RATIO_MAX FLT_MAX
#define KLD_FAST_MAX 0x1p100f   /* above, the reciprocal estimate of p would underflow */
#define KLD_TINY 0x1p-60f       /* below, p and q are scaled by KLD_TINY_SCALE for the residual */
#define KLD_TINY_SCALE 0x1p64f
#define KLD_BOTH_SPLIT 1        /* kld_both takes a chunk's logs first: see prob_template.h */
#elif defined(KLD_ELEM_F64)
typedef double elem;
#define KLD_RATIO_MIN DBL_MIN
#define KLD_RATIO_MAX DBL_MAX
#define KLD_FAST_MAX 0x1p1000
#define KLD_TINY 0x1p-600
#define KLD_TINY_SCALE 0x1p600
#define KLD_BOTH_SPLIT 0
#else
#error "define KLD_ELEM_F32 or KLD_ELEM_F64 before including elem.h"
#endif

#endif /* KLD_ELEM_H */
