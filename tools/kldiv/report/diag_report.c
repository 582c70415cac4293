/* diag_report.c - the top-k, breakdown and speculative sections of kldiv's reports (see
 * diag_report.h). */
#include "diag_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"

/* A value as fmt, or "-" right-aligned in width when it is NaN (an empty bucket). */
static void cell(FILE *o, int width, const char *fmt, double v)
{
    char text[40];
    if (isnan(v))
        snprintf(text, sizeof text, "-");
    else
        snprintf(text, sizeof text, fmt, v);
    fprintf(o, " %*s", width, text);
}

static void pct_row(FILE *o, const char *label, const double *v)
{
    fprintf(o, "  %-19s", label);
    for (int k = 0; k < DIAG_K; k++)
        cell(o, 6, "%.1f%%", 100.0 * v[k]);
    fprintf(o, "\n");
}

static void write_topk(FILE *o, const diag_summary *d)
{
    fprintf(o, "top-K (ties: lower id first)\n  %-19s", "K");
    for (int k = 1; k <= DIAG_K; k++)
        fprintf(o, " %6d", k);
    fprintf(o, "\n");
    pct_row(o, "same top-K, in order", d->agree);
    if (d->n_target) {
        pct_row(o, "target in base's", d->in_base);
        pct_row(o, "target in new's", d->in_new);
    }
    fprintf(o, "rank of base's top token in new (0: the same top)  mean %.4g  p99 ", d->rank_mean);
    if (isnan(d->rank_p99))
        fprintf(o, "n/a");
    else
        fprintf(o, "%.4g", d->rank_p99);
    fprintf(o, "  max %.0f\n", d->rank_max);
}

/* One breakdown: its title, the key's column header and format, its buckets. */
static void write_table(FILE *o, const char *title, const char *key, const char *fmt,
                        const diag_bucket *b, int n, double kl_sum, int with_dp)
{
    fprintf(o, "%s\n  %-17s %9s %7s %10s %10s %8s%s\n", title, key, "rows", "KL share",
            "KL mean", "KL p99", "same top", with_dp ? "  dp mean   dp rms" : "");
    for (int i = 0; i < n; i++) {
        char range[48], lo[20], hi[20];
        snprintf(lo, sizeof lo, fmt, b[i].lo);
        snprintf(hi, sizeof hi, fmt, b[i].hi);
        snprintf(range, sizeof range, isnan(b[i].lo) ? "-" : "%s-%s", lo, hi);
        fprintf(o, "  %-17s %9zu", range, b[i].rows);
        cell(o, 7, "%.1f%%", b[i].rows ? 100.0 * b[i].kl_mean * (double)b[i].rows / kl_sum : NAN);
        cell(o, 10, "%.4g", b[i].kl_mean);
        cell(o, 10, "%.4g", b[i].kl_p99);
        cell(o, 8, "%.2f%%", 100.0 * b[i].same_top);
        if (with_dp) {
            cell(o, 8, "%.3f%%", 100.0 * b[i].dp_mean);
            cell(o, 8, "%.3f%%", 100.0 * b[i].dp_rms);
        }
        fprintf(o, "\n");
    }
}

void diag_write_text(FILE *o, const diag_summary *d, const diag_sums *sums, double kl_sum,
                     double temperature)
{
    if (!d->rows)
        return;
    write_topk(o, d);
    if (!d->kept) {
        fprintf(o, "breakdowns     left out: %zu rows x %zu bytes do not fit in the memory limit "
                   "beside the per-row results (--memory-limit)\n",
                sums->n, sizeof(diag_kept));
    } else {
        const int dp = sums->n_dp > 0;
        write_table(o, "KL by base's confidence (top-1 probability)", "top-1 p", "%.1f",
                    d->confidence, DIAG_BUCKETS, kl_sum, dp);
        write_table(o, "KL by base's entropy (equal row counts)", "entropy (nats)", "%.3g",
                    d->entropy, DIAG_BUCKETS, kl_sum, dp);
        if (d->n_position)
            write_table(o, "KL by position in context", "position", "%.0f", d->position,
                        d->n_position, kl_sum, dp);
    }
    if (!isnan(d->accept_mean)) {
        fprintf(o, "speculative    acceptance 1 - TV (new drafts, base verifies");
        if (!isnan(temperature))
            fprintf(o, ", T = %g", temperature);
        fprintf(o, "): mean %.2f%%", 100.0 * d->accept_mean);
        if (!isnan(d->accept_p1))
            fprintf(o, "  p1 %.2f%%  p5 %.2f%%  p50 %.2f%%", 100.0 * d->accept_p1,
                    100.0 * d->accept_p5, 100.0 * d->accept_p50);
        fprintf(o, "\n");
    }
}

