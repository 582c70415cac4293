/* results.h - what kldiv keeps of its rows. Each row's values are folded into running sums as the
 * row comes, written to the per-row CSV when there is one, and only two things are held: the
 * forward KL of every good row (8 bytes a row, for exact percentiles) and the indices of bad
 * rows, together within a memory limit that an input's row count cannot push past. */
#ifndef KLDIV_RESULTS_H
#define KLDIV_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "positions.h"

/* Why a row is bad (ROW_GOOD: it is not). */
typedef enum {
    ROW_GOOD,
    BAD_NAN,      /* --probs: a NaN or an infinity in the row */
    BAD_NEGATIVE, /* --probs: a negative value */
    BAD_SUM,      /* --probs: the row's sum differs from 1 by more than --sum-tolerance */
    BAD_LOGITS,   /* logits: NaN or +inf in the row, or a row of all -inf */
    BAD_SCALE,    /* a _logits_ row whose scale or minimum is NaN or infinite */
    BAD_NO_MASS,  /* --probs --common-vocab: no probability on the common tokens */
    BAD_REASONS
} row_bad;

typedef struct {
    double forward, reverse, entropy_base, entropy_new;
    size_t top_base, top_new;
    row_bad bad;
    int bad_side;     /* 0: BASE's row, 1: NEW's */
    double bad_value; /* BAD_SUM: the row's sum */
    int probs_like;   /* logits rows that look like probabilities: bit 0 BASE's, bit 1 NEW's */
    /* NaN where not known: the negative log-likelihoods of the row's target token under BASE and
     * NEW, Δp = p_new(target) - p_base(target), and the row's Jensen-Shannon divergence and
     * total variation */
    double nll_base, nll_new, delta_p, js, tv;
    /* topk.c (good rows): the target (-1: none), how many of the two top-TOPK_MAX lists' first
     * entries agree in order, the 0-based rank of BASE's top token in NEW and of the target in
     * BASE and NEW (UINT64_MAX: no target), BASE's top-1 probability; lse_base is BASE's
     * log-sum-exp of the scaled logits (score.c; NaN for probabilities) */
    int64_t target;
    int topk_same;
    uint64_t base_top_rank, target_rank_base, target_rank_new;
    double base_top_p, lse_base;
} row_result;

#define TOPK_MAX 10 /* the top-k measures' largest k */

/* Sums over the good rows whose target token is known (llama.cpp's token statistics). */
typedef struct {
    size_t n;
    double nll, nll2, nll_base, nll_base2, nll_nll_base, dp, dp2, dp4;
} token_sums;

typedef struct {
    uint64_t limit;  /* bytes for fwd and bad together */
    const char *inputs; /* "BASE, NEW", for messages */
    double *fwd;     /* the forward KL of each good row, in row order */
    uint64_t *bad;   /* the index of each bad row */
    double *dp;      /* Δp of each good row with a known target (8 more bytes a row) */
    size_t good, n_bad, n_dp, fwd_cap, bad_cap, dp_cap;
    uint64_t expected; /* the rows to come, when known up front: fwd and dp are sized once */
    double rev_sum, rev_max, hb_sum, hn_sum;
    size_t agree;    /* good rows whose top tokens agree */
    double js_sum, tv_sum;
    size_t n_js;     /* good rows with JS and TV known */
    token_sums tok;
    size_t bad_by[BAD_REASONS]; /* bad rows by reason */
    size_t bad_outside;         /* --probs rows bad with a negative value or a sum above 1.5:
                                 * values outside [0, 1], as logits have */
    struct {
        uint64_t row;
        row_bad why;
        int side;
        double value;
    } first_bad[3];             /* the first bad rows (min(n_bad, 3) of them) */
    int refuse_probs_like;      /* logits rows that look like probabilities end the run */
    int probs_like_side;        /* -1, or the side (0 BASE, 1 NEW) of the row that ended it */
    uint64_t probs_like_row;
    FILE *csv;       /* the --per-row file, or NULL */
    const char *csv_path;
    positions *pos;  /* each row's position in its context, or NULL */
    diag_sums diag;  /* the top-k measures and breakdowns (diag.h) */
} results;

/* Checks up front that rows rows (0: not known yet) fit within the limit (twice the bytes a row
 * when their targets are known), so that the per-row arrays are allocated once at that size;
 * returns 0, or -1 after printing why. */
int results_reserve(results *r, uint64_t rows, int targets_known);

/* Adds count rows in order; returns 0, or -1 after printing why (out of the memory limit, or a
 * failed write of the CSV), or -1 without printing when refuse_probs_like is set and a row looks
 * like probabilities (probs_like_side and probs_like_row then name it; nothing of that row or
 * later ones is added or written). */
int results_add(results *r, const row_result *rows, size_t count);

/* The bad-row reasons in words, "a negative value" ... */
const char *results_bad_reason(row_bad why);

void results_free(results *r);

#endif /* KLDIV_RESULTS_H */
