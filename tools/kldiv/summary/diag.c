/* diag.c - kldiv's top-k measures and breakdowns (see diag.h). */
#include "diag.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"

void diag_init(diag_sums *d, uint64_t rows, uint64_t budget)
{
    *d = (diag_sums){.budget = budget};
    d->dropped = rows && rows > budget / sizeof(diag_kept);
    if (rows && !d->dropped && (d->kept = malloc((size_t)rows * sizeof *d->kept)))
        d->cap = (size_t)rows;
}

/* Room for one more kept row: the expected rows at once, then doubling, within the budget; drops
 * what is kept past it. */
static int room(diag_sums *d)
{
    if (d->n < d->cap)
        return 0;
    size_t more = d->cap ? d->cap : 4096;
    if ((uint64_t)(d->cap + more) > d->budget / sizeof(diag_kept))
        more = (size_t)(d->budget / sizeof(diag_kept)) - d->cap;
    diag_kept *k = more ? realloc(d->kept, (d->cap + more) * sizeof *k) : NULL;
    if (!k) {
        diag_drop(d);
        return more ? -1 : 0;
    }
    d->kept = k, d->cap += more;
    return 0;
}

static size_t cap_k(uint64_t v)
{
    return v < DIAG_K ? (size_t)v : DIAG_K;
}

