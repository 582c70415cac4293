/* report.c - kldiv's summary as text, JSON or llama-perplexity's layout (see report.h). */
#include "report.h"

#include <math.h>

#include "kld.h"
#include "summary.h"
#include "token_stats.h"

/* Everything the reports print; NaN where not available. */
typedef struct {
    dist_summary fwd, dp;
    double fwd_llama_unc; /* the mean KL's uncertainty by llama.cpp's formula */
    double rev_mean, rev_max, hb_mean, hn_mean, agree, agree_unc, js_mean, tv_mean;
    token_stats tok;
} summary;

static void nan_dist(dist_summary *d)
{
    double *v = &d->mean;
    for (size_t i = 0; i < sizeof *d / sizeof(double); i++)
        v[i] = NAN;
}

static summary summarise_results(results *r)
{
    summary s;
    nan_dist(&s.fwd);
    nan_dist(&s.dp);
    s.fwd_llama_unc = s.rev_mean = s.rev_max = s.hb_mean = s.hn_mean = s.agree = s.agree_unc =
        s.js_mean = s.tv_mean = NAN;
    s.tok = token_stats_of(&r->tok);
    if (r->n_dp)
        summarise(r->dp, r->n_dp, &s.dp);
    if (!r->good)
        return s;
    double n = (double)r->good, sum = 0, sum2 = 0, mean;
    for (size_t i = 0; i < r->good; i++)
        sum += r->fwd[i], sum2 += r->fwd[i] * r->fwd[i];
    mean_and_unc(sum, sum2, r->good, &mean, &s.fwd_llama_unc);
    summarise(r->fwd, r->good, &s.fwd);
    s.rev_mean = r->rev_sum / n;
    s.rev_max = r->rev_max;
    s.hb_mean = r->hb_sum / n;
    s.hn_mean = r->hn_sum / n;
    s.agree = (double)r->agree / n;
    s.agree_unc = r->good > 1 ? sqrt(s.agree * (1 - s.agree) / (n - 1)) : NAN;
    if (r->n_js == r->good) {
        s.js_mean = r->js_sum / n;
        s.tv_mean = r->tv_sum / n;
    }
    return s;
}

/* JSON has no NaN or infinities: those are written as null. */
static void json_num(FILE *o, const char *key, double v, const char *sep)
{
    if (isfinite(v))
        fprintf(o, "\"%s\": %.10g%s", key, v, sep);
    else
        fprintf(o, "\"%s\": null%s", key, sep);
}

/* Keys and values of a JSON object's numbers, NULL-terminated keys. */
static void json_fields(FILE *o, const char *const *keys, const double *v)
{
    for (size_t i = 0; keys[i]; i++)
        json_num(o, keys[i], v[i], keys[i + 1] ? ", " : "}");
}

static void write_json(FILE *o, const results *r, const summary *s, const run_info *info)
{
    const dist_summary *f = &s->fwd, *d = &s->dp;
    const token_stats *t = &s->tok;
    fprintf(o, "{\"rows\": %zu, \"vocab\": %zu, \"dtype\": \"%s\", \"isa\": \"%s\", \"kl_rule\": "
               "\"%s\", \"common_vocab\": %s, \"forward\": {",
            info->rows, info->vocab, info->dtype, info->isa, info->llama_rule ? "llama" : "exact",
            info->vocab_base != info->vocab_new ? "true" : "false");
    static const char *const fwd_keys[] = {"mean", "stderr", "median", "p01", "p1", "p5", "p10",
                                           "p90", "p95", "p99", "p999", "min", "max", NULL};
    json_fields(o, fwd_keys, (const double[]){f->mean, f->stderr_mean, f->median, f->p01, f->p1,
                                              f->p5, f->p10, f->p90, f->p95, f->p99, f->p999,
                                              f->min, f->max});
    fprintf(o, ", \"reverse\": {");
    json_num(o, "mean", s->rev_mean, ", ");
    json_num(o, "max", s->rev_max, "}, ");
    json_num(o, "top_agreement", s->agree, ", ");
    json_num(o, "entropy_base_mean", s->hb_mean, ", ");
    json_num(o, "entropy_new_mean", s->hn_mean, ", ");
    json_num(o, "js_mean", s->js_mean, ", ");
    json_num(o, "tv_mean", s->tv_mean, ", \"same_top\": {");
    json_num(o, "fraction", s->agree, ", ");
    json_num(o, "stderr", s->agree_unc, "}, \"ppl\": {");
    static const char *const ppl_keys[] = {"new", "new_unc", "base", "base_unc", "cor_ln",
                                           "ln_ratio", "ln_ratio_unc", "ratio", "ratio_unc",
                                           "diff", "diff_unc", NULL};
    json_fields(o, ppl_keys, &t->new_);
    fprintf(o, ", \"delta_p\": {");
    static const char *const dp_keys[] = {"mean", "stderr", "rms", "rms_unc", "max", "p999",
                                          "p99", "p95", "p90", "p75", "median", "p25", "p10",
                                          "p5", "p1", "p01", "min", NULL};
    json_fields(o, dp_keys, (const double[]){t->dp_mean, t->dp_unc, t->dp_rms, t->dp_rms_unc,
                                             d->max, d->p999, d->p99, d->p95, d->p90, d->p75,
                                             d->median, d->p25, d->p10, d->p5, d->p1, d->p01,
                                             d->min});
    fprintf(o, ", \"bad_rows\": [");
    for (size_t i = 0; i < r->n_bad; i++)
        fprintf(o, "%s%llu", i ? ", " : "", (unsigned long long)r->bad[i]);
    fprintf(o, "], ");
    json_num(o, "seconds", info->seconds, ", ");
    json_num(o, "gb_per_s", info->gb_per_s, "}\n");
}

