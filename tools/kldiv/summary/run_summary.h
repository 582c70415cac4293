/* run_summary.h - kldiv's summary of a run's good rows: the figures of its reports (forward KL with
 * exact percentiles, reverse KL, entropies, same top token, JS and TV, llama.cpp's PPL and delta p
 * statistics), computed from running sums and the two per-row arrays kldiv keeps, and the JSON
 * keys they go under. One static library (kld_summary) that kldiv and the Python module (its
 * kld.summarize) both link, so that a summary computed elsewhere (python/examples/dask_kld.py)
 * is kldiv's, number for number and key for key. */
#ifndef KLD_RUN_SUMMARY_H
#define KLD_RUN_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "token_stats.h"

/* One good row's values (kldiv's row_result without its bad-row fields); NaN where not known:
 * js and tv without --js-tv, nll_base, nll_new and delta_p without a target token. */
typedef struct {
    double forward, reverse, entropy_base, entropy_new;
    uint64_t top_base, top_new;
    double js, tv, nll_base, nll_new, delta_p;
} summary_row;

/* The running sums of the good rows, folded in row order. */
typedef struct {
    size_t good;
    double rev_sum, rev_max, hb_sum, hn_sum;
    size_t agree; /* rows whose top tokens agree */
    double js_sum, tv_sum;
    size_t n_js;  /* rows with JS and TV known */
    tok_sums tok; /* rows with a known target (delta_p not NaN) */
} summary_sums;

/* Everything the reports print; NaN where not available (no good rows, no targets, JS and TV
 * not known for every good row). */
typedef struct {
    dist_summary fwd, dp;
    double fwd_llama_unc; /* the mean KL's uncertainty by llama.cpp's formula */
    double rev_mean, rev_max, hb_mean, hn_mean, agree, agree_unc, js_mean, tv_mean;
    token_stats tok;
} summary;

/* Folds good row x into s (zeroed to start) as kldiv does, and keeps its per-row values for the
 * percentiles: its forward KL at fwd[s->good] and, when its target is known, its delta p at
 * dp[s->tok.n] (each indexed before the fold; the caller provides the room). */
void summary_add(summary_sums *s, const summary_row *x, double *fwd, double *dp);

/* The summary of s, with fwd[0..s->good) and dp[0..s->tok.n) (both sorted in place). */
void summary_of(const summary_sums *s, double *fwd, double *dp, summary *out);

/* A number of the summary as kldiv --json writes it: "group": {..., "key": value, ...}, or
 * "key": value at the top level when group is NULL. */
typedef struct {
    const char *group, *key;
    size_t offset; /* of its double in summary */
} summary_key;

/* Every number of the summary in kldiv --json's order: forward {mean ... max}, reverse {mean,
 * max}, top_agreement, entropy_base_mean, entropy_new_mean, js_mean, tv_mean, same_top {fraction,
 * stderr}, ppl {new ... diff_unc}, delta_p {mean ... min}; a group's keys are consecutive. */
extern const summary_key summary_keys[];
extern const size_t summary_key_count;

/* The value of key k in s. */
double summary_value(const summary *s, const summary_key *k);

#endif /* KLD_RUN_SUMMARY_H */
