/* report.c - kldiv's summary as text, JSON or llama-perplexity's layout (see report.h). */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag_report.h"
#include "kld.h"
#include "run_summary.h"

/* The summary of r (sorting r->fwd and r->dp): its running sums as the shared summary code
 * (run_summary.h) takes them. */
static summary report_summary(results *r)
{
    const token_sums *t = &r->tok;
    summary_sums sums = {
        .good = r->good, .rev_sum = r->rev_sum, .rev_max = r->rev_max, .hb_sum = r->hb_sum,
        .hn_sum = r->hn_sum, .agree = r->agree, .js_sum = r->js_sum, .tv_sum = r->tv_sum,
        .n_js = r->n_js,
        .tok = {.n = r->n_dp, .nll = t->nll, .nll2 = t->nll2, .nll_base = t->nll_base,
                .nll_base2 = t->nll_base2, .nll_nll_base = t->nll_nll_base, .dp = t->dp,
                .dp2 = t->dp2, .dp4 = t->dp4}};
    summary s;
    summary_of(&sums, r->fwd, r->dp, &s);
    return s;
}

/* A number of the text reports: NaN (not available: no good rows, or too few rows for a
 * percentile) is "n/a". */
typedef struct {
    char s[40];
} num_text;

/* fmt's rendering of v, or "n/a" right-aligned in width (0: none) when v is NaN. */
static num_text num(const char *fmt, double v, int width)
{
    num_text t;
    if (isnan(v))
        snprintf(t.s, sizeof t.s, "%*s", width, "n/a");
    else
        snprintf(t.s, sizeof t.s, fmt, v);
    return t;
}
#define NUM(fmt, v) (num(fmt, v, 0).s)
#define NUMW(width, fmt, v) (num(fmt, v, width).s)
#define PCT(fmt, v) (num(fmt "%%", v, 0).s) /* 12.34% or n/a */

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0. */
static int utf8_length(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    int len = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3
              : p[0] >= 0xf0 && p[0] <= 0xf4                               ? 4
                                                                           : 0;
    /* the second byte's range, which rules out the overlong forms, surrogates and > U+10FFFF */
    unsigned lo = p[0] == 0xe0 ? 0xa0 : p[0] == 0xf0 ? 0x90 : 0x80;
    unsigned hi = p[0] == 0xed ? 0x9f : p[0] == 0xf4 ? 0x8f : 0xbf;
    if (len && !(p[1] >= lo && p[1] <= hi))
        return 0;
    for (int k = 2; k < len; k++)
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    return len;
}

/* A JSON string: quotes, backslashes and control characters escaped, bytes that are not UTF-8
 * (a path may hold any) replaced by U+FFFD. */
static void json_str(FILE *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', o);
    while (*p) {
        int len = utf8_length(p);
        if (len == 1 && (*p == '"' || *p == '\\'))
            fprintf(o, "\\%c", *p);
        else if (len == 1 && *p < 0x20)
            fprintf(o, "\\u%04x", *p);
        else if (len >= 1)
            fwrite(p, 1, (size_t)len, o);
        else
            fputs("\\ufffd", o);
        p += len ? len : 1;
    }
    fputc('"', o);
}

static void json_input(FILE *o, const char *role, const input_info *in, const char *sep)
{
    fprintf(o, "{\"role\": \"%s\", \"path\": ", role);
    json_str(o, in->path);
    fprintf(o, ", \"kind\": \"%s\", \"rows\": %zu, \"vocab\": %zu, \"dtype\": \"%s\"}%s",
            in->kind, in->rows, in->vocab, in->dtype, sep);
}

/* v in the fewest significant digits that read back as exactly v: as a double (at most 17
 * digits), or as a float when single (at most 9). */
static void shortest(char text[32], double v, int single)
{
    for (int digits = 1; digits <= (single ? 9 : 17); digits++) {
        snprintf(text, 32, "%.*g", digits, v);
        if (single ? strtof(text, NULL) == (float)v : strtod(text, NULL) == v)
            return;
    }
}

/* A number round-trips; JSON has no NaN or infinities: those are written as null. */
static void json_num(FILE *o, const char *key, double v, const char *sep)
{
    char text[32] = "null";
    if (isfinite(v))
        shortest(text, v, 0);
    fprintf(o, "\"%s\": %s%s", key, text, sep);
}

/* Whether summary keys a and b (either may be NULL: none) are in one JSON object. */
static int same_object(const summary_key *a, const summary_key *b)
{
    return a && b && a->group && b->group && strcmp(a->group, b->group) == 0;
}