static void write_text(FILE *o, const results *r, const summary *s, const run_info *info)
{
    const dist_summary *f = &s->fwd, *d = &s->dp;
    const token_stats *t = &s->tok;
    fprintf(o, "kldiv %d.%d.%d: %zu rows x %zu vocab, %s %s", KLD_VERSION_MAJOR,
            KLD_VERSION_MINOR, KLD_VERSION_PATCH, info->rows, info->vocab, info->dtype,
            info->probs ? "probabilities" : "logits");
    if (!info->probs)
        fprintf(o, ", T = %g", (double)info->temperature);
    fprintf(o, ", path %s\n", info->isa);
    if (info->vocab_base != info->vocab_new)
        fprintf(o, "common vocab   the first %zu tokens of %zu (base) and %zu (new), %s\n",
                info->vocab, info->vocab_base, info->vocab_new,
                info->llama_rule ? "new renormalised, base as stored (llama.cpp's rule)"
                                 : "renormalised");
    if (info->llama_rule)
        fprintf(o, "KL rule        llama.cpp's: base log-probs as stored, terms with log p_base "
                   "<= -16 left out (--exact: exact KL)\n");
    fprintf(o, "KL(base||new)  mean %.9g +/- %.3g (stderr), median %.9g\n", f->mean,
            f->stderr_mean, f->median);
    fprintf(o, "               p0.1 %.6g  p1 %.6g  p5 %.6g  p10 %.6g  p90 %.6g  p95 %.6g  "
               "p99 %.6g  p99.9 %.6g\n",
            f->p01, f->p1, f->p5, f->p10, f->p90, f->p95, f->p99, f->p999);
    fprintf(o, "               min %.9g  max %.9g\n", f->min, f->max);
    fprintf(o, "KL(new||base)  mean %.9g  max %.9g\n", s->rev_mean, s->rev_max);
    if (!isnan(s->js_mean))
        fprintf(o, "JS, TV         mean JS %.9g  mean TV %.9g\n", s->js_mean, s->tv_mean);
    fprintf(o, "top token      same in %.2f%% of rows (+/- %.2f%%)\n", 100.0 * s->agree,
            100.0 * s->agree_unc);
    fprintf(o, "entropy        base %.6g  new %.6g (mean nats)\n", s->hb_mean, s->hn_mean);
    if (r->tok.n) {
        fprintf(o, "PPL            new %.6f +/- %.6f  base %.6f +/- %.6f  cor(ln) %.2f%%\n",
                t->new_, t->new_unc, t->base, t->base_unc, 100.0 * t->cor_ln);
        fprintf(o, "               ln(new/base) %.6f +/- %.6f  new/base %.6f +/- %.6f  "
                   "new-base %.6f +/- %.6f\n",
                t->ln_ratio, t->ln_ratio_unc, t->ratio, t->ratio_unc, t->diff, t->diff_unc);
        fprintf(o, "delta p        mean %.4f%% +/- %.4f%%  rms %.4f%% +/- %.4f%%\n",
                100.0 * t->dp_mean, 100.0 * t->dp_unc, 100.0 * t->dp_rms, 100.0 * t->dp_rms_unc);
        fprintf(o, "               min %.3f%%  p1 %.3f%%  p10 %.3f%%  median %.3f%%  p90 %.3f%%  "
                   "p99 %.3f%%  max %.3f%%\n",
                100 * d->min, 100 * d->p1, 100 * d->p10, 100 * d->median, 100 * d->p90,
                100 * d->p99, 100 * d->max);
    }
    fprintf(o, "bad rows       %zu", r->n_bad);
    for (size_t i = 0; i < r->n_bad && i < 20; i++)
        fprintf(o, "%s%llu", i ? ", " : " (", (unsigned long long)r->bad[i]);
    fprintf(o, "%s\n", r->n_bad > 20 ? ", ...)" : r->n_bad ? ")" : "");
    fprintf(o, "time           %.3f s, %.2f GB/s\n", info->seconds, info->gb_per_s);
}

