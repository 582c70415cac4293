/* topk.h - the per-row diagnostics behind kldiv's top-k and breakdown tables: both rows' top
 * TOPK_MAX tokens (by value, exact ties broken by the lower token id), how far the two lists agree
 * in order, the rank of BASE's top token in NEW, the target's rank in each row, and BASE's top-1
 * probability. Ranks are 0-based: the number of tokens ahead (a larger value, or an equal value
 * and a lower id). Logits and probabilities rank alike (softmax at T > 0 keeps the order). */
#ifndef KLDIV_TOPK_H
#define KLDIV_TOPK_H

#include <stdint.h>

#include "results.h"
#include "score.h"

/* Fills out's top-k fields from rows a and b, each in the kernel's type (as kld's kernels got
 * them); out's other fields (top_base, lse_base, bad) are already set. Nothing for a bad row. */
void topk_row(const score_setup *s, const void *a, const void *b, int64_t target,
              row_result *out);

#endif /* KLDIV_TOPK_H */
