/* diag.h - where the divergence comes from: kldiv's top-k measures (top-K agreement, the target
 * in each model's top K, the rank of BASE's top token in NEW) from counts over the good rows, and
 * its breakdowns of KL, same top token and Δp by BASE's confidence (top-1 probability in ten
 * equal buckets), BASE's entropy (ten buckets of equal row count) and position in context (ten
 * equal ranges), with the speculative-decoding acceptance 1 - TV, from 32 bytes kept a row. */
#ifndef KLD_SUMMARY_DIAG_H
#define KLD_SUMMARY_DIAG_H

#include <stddef.h>
#include <stdint.h>

#define DIAG_K 10       /* top-K for K = 1 .. DIAG_K */
#define DIAG_BUCKETS 10

/* One good row's diagnostics. NaN / UINT64_MAX where not known. */
typedef struct {
    double forward, entropy_base, base_top_p, delta_p, tv;
    int topk_same;               /* how many first entries of the two top lists agree in order */
    uint64_t base_top_rank;      /* of BASE's top token in NEW, 0-based (0: same top token) */
    uint64_t target_rank_base, target_rank_new, position;
} diag_row;

/* What is kept of a row for the breakdowns. */
typedef struct {
    double kl;
    float entropy, delta_p, tv;  /* delta_p, tv: NaN when not known */
    uint32_t rank;               /* of BASE's top in NEW, capped at UINT32_MAX */
    uint32_t position;           /* UINT32_MAX: not known */
    uint8_t confidence;          /* BASE's top-1 probability's bucket, 0 .. 9 */
} diag_kept;

typedef struct {
    size_t n, n_target, n_tv, n_dp, n_pos;
    size_t same[DIAG_K + 1];        /* rows by topk_same, capped at DIAG_K */
    size_t target[2][DIAG_K + 1];   /* rows with a target by its rank in BASE, NEW (DIAG_K: >=) */
    double rank_sum, rank_max, tv_sum;
    uint64_t budget;                /* bytes kept may take; a run past it keeps none */
    int dropped;                    /* the kept rows went past the budget and were dropped */
    diag_kept *kept;
    size_t cap;
} diag_sums;

/* Prepares d for rows rows (0: not known) within budget bytes. */
void diag_init(diag_sums *d, uint64_t rows, uint64_t budget);

/* Folds in good row x. Returns 0, or -1 when out of memory (nothing printed). */
int diag_add(diag_sums *d, const diag_row *x);

typedef struct {
    double lo, hi;      /* the bucket's range of its key (probability, nats, position) */
    size_t rows, n_dp;
    double kl_mean, kl_p99, same_top, dp_mean, dp_rms;
} diag_bucket;

typedef struct {
    size_t rows, n_target;
    size_t vocab;
    double agree[DIAG_K];              /* top-K agreement for K = 1 .. DIAG_K */
    double in_base[DIAG_K], in_new[DIAG_K]; /* the target in each model's top K (NaN: none) */
    double rank_mean, rank_p99, rank_max;
    int kept;                          /* the breakdowns below were computed */
    diag_bucket confidence[DIAG_BUCKETS], entropy[DIAG_BUCKETS], position[DIAG_BUCKETS];
    int n_position;                    /* position buckets (0: positions not known) */
    double accept_mean, accept_p1, accept_p5, accept_p50; /* 1 - TV (NaN without TV) */
} diag_summary;

/* The summary of d over vocab compared tokens (a top K of more than vocab is the whole row). 0,
 * or -1 when out of memory for the temporaries (25 bytes a row). */
int diag_of(const diag_sums *d, size_t vocab, diag_summary *out);

/* Drops the kept rows (and keeps no more): the breakdowns are then left out. */
void diag_drop(diag_sums *d);

void diag_free(diag_sums *d);

#endif /* KLD_SUMMARY_DIAG_H */
