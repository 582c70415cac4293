/* results.c - what kldiv keeps of its rows (see results.h). */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* per_row: the bytes kept a row, 8 (the forward KL), 16 with targets (and delta p) */
static int over_limit(const results *r, uint64_t rows, int per_row)
{
    fprintf(stderr,
            "kldiv: %s: %llu rows need %.1f MiB for their per-row results (%d bytes a row, kept "
            "for exact percentiles); kldiv holds at most %.1f MiB for them (half of "
            "--memory-limit): split the input\n",
            r->inputs, (unsigned long long)rows, (double)rows * per_row / (1 << 20), per_row,
            (double)r->limit / (1 << 20));
    return -1;
}

int results_reserve(results *r, uint64_t rows, int targets_known)
{
    int per_row = targets_known ? 16 : 8;
    r->expected = rows;
    if (rows > r->limit / (uint64_t)per_row)
        return over_limit(r, rows, per_row);
    /* the breakdowns' rows in what is left (diag.h: left out where they do not fit) */
    diag_init(&r->diag, rows, r->limit - rows * (uint64_t)per_row);
    return 0;
}

/* v (capacity *cap elements of 8 bytes, used of them used) with room for one more: first
 * elements at first, then doubling as needed, within the limit; NULL after printing why. */
static void *grow(results *r, void *v, size_t *cap, size_t used, uint64_t first)
{
    if (used < *cap)
        return v;
    uint64_t held = (uint64_t)r->fwd_cap + r->bad_cap + r->dp_cap, more = *cap ? *cap : first;
    if (r->diag.cap && held + more + r->diag.cap * sizeof(diag_kept) / 8 > r->limit / 8)
        diag_drop(&r->diag); /* the per-row results come first */
    if (held + more > r->limit / 8)
        more = r->limit / 8 > held ? r->limit / 8 - held : 0;
    if (more == 0 || more > SIZE_MAX / 8 - *cap) {
        over_limit(r, r->good + r->n_bad + 1, r->dp_cap ? 16 : 8);
        return NULL;
    }
    void *bigger = realloc(v, (*cap + more) * 8);
    if (!bigger) {
        fprintf(stderr, "kldiv: out of memory for per-row results\n");
        return NULL;
    }
    *cap += more;
    return bigger;
}

/* A CSV field: the value, or empty when it is not known. */
static int csv_value(FILE *f, double v)
{
    return isnan(v) ? fprintf(f, ",") : fprintf(f, ",%.10g", v);
}

/* A CSV field of a count: the value, or empty when it is not known (UINT64_MAX, or negative). */
static int csv_count(FILE *f, uint64_t v)
{
    return v == UINT64_MAX ? fprintf(f, ",") : fprintf(f, ",%llu", (unsigned long long)v);
}

static int write_csv(results *r, uint64_t row, const row_result *x, uint64_t position)
{
    int n = x->bad ? fprintf(r->csv, "%llu,nan,nan,nan,nan,,,,,,,", (unsigned long long)row)
                   : fprintf(r->csv, "%llu,%.10g,%.10g,%.10g,%.10g,%zu,%zu",
                             (unsigned long long)row, x->forward, x->reverse, x->entropy_base,
                             x->entropy_new, x->top_base, x->top_new);
    if (!x->bad && n >= 0) {
        const double more[] = {x->nll_base, x->nll_new, x->delta_p, x->js, x->tv};
        for (int i = 0; i < 5 && n >= 0; i++)
            n = csv_value(r->csv, more[i]);
    }
    /* position,target,base_top_rank,target_rank_base,target_rank_new,base_top_p */
    n = n >= 0 ? csv_count(r->csv, position) : n;
    n = n >= 0 ? csv_count(r->csv, x->target >= 0 ? (uint64_t)x->target : UINT64_MAX) : n;
    if (!x->bad && n >= 0) {
        const uint64_t ranks[] = {x->base_top_rank, x->target_rank_base, x->target_rank_new};
        for (int i = 0; i < 3 && n >= 0; i++)
            n = csv_count(r->csv, ranks[i]);
        n = n >= 0 ? csv_value(r->csv, x->base_top_p) : n;
    } else if (n >= 0) {
        n = fprintf(r->csv, ",,,,");
    }
    n = n >= 0 ? fprintf(r->csv, "\n") : n;
    if (n >= 0)
        return 0;
    fprintf(stderr, "kldiv: %s: write failed: %s\n", r->csv_path, strerror(errno));
    return -1;
}

