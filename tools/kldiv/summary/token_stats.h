/* token_stats.h - llama.cpp's token statistics from sums over the rows, with its uncertainty
 * formulas (tools/perplexity/perplexity.cpp): a mean's uncertainty is sqrt((E[x^2] - E[x]^2) /
 * (N-1)), 0 for N <= 10; the covariance of the per-token NLLs is (E[xy] - E[x]E[y]) / (N-1), 0
 * for N < 10; PPL = exp(mean NLL) with uncertainty PPL x that of the mean NLL; the ln ratio's
 * uncertainty sqrt(u_Q^2 + u_base^2 - 2 cov); the difference's sqrt(uQ^2 + ubase^2 - 2 PPL_Q
 * PPL_base cov); RMS Δp = sqrt(mean Δp^2) with uncertainty u(mean Δp^2) / (2 RMS); Same top p
 * with sqrt(p (1-p) / (N-1)). */
#ifndef KLD_SUMMARY_TOKEN_STATS_H
#define KLD_SUMMARY_TOKEN_STATS_H

#include <stddef.h>

/* Sums over the good rows whose target token is known: the negative log-likelihoods of the
 * target under NEW (nll) and BASE (nll_base), and dp = p_new(target) - p_base(target). */
typedef struct {
    size_t n;
    double nll, nll2, nll_base, nll_base2, nll_nll_base, dp, dp2, dp4;
} tok_sums;

typedef struct {
    double new_, new_unc, base, base_unc, cor_ln, ln_ratio, ln_ratio_unc, ratio, ratio_unc, diff,
        diff_unc;
    double dp_mean, dp_unc, dp_rms, dp_rms_unc;
} token_stats;

/* The statistics of t (all NaN when t->n == 0). */
token_stats token_stats_of(const tok_sums *t);

/* llama.cpp's mean and its uncertainty from a sum, a sum of squares and a count. */
void mean_and_unc(double sum, double sum2, size_t n, double *mean, double *unc);

#endif /* KLD_SUMMARY_TOKEN_STATS_H */