/* The summary's numbers, object by object in summary_keys' order, each followed by ", ". */
static void json_summary(FILE *o, const summary *s)
{
    for (size_t i = 0; i < summary_key_count; i++) {
        const summary_key *k = &summary_keys[i], *prev = i ? k - 1 : NULL,
                          *next = i + 1 < summary_key_count ? k + 1 : NULL;
        if (k->group && !same_object(prev, k))
            fprintf(o, "\"%s\": {", k->group);
        json_num(o, k->key, summary_value(s, k), k->group && !same_object(k, next) ? "}, " : ", ");
    }
}

/* The bad-row reasons' JSON keys, in row_bad's order. */
static const char *const bad_keys[BAD_REASONS] = {
    "", "nan_or_inf", "negative", "sum", "logits_nan_or_inf", "llama_scale", "no_common_mass"};

static void write_json(FILE *o, const results *r, const summary *s, const run_info *info,
                       const diag_summary *ds)
{
    fprintf(o, "{\"version\": \"%d.%d.%d\", \"inputs\": [", KLD_VERSION_MAJOR, KLD_VERSION_MINOR,
            KLD_VERSION_PATCH);
    json_input(o, "base", &info->base, ", ");
    json_input(o, "new", &info->new_, "], ");
    fprintf(o, "\"rows\": %zu, \"vocab\": %zu, \"dtype\": \"%s\", \"isa\": \"%s\", \"kl_rule\": "
               "\"%s\", \"common_vocab\": %s, ",
            info->rows, info->vocab, info->dtype, info->isa, info->llama_rule ? "llama" : "exact",
            info->vocab_base != info->vocab_new ? "true" : "false");
    char temperature[32] = "null";
    if (!info->probs)
        shortest(temperature, info->temperature, 1);
    fprintf(o, "\"temperature\": %s, ", temperature);
    json_summary(o, s);
    diag_write_json(o, ds, s->fwd.mean * (double)r->good, r->fwd, r->good);
    fprintf(o, "\"bad_rows\": [");
    for (size_t i = 0; i < r->n_bad; i++)
        fprintf(o, "%s%llu", i ? ", " : "", (unsigned long long)r->bad[i]);
    fprintf(o, "], \"bad_reasons\": {");
    for (int why = ROW_GOOD + 1; why < BAD_REASONS; why++)
        fprintf(o, "\"%s\": %zu%s", bad_keys[why], r->bad_by[why], why + 1 < BAD_REASONS ? ", " : "}, ");
    json_num(o, "seconds", info->seconds, ", ");
    json_num(o, "gb_per_s", info->gb_per_s, "}\n");
}

/* The text report's lines that name what was compared: the inputs, the KL rule. */
static void write_text_header(FILE *o, const run_info *info)
{
    fprintf(o, "kldiv %d.%d.%d: %zu rows x %zu vocab, %s %s", KLD_VERSION_MAJOR,
            KLD_VERSION_MINOR, KLD_VERSION_PATCH, info->rows, info->vocab, info->dtype,
            info->probs ? "probabilities" : "logits");
    if (!info->probs)
        fprintf(o, ", T = %g", (double)info->temperature);
    fprintf(o, ", path %s\n", info->isa);
    const input_info *in[2] = {&info->base, &info->new_};
    for (int k = 0; k < 2; k++)
        fprintf(o, "%s%s: %s, %zu x %zu %s\n", k ? "new            " : "base           ",
                in[k]->path, in[k]->kind, in[k]->rows, in[k]->vocab, in[k]->dtype);
    if (info->vocab_base != info->vocab_new)
        fprintf(o, "common vocab   the first %zu tokens of %zu (base) and %zu (new), %s\n",
                info->vocab, info->vocab_base, info->vocab_new,
                info->llama_rule ? "new renormalised, base as stored (llama.cpp's rule)"
                                 : "renormalised");
    if (info->llama_rule)
        fprintf(o, "KL rule        llama.cpp's: base log-probs as stored, terms with log p_base "
                   "<= -16 left out (--exact: exact KL)\n");
    else
        fprintf(o, "KL rule        exact\n");
}

/* The bad rows: how many, which (the first 20), why (by reason, the first few named). */
static void write_bad_rows(FILE *o, const results *r)
{
    fprintf(o, "bad rows       %zu", r->n_bad);
    for (size_t i = 0; i < r->n_bad && i < 20; i++)
        fprintf(o, "%s%llu", i ? ", " : " (", (unsigned long long)r->bad[i]);
    fprintf(o, "%s\n", r->n_bad > 20 ? ", ...)" : r->n_bad ? ")" : "");
    if (!r->n_bad)
        return;
    fprintf(o, "               ");
    for (int why = ROW_GOOD + 1, first = 1; why < BAD_REASONS; why++)
        if (r->bad_by[why]) {
            fprintf(o, "%s%zu with %s", first ? "" : ", ", r->bad_by[why],
                    results_bad_reason((row_bad)why));
            first = 0;
        }
    fprintf(o, "; ");
    size_t shown = sizeof r->first_bad / sizeof *r->first_bad;
    for (size_t i = 0; i < r->n_bad && i < shown; i++) {
        fprintf(o, "%srow %llu: %s has %s", i ? ", " : "", (unsigned long long)r->first_bad[i].row,
                r->first_bad[i].side ? "new" : "base", results_bad_reason(r->first_bad[i].why));
        if (r->first_bad[i].why == BAD_SUM)
            fprintf(o, " (%.9g)", r->first_bad[i].value);
    }
    fprintf(o, "\n");
}