/* A good row's token statistics (its target known). */
static int add_token(results *r, const row_result *x)
{
    double *dp = grow(r, r->dp, &r->dp_cap, r->n_dp, r->expected ? r->expected : 1024);
    if (!dp)
        return -1;
    r->dp = dp;
    r->dp[r->n_dp++] = x->delta_p;
    token_sums *t = &r->tok;
    const double d2 = x->delta_p * x->delta_p;
    t->n++;
    t->nll += x->nll_new, t->nll2 += x->nll_new * x->nll_new;
    t->nll_base += x->nll_base, t->nll_base2 += x->nll_base * x->nll_base;
    t->nll_nll_base += x->nll_new * x->nll_base;
    t->dp += x->delta_p, t->dp2 += d2, t->dp4 += d2 * d2;
    return 0;
}

int results_add(results *r, const row_result *rows, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        const row_result *x = &rows[k];
        uint64_t row = (uint64_t)r->good + r->n_bad;
        const uint64_t position = r->pos ? positions_next(r->pos) : UINT64_MAX;
        if (r->csv && write_csv(r, row, x, position) != 0)
            return -1;
        if (r->refuse_probs_like && x->probs_like) {
            r->probs_like_side = x->probs_like & 1 ? 0 : 1;
            r->probs_like_row = row;
            return -1;
        }
        if (x->bad) {
            uint64_t *bad = grow(r, r->bad, &r->bad_cap, r->n_bad, 1024);
            if (!bad)
                return -1;
            r->bad = bad;
            if (r->n_bad < sizeof r->first_bad / sizeof *r->first_bad)
                r->first_bad[r->n_bad].row = row, r->first_bad[r->n_bad].why = x->bad,
                r->first_bad[r->n_bad].side = x->bad_side,
                r->first_bad[r->n_bad].value = x->bad_value;
            r->bad[r->n_bad++] = row;
            r->bad_by[x->bad]++;
            r->bad_outside += x->bad == BAD_NEGATIVE || (x->bad == BAD_SUM && x->bad_value > 1.5);
            continue;
        }
        double *fwd = grow(r, r->fwd, &r->fwd_cap, r->good, r->expected ? r->expected : 1024);
        if (!fwd)
            return -1;
        r->fwd = fwd;
        r->fwd[r->good++] = x->forward;
        r->rev_sum += x->reverse;
        r->rev_max = r->good == 1 || x->reverse > r->rev_max ? x->reverse : r->rev_max;
        r->hb_sum += x->entropy_base;
        r->hn_sum += x->entropy_new;
        r->agree += x->top_base == x->top_new;
        if (!isnan(x->js)) {
            r->js_sum += x->js, r->tv_sum += x->tv;
            r->n_js++;
        }
        if (!isnan(x->delta_p) && add_token(r, x) != 0)
            return -1;
        const diag_row d = {x->forward,        x->entropy_base,     x->base_top_p,
                            x->delta_p,        x->tv,               x->topk_same,
                            x->base_top_rank,  x->target_rank_base, x->target_rank_new,
                            position};
        const uint64_t held = 8 * ((uint64_t)r->fwd_cap + r->bad_cap + r->dp_cap);
        r->diag.budget = r->limit > held ? r->limit - held : 0;
        if (diag_add(&r->diag, &d) != 0) {
            fprintf(stderr, "kldiv: out of memory for the breakdowns' per-row values\n");
            return -1;
        }
    }
    return 0;
}

const char *results_bad_reason(row_bad why)
{
    switch (why) {
    case BAD_NAN:
        return "a NaN or an infinity";
    case BAD_NEGATIVE:
        return "a negative value";
    case BAD_SUM:
        return "a sum off 1 by more than the tolerance";
    case BAD_LOGITS:
        return "NaN or +inf logits, or all -inf";
    case BAD_SCALE:
        return "a NaN or infinite _logits_ scale";
    case BAD_NO_MASS:
        return "no probability on the common tokens";
    default:
        return "none";
    }
}

void results_free(results *r)
{
    diag_free(&r->diag);
    free(r->fwd);
    free(r->bad);
    free(r->dp);
    r->fwd = NULL;
    r->bad = NULL;
    r->dp = NULL;
}