/* The final statistics of llama-perplexity --kl-divergence, label for label. */
static void write_llama(FILE *o, const results *r, const summary *s)
{
    const dist_summary *f = &s->fwd, *d = &s->dp;
    const token_stats *t = &s->tok;
    if (r->tok.n) {
        fprintf(o, "====== Perplexity statistics ======\n");
        fprintf(o, "Mean PPL(Q)                   : %10.6lf ± %10.6lf\n", t->new_, t->new_unc);
        fprintf(o, "Mean PPL(base)                : %10.6lf ± %10.6lf\n", t->base, t->base_unc);
        fprintf(o, "Cor(ln(PPL(Q)), ln(PPL(base))): %6.2lf%%\n", 100.0 * t->cor_ln);
        fprintf(o, "Mean ln(PPL(Q)/PPL(base))     : %10.6lf ± %10.6lf\n", t->ln_ratio,
                t->ln_ratio_unc);
        fprintf(o, "Mean PPL(Q)/PPL(base)         : %10.6lf ± %10.6lf\n", t->ratio, t->ratio_unc);
        fprintf(o, "Mean PPL(Q)-PPL(base)         : %10.6lf ± %10.6lf\n", t->diff, t->diff_unc);
        fprintf(o, "\n");
    }
    fprintf(o, "====== KL divergence statistics ======\n");
    fprintf(o, "Mean    KLD: %10.6lf ± %10.6lf\n", f->mean, s->fwd_llama_unc);
    static const char *const kld_labels[] = {"Maximum", "99.9%  ", "99.0%  ", "95.0%  ",
                                             "90.0%  ", "Median ", "10.0%  ", " 5.0%  ",
                                             " 1.0%  ", " 0.1%  ", "Minimum"};
    const double kv[] = {f->max, f->p999, f->p99, f->p95, f->p90, f->median,
                         f->p10, f->p5,   f->p1,  f->p01, f->min};
    for (int i = 0; i < 11; i++)
        fprintf(o, "%s KLD: %10.6f\n", kld_labels[i], kv[i]);
    fprintf(o, "\n====== Token probability statistics ======\n");
    if (r->tok.n) {
        fprintf(o, "Mean    Δp: %6.3lf ± %5.3lf %%\n", 100.0 * t->dp_mean, 100.0 * t->dp_unc);
        static const char *const dp_labels[] = {
            "Maximum", "99.9%  ", "99.0%  ", "95.0%  ", "90.0%  ", "75.0%  ", "Median ",
            "25.0%  ", "10.0%  ", " 5.0%  ", " 1.0%  ", " 0.1%  ", "Minimum"};
        const double dv[] = {d->max, d->p999, d->p99, d->p95, d->p90, d->p75, d->median,
                             d->p25, d->p10,  d->p5,  d->p1,  d->p01, d->min};
        for (int i = 0; i < 13; i++)
            fprintf(o, "%s Δp: %6.3lf%%\n", dp_labels[i], 100.0 * dv[i]);
        fprintf(o, "RMS Δp    : %6.3lf ± %5.3lf %%\n", 100.0 * t->dp_rms, 100.0 * t->dp_rms_unc);
    }
    fprintf(o, "Same top p: %6.3lf ± %5.3lf %%\n", 100.0 * s->agree, 100.0 * s->agree_unc);
}

int report_write(FILE *out, results *r, const run_info *info, report_format format)
{
    summary s = summarise_results(r);
    if (format == REPORT_JSON)
        write_json(out, r, &s, info);
    else if (format == REPORT_LLAMA)
        write_llama(out, r, &s);
    else
        write_text(out, r, &s, info);
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
