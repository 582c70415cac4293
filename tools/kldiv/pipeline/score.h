/* score.h - one row of kldiv's comparison: BASE row a against NEW row b, each in its input's own
 * type, handed to kld's kernels in place where both share a type kld has kernels for (float16,
 * bfloat16, float32 logits; and float64 probabilities), otherwise converted (or, for llama.cpp
 * _logits_ rows, decoded; for truncated probability rows, renormalised) into a per-thread
 * buffer. */
#ifndef KLDIV_SCORE_H
#define KLDIV_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "npy.h"
#include "results.h"

typedef struct {
    npy_dtype type[2];    /* BASE's and NEW's element types */
    npy_dtype kernel;     /* what the rows go to kld as */
    size_t n;             /* entries compared: the vocab, or the common vocab (--common-vocab) */
    int probs;
    int js_tv;            /* --js-tv: each row's JS and TV, from the stats call (kld_stats_js_tv) */
    int llama_rule;       /* BASE is a _logits_ file and --exact is off: llama_kl.h's forward KL */
    float temperature;
    double sum_tolerance; /* --probs */
    size_t vocab[2];      /* BASE's and NEW's own vocab (n is the smaller with --common-vocab) */
    int renormalise;      /* --probs --common-vocab with n below a vocab: each row is divided by
                           * its sum over the n common tokens, and the sum check applies to the
                           * whole row */
} score_setup;

/* Fills in kernel from type, probs, renormalise. */
void score_choose_kernel(score_setup *s);

/* Floats of per-thread scratch score_row needs. */
size_t score_scratch_floats(const score_setup *s);

/* Scores one row. target is the token that follows the row's position (-1: not known); it is
 * below s->n. scratch has score_scratch_floats(s) floats. */
void score_row(const score_setup *s, const void *a, const void *b, int64_t target, float *scratch,
               row_result *out);

#endif /* KLDIV_SCORE_H */