/* A JSON number: the shortest text that reads back as v; null for NaN and infinities. */
static void num(FILE *o, double v)
{
    char text[32];
    if (!isfinite(v)) {
        fputs("null", o);
        return;
    }
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, v);
        if (strtod(text, NULL) == v)
            break;
    }
    fputs(text, o);
}

static void array(FILE *o, const char *key, const double *v, int n, const char *sep)
{
    fprintf(o, "\"%s\": [", key);
    for (int i = 0; i < n; i++) {
        num(o, v[i]);
        fputs(i + 1 < n ? ", " : "]", o);
    }
    fputs(sep, o);
}

static void member(FILE *o, const char *key, double v, const char *sep)
{
    fprintf(o, "\"%s\": ", key);
    num(o, v);
    fputs(sep, o);
}

static void json_buckets(FILE *o, const char *key, const diag_bucket *b, int n, double kl_sum,
                         const char *sep)
{
    fprintf(o, "\"%s\": [", key);
    for (int i = 0; i < n; i++) {
        fputs("{", o);
        member(o, "lo", b[i].lo, ", ");
        member(o, "hi", b[i].hi, ", ");
        fprintf(o, "\"rows\": %zu, ", b[i].rows);
        member(o, "kl_mean", b[i].kl_mean, ", ");
        member(o, "kl_p99", b[i].kl_p99, ", ");
        member(o, "kl_share", b[i].rows ? b[i].kl_mean * (double)b[i].rows / kl_sum : NAN, ", ");
        member(o, "same_top", b[i].same_top, ", ");
        member(o, "delta_p_mean", b[i].dp_mean, ", ");
        member(o, "delta_p_rms", b[i].dp_rms, "}");
        fputs(i + 1 < n ? ", " : "", o);
    }
    fprintf(o, "]%s", sep);
}

/* The quantiles the CDF plot draws: every 1% and a finer tail. */
static const double cdf_q[] = {0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35,
                               0.4,   0.45,  0.5,  0.55, 0.6,  0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
                               0.95,  0.98,  0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999, 1.0};
#define N_CDF (int)(sizeof cdf_q / sizeof cdf_q[0])

void diag_write_json(FILE *o, const diag_summary *d, double kl_sum, const double *fwd,
                     size_t n)
{
    fputs("\"topk\": {\"k\": [", o);
    for (int k = 1; k <= DIAG_K; k++)
        fprintf(o, "%d%s", k, k < DIAG_K ? ", " : "], ");
    array(o, "same_list", d->agree, DIAG_K, ", ");
    array(o, "target_in_base", d->in_base, DIAG_K, ", ");
    array(o, "target_in_new", d->in_new, DIAG_K, ", ");
    fputs("\"base_top_rank_in_new\": {", o);
    member(o, "mean", d->rank_mean, ", ");
    member(o, "p99", d->rank_p99, ", ");
    member(o, "max", d->rank_max, "}}, ");
    fputs("\"buckets\": ", o);
    if (!d->kept) {
        fputs("null, ", o);
    } else {
        fputs("{", o);
        json_buckets(o, "confidence", d->confidence, DIAG_BUCKETS, kl_sum, ", ");
        json_buckets(o, "entropy", d->entropy, DIAG_BUCKETS, kl_sum, ", ");
        if (d->n_position)
            json_buckets(o, "position", d->position, d->n_position, kl_sum, "}, ");
        else
            fputs("\"position\": null}, ", o);
    }
    fputs("\"speculative\": ", o);
    if (isnan(d->accept_mean)) {
        fputs("null, ", o);
    } else {
        fputs("{", o);
        member(o, "acceptance_mean", d->accept_mean, ", ");
        member(o, "acceptance_p1", d->accept_p1, ", ");
        member(o, "acceptance_p5", d->accept_p5, ", ");
        member(o, "acceptance_p50", d->accept_p50, "}, ");
    }
    double kl[N_CDF];
    for (int i = 0; i < N_CDF; i++)
        kl[i] = n ? quantile_sorted(fwd, n, cdf_q[i]) : NAN;
    fputs("\"forward_quantiles\": {", o);
    array(o, "q", cdf_q, N_CDF, ", ");
    array(o, "kl", kl, N_CDF, "}, ");
}
