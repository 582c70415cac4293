/* run_summary.c - kldiv's summary of a run's good rows and its JSON keys (see run_summary.h). */
#include "run_summary.h"

#include <math.h>
#include <string.h>

void summary_add(summary_sums *s, const summary_row *x, double *fwd, double *dp)
{
    fwd[s->good++] = x->forward;
    s->rev_sum += x->reverse;
    s->rev_max = s->good == 1 || x->reverse > s->rev_max ? x->reverse : s->rev_max;
    s->hb_sum += x->entropy_base;
    s->hn_sum += x->entropy_new;
    s->agree += x->top_base == x->top_new;
    if (!isnan(x->js)) {
        s->js_sum += x->js, s->tv_sum += x->tv;
        s->n_js++;
    }
    if (isnan(x->delta_p))
        return;
    tok_sums *t = &s->tok;
    const double d2 = x->delta_p * x->delta_p;
    dp[t->n++] = x->delta_p;
    t->nll += x->nll_new, t->nll2 += x->nll_new * x->nll_new;
    t->nll_base += x->nll_base, t->nll_base2 += x->nll_base * x->nll_base;
    t->nll_nll_base += x->nll_new * x->nll_base;
    t->dp += x->delta_p, t->dp2 += d2, t->dp4 += d2 * d2;
}

static void nan_dist(dist_summary *d)
{
    double *v = &d->mean;
    for (size_t i = 0; i < sizeof *d / sizeof(double); i++)
        v[i] = NAN;
}

void summary_of(const summary_sums *s, double *fwd, double *dp, summary *out)
{
    nan_dist(&out->fwd);
    nan_dist(&out->dp);
    out->fwd_llama_unc = out->rev_mean = out->rev_max = out->hb_mean = out->hn_mean = out->agree =
        out->agree_unc = out->js_mean = out->tv_mean = NAN;
    out->tok = token_stats_of(&s->tok);
    if (s->tok.n)
        summarise(dp, s->tok.n, &out->dp);
    if (!s->good)
        return;
    double n = (double)s->good, sum = 0, sum2 = 0, mean;
    for (size_t i = 0; i < s->good; i++)
        sum += fwd[i], sum2 += fwd[i] * fwd[i];
    mean_and_unc(sum, sum2, s->good, &mean, &out->fwd_llama_unc);
    summarise(fwd, s->good, &out->fwd);
    out->rev_mean = s->rev_sum / n;
    out->rev_max = s->rev_max;
    out->hb_mean = s->hb_sum / n;
    out->hn_mean = s->hn_sum / n;
    out->agree = (double)s->agree / n;
    out->agree_unc = s->good > 1 ? sqrt(out->agree * (1 - out->agree) / (n - 1)) : NAN;
    if (s->n_js == s->good) {
        out->js_mean = s->js_sum / n;
        out->tv_mean = s->tv_sum / n;
    }
}

#define AT(group, key, member) {group, key, offsetof(summary, member)}
const summary_key summary_keys[] = {
    AT("forward", "mean", fwd.mean), AT("forward", "stderr", fwd.stderr_mean),
    AT("forward", "median", fwd.median), AT("forward", "p01", fwd.p01),
    AT("forward", "p1", fwd.p1), AT("forward", "p5", fwd.p5), AT("forward", "p10", fwd.p10),
    AT("forward", "p90", fwd.p90), AT("forward", "p95", fwd.p95), AT("forward", "p99", fwd.p99),
    AT("forward", "p999", fwd.p999), AT("forward", "min", fwd.min), AT("forward", "max", fwd.max),
    AT("reverse", "mean", rev_mean), AT("reverse", "max", rev_max),
    AT(NULL, "top_agreement", agree),
    AT(NULL, "entropy_base_mean", hb_mean), AT(NULL, "entropy_new_mean", hn_mean),
    AT(NULL, "js_mean", js_mean), AT(NULL, "tv_mean", tv_mean),
    AT("same_top", "fraction", agree), AT("same_top", "stderr", agree_unc),
    AT("ppl", "new", tok.new_), AT("ppl", "new_unc", tok.new_unc), AT("ppl", "base", tok.base),
    AT("ppl", "base_unc", tok.base_unc), AT("ppl", "cor_ln", tok.cor_ln),
    AT("ppl", "ln_ratio", tok.ln_ratio), AT("ppl", "ln_ratio_unc", tok.ln_ratio_unc),
    AT("ppl", "ratio", tok.ratio), AT("ppl", "ratio_unc", tok.ratio_unc),
    AT("ppl", "diff", tok.diff), AT("ppl", "diff_unc", tok.diff_unc),
    AT("delta_p", "mean", tok.dp_mean), AT("delta_p", "stderr", tok.dp_unc),
    AT("delta_p", "rms", tok.dp_rms), AT("delta_p", "rms_unc", tok.dp_rms_unc),
    AT("delta_p", "max", dp.max), AT("delta_p", "p999", dp.p999), AT("delta_p", "p99", dp.p99),
    AT("delta_p", "p95", dp.p95), AT("delta_p", "p90", dp.p90), AT("delta_p", "p75", dp.p75),
    AT("delta_p", "median", dp.median), AT("delta_p", "p25", dp.p25),
    AT("delta_p", "p10", dp.p10), AT("delta_p", "p5", dp.p5), AT("delta_p", "p1", dp.p1),
    AT("delta_p", "p01", dp.p01), AT("delta_p", "min", dp.min),
};
const size_t summary_key_count = sizeof summary_keys / sizeof *summary_keys;

double summary_value(const summary *s, const summary_key *k)
{
    double v;
    memcpy(&v, (const char *)s + k->offset, sizeof v);
    return v;
}
