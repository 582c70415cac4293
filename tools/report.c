/* report.c - kldiv's summary as text or JSON (see report.h). */
#include "report.h"

#include <math.h>

#include "kld.h"
#include "summary.h"

/* The means and the distribution of the forward KL over the good rows; NaN without any. */
typedef struct {
    dist_summary fwd;
    double rev_mean, rev_max, hb_mean, hn_mean, agree;
} summary;

static summary summarise_results(results *r)
{
    summary s = {.fwd = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN},
                 NAN, NAN, NAN, NAN, NAN};
    if (!r->good)
        return s;
    double n = (double)r->good;
    summarise(r->fwd, r->good, &s.fwd);
    s.rev_mean = r->rev_sum / n;
    s.rev_max = r->rev_max;
    s.hb_mean = r->hb_sum / n;
    s.hn_mean = r->hn_sum / n;
    s.agree = (double)r->agree / n;
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

static void write_json(FILE *o, const results *r, const summary *s, const run_info *info)
{
    const dist_summary *f = &s->fwd;
    fprintf(o, "{\"rows\": %zu, \"vocab\": %zu, \"dtype\": \"%s\", \"isa\": \"%s\", \"forward\": {",
            info->rows, info->vocab, info->dtype, info->isa);
    json_num(o, "mean", f->mean, ", ");
    json_num(o, "stderr", f->stderr_mean, ", ");
    json_num(o, "median", f->median, ", ");
    json_num(o, "p1", f->p1, ", ");
    json_num(o, "p5", f->p5, ", ");
    json_num(o, "p10", f->p10, ", ");
    json_num(o, "p90", f->p90, ", ");
    json_num(o, "p95", f->p95, ", ");
    json_num(o, "p99", f->p99, ", ");
    json_num(o, "p999", f->p999, ", ");
    json_num(o, "min", f->min, ", ");
    json_num(o, "max", f->max, "}, \"reverse\": {");
    json_num(o, "mean", s->rev_mean, ", ");
    json_num(o, "max", s->rev_max, "}, ");
    json_num(o, "top_agreement", s->agree, ", ");
    json_num(o, "entropy_base_mean", s->hb_mean, ", ");
    json_num(o, "entropy_new_mean", s->hn_mean, ", \"bad_rows\": [");
    for (size_t i = 0; i < r->n_bad; i++)
        fprintf(o, "%s%llu", i ? ", " : "", (unsigned long long)r->bad[i]);
    fprintf(o, "], ");
    json_num(o, "seconds", info->seconds, ", ");
    json_num(o, "gb_per_s", info->gb_per_s, "}\n");
}

static void write_text(FILE *o, const results *r, const summary *s, const run_info *info)
{
    const dist_summary *f = &s->fwd;
    fprintf(o, "kldiv %d.%d.%d: %zu rows x %zu vocab, %s %s", KLD_VERSION_MAJOR,
            KLD_VERSION_MINOR, KLD_VERSION_PATCH, info->rows, info->vocab, info->dtype,
            info->probs ? "probabilities" : "logits");
    if (!info->probs)
        fprintf(o, ", T = %g", (double)info->temperature);
    fprintf(o, ", path %s\n", info->isa);
    fprintf(o, "KL(base||new)  mean %.9g +/- %.3g (stderr), median %.9g\n", f->mean,
            f->stderr_mean, f->median);
    fprintf(o, "               p1 %.6g  p5 %.6g  p10 %.6g  p90 %.6g  p95 %.6g  p99 %.6g  "
               "p99.9 %.6g\n",
            f->p1, f->p5, f->p10, f->p90, f->p95, f->p99, f->p999);
    fprintf(o, "               min %.9g  max %.9g\n", f->min, f->max);
    fprintf(o, "KL(new||base)  mean %.9g  max %.9g\n", s->rev_mean, s->rev_max);
    fprintf(o, "top token      same in %.2f%% of rows\n", 100.0 * s->agree);
    fprintf(o, "entropy        base %.6g  new %.6g (mean nats)\n", s->hb_mean, s->hn_mean);
    fprintf(o, "bad rows       %zu", r->n_bad);
    for (size_t i = 0; i < r->n_bad && i < 20; i++)
        fprintf(o, "%s%llu", i ? ", " : " (", (unsigned long long)r->bad[i]);
    fprintf(o, "%s\n", r->n_bad > 20 ? ", ...)" : r->n_bad ? ")" : "");
    fprintf(o, "time           %.3f s, %.2f GB/s\n", info->seconds, info->gb_per_s);
}

int report_write(FILE *out, results *r, const run_info *info, int json)
{
    summary s = summarise_results(r);
    if (json)
        write_json(out, r, &s, info);
    else
        write_text(out, r, &s, info);
    return fflush(out) != 0 || ferror(out) ? -1 : 0;
}