static void write_text(FILE *o, const results *r, const summary *s, const run_info *info,
                       const diag_summary *ds)
{
    const dist_summary *f = &s->fwd, *d = &s->dp;
    const token_stats *t = &s->tok;
    write_text_header(o, info);
    fprintf(o, "KL(base||new)  mean %s +/- %s (stderr), median %s\n", NUM("%.9g", f->mean),
            NUM("%.3g", f->stderr_mean), NUM("%.9g", f->median));
    fprintf(o, "               p0.1 %s  p1 %s  p5 %s  p10 %s  p90 %s  p95 %s  p99 %s  p99.9 %s\n",
            NUM("%.6g", f->p01), NUM("%.6g", f->p1), NUM("%.6g", f->p5), NUM("%.6g", f->p10),
            NUM("%.6g", f->p90), NUM("%.6g", f->p95), NUM("%.6g", f->p99), NUM("%.6g", f->p999));
    fprintf(o, "               min %s  max %s\n", NUM("%.9g", f->min), NUM("%.9g", f->max));
    fprintf(o, "KL(new||base)  mean %s  max %s\n", NUM("%.9g", s->rev_mean),
            NUM("%.9g", s->rev_max));
    if (!isnan(s->js_mean))
        fprintf(o, "JS, TV         mean JS %.9g  mean TV %.9g\n", s->js_mean, s->tv_mean);
    fprintf(o, "top token      same in %s of rows (+/- %s)\n", PCT("%.2f", 100.0 * s->agree),
            PCT("%.2f", 100.0 * s->agree_unc));
    fprintf(o, "entropy        base %s  new %s (mean nats)\n", NUM("%.6g", s->hb_mean),
            NUM("%.6g", s->hn_mean));
    if (r->tok.n) {
        fprintf(o, "PPL            new %s +/- %s  base %s +/- %s  cor(ln) %s\n",
                NUM("%.6f", t->new_), NUM("%.6f", t->new_unc), NUM("%.6f", t->base),
                NUM("%.6f", t->base_unc), PCT("%.2f", 100.0 * t->cor_ln));
        fprintf(o, "               ln(new/base) %s +/- %s  new/base %s +/- %s  new-base %s +/- %s\n",
                NUM("%.6f", t->ln_ratio), NUM("%.6f", t->ln_ratio_unc), NUM("%.6f", t->ratio),
                NUM("%.6f", t->ratio_unc), NUM("%.6f", t->diff), NUM("%.6f", t->diff_unc));
        fprintf(o, "delta p        mean %s +/- %s  rms %s +/- %s\n",
                PCT("%.4f", 100.0 * t->dp_mean), PCT("%.4f", 100.0 * t->dp_unc),
                PCT("%.4f", 100.0 * t->dp_rms), PCT("%.4f", 100.0 * t->dp_rms_unc));
        fprintf(o, "               min %s  p1 %s  p10 %s  median %s  p90 %s  p99 %s  max %s\n",
                PCT("%.3f", 100 * d->min), PCT("%.3f", 100 * d->p1), PCT("%.3f", 100 * d->p10),
                PCT("%.3f", 100 * d->median), PCT("%.3f", 100 * d->p90),
                PCT("%.3f", 100 * d->p99), PCT("%.3f", 100 * d->max));
    }
    diag_write_text(o, ds, &r->diag, s->fwd.mean * (double)r->good,
                    info->probs ? NAN : (double)info->temperature);
    write_bad_rows(o, r);
    fprintf(o, "time           %.3f s, %.2f GB/s\n", info->seconds, info->gb_per_s);
}