int diag_add(diag_sums *d, const diag_row *x)
{
    if (!d->dropped && room(d) != 0)
        return -1;
    if (!d->dropped) {
        const double p = x->base_top_p;
        const int c = p >= 1 ? DIAG_BUCKETS - 1 : p > 0 ? (int)(p * DIAG_BUCKETS) : 0;
        d->kept[d->n] = (diag_kept){
            .kl = x->forward, .entropy = (float)x->entropy_base, .delta_p = (float)x->delta_p,
            .tv = (float)x->tv,
            .rank = x->base_top_rank < UINT32_MAX ? (uint32_t)x->base_top_rank : UINT32_MAX,
            .position = x->position < UINT32_MAX ? (uint32_t)x->position : UINT32_MAX,
            .confidence = (uint8_t)c};
    }
    d->n++;
    d->same[cap_k((uint64_t)x->topk_same)]++;
    d->rank_sum += (double)x->base_top_rank;
    d->rank_max = (double)x->base_top_rank > d->rank_max ? (double)x->base_top_rank : d->rank_max;
    if (x->target_rank_base != UINT64_MAX) {
        d->n_target++;
        d->target[0][cap_k(x->target_rank_base)]++;
        d->target[1][cap_k(x->target_rank_new)]++;
    }
    if (!isnan(x->tv))
        d->n_tv++, d->tv_sum += x->tv;
    d->n_dp += !isnan(x->delta_p);
    d->n_pos += x->position != UINT64_MAX;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A row's entropy and index: rows by entropy, ties by row (an order independent of the sort). */
typedef struct {
    float entropy;
    size_t row;
} by_entropy;

static int cmp_entropy(const void *a, const void *b)
{
    const by_entropy *x = a, *y = b;
    return x->entropy < y->entropy ? -1 : x->entropy > y->entropy ? 1
           : (x->row > y->row) - (x->row < y->row);
}

/* The buckets of the kept rows, row i in bucket of[i] (nb of them); tmp has room for d->n. */
static void fill(const diag_sums *d, const uint8_t *of, int nb, diag_bucket *out, double *tmp)
{
    size_t start[DIAG_BUCKETS + 1] = {0}, at[DIAG_BUCKETS];
    double same[DIAG_BUCKETS] = {0}, dp[DIAG_BUCKETS] = {0}, dp2[DIAG_BUCKETS] = {0};
    for (size_t i = 0; i < d->n; i++)
        start[of[i] + 1]++;
    for (int b = 0; b < nb; b++)
        start[b + 1] += start[b], at[b] = start[b];
    for (size_t i = 0; i < d->n; i++) {
        const diag_kept *k = &d->kept[i];
        const int b = of[i];
        tmp[at[b]++] = k->kl;
        same[b] += k->rank == 0;
        if (!isnan(k->delta_p))
            dp[b] += k->delta_p, dp2[b] += (double)k->delta_p * k->delta_p, out[b].n_dp++;
    }
    for (int b = 0; b < nb; b++) {
        diag_bucket *o = &out[b];
        const size_t n = start[b + 1] - start[b];
        double *x = tmp + start[b], sum = 0;
        o->rows = n;
        for (size_t i = 0; i < n; i++)
            sum += x[i];
        qsort(x, n, sizeof *x, cmp_double);
        o->kl_mean = n ? sum / (double)n : NAN;
        o->kl_p99 = n ? quantile_sorted(x, n, 0.99) : NAN;
        o->same_top = n ? same[b] / (double)n : NAN;
        o->dp_mean = o->n_dp ? dp[b] / (double)o->n_dp : NAN;
        o->dp_rms = o->n_dp ? sqrt(dp2[b] / (double)o->n_dp) : NAN;
    }
}

/* The breakdowns and the percentiles that need the kept rows. */
static int breakdowns(const diag_sums *d, diag_summary *s)
{
    const size_t n = d->n;
    double *tmp = malloc(n * sizeof *tmp);
    uint8_t *of = malloc(n);
    by_entropy *order = malloc(n * sizeof *order);
    if (!tmp || !of || !order) {
        free(tmp), free(of), free(order);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        tmp[i] = d->kept[i].rank;
    qsort(tmp, n, sizeof *tmp, cmp_double);
    s->rank_p99 = quantile_sorted(tmp, n, 0.99);
    if (d->n_tv == n) { /* acceptance 1 - TV: its low percentiles are TV's high ones */
        for (size_t i = 0; i < n; i++)
            tmp[i] = 1.0 - d->kept[i].tv;
        qsort(tmp, n, sizeof *tmp, cmp_double);
        s->accept_p1 = quantile_sorted(tmp, n, 0.01);
        s->accept_p5 = quantile_sorted(tmp, n, 0.05);
        s->accept_p50 = quantile_sorted(tmp, n, 0.50);
    }
    for (size_t i = 0; i < n; i++)
        of[i] = d->kept[i].confidence;
    for (int b = 0; b < DIAG_BUCKETS; b++)
        s->confidence[b].lo = (double)b / DIAG_BUCKETS,
        s->confidence[b].hi = (b + 1.0) / DIAG_BUCKETS;
    fill(d, of, DIAG_BUCKETS, s->confidence, tmp);
    for (size_t i = 0; i < n; i++)
        order[i] = (by_entropy){d->kept[i].entropy, i};
    qsort(order, n, sizeof *order, cmp_entropy);
    for (size_t j = 0; j < n; j++) /* rank j in bucket floor(10 j / n) */
        of[order[j].row] = (uint8_t)((double)j * DIAG_BUCKETS / (double)n);
    for (int b = 0; b < DIAG_BUCKETS; b++) {
        size_t first = (size_t)ceil((double)b * (double)n / DIAG_BUCKETS);
        size_t last = (size_t)ceil((b + 1.0) * (double)n / DIAG_BUCKETS);
        s->entropy[b].lo = first < last ? order[first].entropy : NAN;
        s->entropy[b].hi = first < last ? order[last - 1].entropy : NAN;
    }
    fill(d, of, DIAG_BUCKETS, s->entropy, tmp);
    if (d->n_pos == n) {
        uint32_t lo = UINT32_MAX, hi = 0;
        for (size_t i = 0; i < n; i++) {
            lo = d->kept[i].position < lo ? d->kept[i].position : lo;
            hi = d->kept[i].position > hi ? d->kept[i].position : hi;
        }
        const uint64_t span = (uint64_t)hi - lo + 1;
        const uint64_t width = (span + DIAG_BUCKETS - 1) / DIAG_BUCKETS;
        s->n_position = (int)((span + width - 1) / width);
        for (size_t i = 0; i < n; i++)
            of[i] = (uint8_t)((d->kept[i].position - lo) / width);
        for (int b = 0; b < s->n_position; b++) {
            s->position[b].lo = (double)(lo + b * width);
            const uint64_t last = lo + (b + 1) * width - 1;
            s->position[b].hi = (double)(last < hi ? last : hi);
        }
        fill(d, of, s->n_position, s->position, tmp);
    }
    free(tmp), free(of), free(order);
    return 0;
}

int diag_of(const diag_sums *d, size_t vocab, diag_summary *s)
{
    *s = (diag_summary){.rows = d->n, .n_target = d->n_target, .vocab = vocab};
    s->rank_p99 = s->accept_mean = s->accept_p1 = s->accept_p5 = s->accept_p50 = NAN;
    for (int k = 1; k <= DIAG_K; k++) {
        size_t agree = 0, in[2] = {0, 0};
        const size_t need = (size_t)k < vocab ? (size_t)k : vocab;
        for (size_t j = need; j <= DIAG_K; j++)
            agree += d->same[j];
        for (int j = 0; j < k; j++)
            in[0] += d->target[0][j], in[1] += d->target[1][j];
        s->agree[k - 1] = d->n ? (double)agree / (double)d->n : NAN;
        s->in_base[k - 1] = d->n_target ? (double)in[0] / (double)d->n_target : NAN;
        s->in_new[k - 1] = d->n_target ? (double)in[1] / (double)d->n_target : NAN;
    }
    s->rank_mean = d->n ? d->rank_sum / (double)d->n : NAN;
    s->rank_max = d->n ? d->rank_max : NAN;
    if (d->n && d->n_tv == d->n)
        s->accept_mean = 1.0 - d->tv_sum / (double)d->n;
    s->kept = d->n && !d->dropped;
    return s->kept ? breakdowns(d, s) : 0;
}

void diag_drop(diag_sums *d)
{
    diag_free(d);
    d->dropped = 1;
}

void diag_free(diag_sums *d)
{
    free(d->kept);
    d->kept = NULL;
    d->cap = 0;
}
