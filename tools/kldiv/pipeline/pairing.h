/* pairing.h - how kldiv pairs BASE with NEW: the rows each holds, the vocabulary compared, the
 * KL rule, the target tokens, and the types the rows go to kld as. Any BASE with any NEW:
 *  - two _logits_ files must score the same text (same n_ctx, n_chunk and tokens);
 *  - a _logits_ file with an .npy or safetensors input: that input holds either exactly the
 *    scored rows, in order, or all n_chunk*n_ctx positions, of which the scored ones are read;
 *  - different vocab sizes are an error unless --common-vocab (the first min(V) tokens);
 *  - the llama.cpp KL rule when BASE is a _logits_ file, unless --exact;
 *  - targets from a _logits_ input, or from --targets. */
#ifndef KLDIV_PAIRING_H
#define KLDIV_PAIRING_H

#include "input.h"
#include "options.h"
#include "score.h"
#include "targets.h"

/* Returns 0, or the exit status after printing why (1 data error, 2 usage error). */
int pair_inputs(input in[2], const kldiv_options *o, score_setup *setup, targets *tg);

#endif /* KLDIV_PAIRING_H */
