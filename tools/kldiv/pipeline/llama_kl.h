/* llama_kl.h - the KL divergence as llama-perplexity --kl-divergence computes it from a base
 * _logits_ file, so that kldiv reproduces its numbers: the base log-probabilities used as stored
 * (decoded, not renormalised), every term with log p_base <= -16 left out, and Q the exact
 * softmax of the new logits (or a _logits_ NEW's decoded log-probabilities as stored). This rule,
 * not the 16-bit storage, moves the mean KL by about 0.2 % against the exact value; --exact uses
 * kld's exact KL of the renormalised base instead. */
#ifndef KLDIV_LLAMA_KL_H
#define KLDIV_LLAMA_KL_H

#include <stddef.h>

/* The cut-off: base terms with log p <= this are left out, as in llama.cpp. */
#define LLAMA_KL_MIN_LOG_P (-16.0f)

/* sum over i with base_logp[i] > -16 of exp(base_logp[i]) * (base_logp[i] - (x[i] - x_lse)),
 * accumulated in double: x are the new logits and x_lse their log-sum-exp (log Q = x - x_lse),
 * or decoded log-probabilities with x_lse = 0. A term with x[i] = -inf makes it +inf. */
double llama_kl(const float *base_logp, const float *x, size_t n, double x_lse);

#endif /* KLDIV_LLAMA_KL_H */
