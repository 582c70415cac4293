/* logits_common.h - what every path's logits kernel shares: the result for a row that has no
 * answer. */
#ifndef KLD_LOGITS_COMMON_H
#define KLD_LOGITS_COMMON_H

#include <math.h>

#include "kld.h"

/* NaN or +inf in a row, or a row of all -inf: every value NaN, argmax out of range. */
static inline void kld_logits_nan(kld_logit_stats *out, size_t n)
{
    *out = (kld_logit_stats){{NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN}, NAN, NAN, n, n};
}

#endif /* KLD_LOGITS_COMMON_H */