/* The final statistics of llama-perplexity --kl-divergence, label for label. */
static void write_llama(FILE *o, const results *r, const summary *s, const run_info *info)
{
    const dist_summary *f = &s->fwd, *d = &s->dp;
    const token_stats *t = &s->tok;
    fprintf(o, "kldiv %d.%d.%d: base %s (%s, %zu x %zu %s), new %s (%s, %zu x %zu %s), KL rule %s",
            KLD_VERSION_MAJOR, KLD_VERSION_MINOR, KLD_VERSION_PATCH, info->base.path,
            info->base.kind, info->base.rows, info->base.vocab, info->base.dtype, info->new_.path,
            info->new_.kind, info->new_.rows, info->new_.vocab, info->new_.dtype,
            info->llama_rule ? "llama.cpp's" : "exact");
    if (!info->probs)
        fprintf(o, ", T = %g", (double)info->temperature);
    fprintf(o, ", path %s\n\n", info->isa);
    if (r->tok.n) {
        fprintf(o, "====== Perplexity statistics ======\n");
        const double pairs[][2] = {{t->new_, t->new_unc}, {t->base, t->base_unc}};
        fprintf(o, "Mean PPL(Q)                   : %s ± %s\n", NUMW(10, "%10.6f", pairs[0][0]),
                NUMW(10, "%10.6f", pairs[0][1]));
        fprintf(o, "Mean PPL(base)                : %s ± %s\n", NUMW(10, "%10.6f", pairs[1][0]),
                NUMW(10, "%10.6f", pairs[1][1]));
        fprintf(o, "Cor(ln(PPL(Q)), ln(PPL(base))): %s\n", NUMW(7, "%6.2f%%", 100.0 * t->cor_ln));
        fprintf(o, "Mean ln(PPL(Q)/PPL(base))     : %s ± %s\n", NUMW(10, "%10.6f", t->ln_ratio),
                NUMW(10, "%10.6f", t->ln_ratio_unc));
        fprintf(o, "Mean PPL(Q)/PPL(base)         : %s ± %s\n", NUMW(10, "%10.6f", t->ratio),
                NUMW(10, "%10.6f", t->ratio_unc));
        fprintf(o, "Mean PPL(Q)-PPL(base)         : %s ± %s\n", NUMW(10, "%10.6f", t->diff),
                NUMW(10, "%10.6f", t->diff_unc));
        fprintf(o, "\n");
    }
    fprintf(o, "====== KL divergence statistics ======\n");
    fprintf(o, "Mean    KLD: %s ± %s\n", NUMW(10, "%10.6f", f->mean),
            NUMW(10, "%10.6f", s->fwd_llama_unc));
    static const char *const kld_labels[] = {"Maximum", "99.9%  ", "99.0%  ", "95.0%  ",
                                             "90.0%  ", "Median ", "10.0%  ", " 5.0%  ",
                                             " 1.0%  ", " 0.1%  ", "Minimum"};
    const double kv[] = {f->max, f->p999, f->p99, f->p95, f->p90, f->median,
                         f->p10, f->p5,   f->p1,  f->p01, f->min};
    for (int i = 0; i < 11; i++)
        fprintf(o, "%s KLD: %s\n", kld_labels[i], NUMW(10, "%10.6f", kv[i]));
    fprintf(o, "\n====== Token probability statistics ======\n");
    if (r->tok.n) {
        fprintf(o, "Mean    Δp: %s ± %s %%\n", NUMW(6, "%6.3f", 100.0 * t->dp_mean),
                NUMW(5, "%5.3f", 100.0 * t->dp_unc));
        static const char *const dp_labels[] = {
            "Maximum", "99.9%  ", "99.0%  ", "95.0%  ", "90.0%  ", "75.0%  ", "Median ",
            "25.0%  ", "10.0%  ", " 5.0%  ", " 1.0%  ", " 0.1%  ", "Minimum"};
        const double dv[] = {d->max, d->p999, d->p99, d->p95, d->p90, d->p75, d->median,
                             d->p25, d->p10,  d->p5,  d->p1,  d->p01, d->min};
        for (int i = 0; i < 13; i++)
            fprintf(o, "%s Δp: %s\n", dp_labels[i], NUMW(7, "%6.3f%%", 100.0 * dv[i]));
        fprintf(o, "RMS Δp    : %s ± %s %%\n", NUMW(6, "%6.3f", 100.0 * t->dp_rms),
                NUMW(5, "%5.3f", 100.0 * t->dp_rms_unc));
    }
    fprintf(o, "Same top p: %s ± %s %%\n", NUMW(6, "%6.3f", 100.0 * s->agree),
            NUMW(5, "%5.3f", 100.0 * s->agree_unc));
}

int report_write(FILE *out, results *r, const run_info *info, report_format format)
{
    return report_write_keep(out, r, info, format, NULL);
}

int report_write_keep(FILE *out, results *r, const run_info *info, report_format format,
                      summary *keep)
{
    summary s = report_summary(r);
    if (keep)
        *keep = s;
    diag_summary d;
    if (format != REPORT_LLAMA && diag_of(&r->diag, info->vocab, &d) != 0) {
        fprintf(stderr, "kldiv: out of memory for the breakdowns\n");
        return -1;
    }
    if (format == REPORT_JSON)
        write_json(out, r, &s, info, &d);
    else if (format == REPORT_LLAMA)
        write_llama(out, r, &s, info);
    else
        write_text(out, r, &s, info, &d);
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
