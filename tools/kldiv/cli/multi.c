/* multi.c - kldiv BASE NEW1 NEW2 ... (see cli_parts.h): every NEW paired with BASE as a single
 * NEW is, then one run of the pipeline over all of them that reads BASE's rows once, each NEW's
 * report in turn, and the table comparing them. */
#define _POSIX_C_SOURCE 200809L
#include "cli_parts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "compare.h"
#include "kld.h"
#include "pairing.h"
#include "positions.h"
#include "runner.h"
#include "targets.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The state of one run of several NEW files. */
typedef struct {
    input in[KLDIV_MAX_INPUTS];
    score_setup setup[KLDIV_MAX_NEW];
    targets tg[KLDIV_MAX_NEW];
    positions pos[KLDIV_MAX_NEW];
    results res[KLDIV_MAX_NEW];
    run_info info[KLDIV_MAX_NEW];
    summary sum[KLDIV_MAX_NEW];
    char names[KLDIV_MAX_NEW][512];
    char dtype[KLDIV_MAX_NEW][32];
} multi;

/* NEW k (1 ..) paired with BASE as kldiv_main pairs one NEW: its setup, targets, positions and
 * results. 0, or the exit status of a failure (printed). */
static int pair_new(multi *m, const kldiv_options *o, int k)
{
    input *base = &m->in[0], *nw = &m->in[k];
    if (nw->format == INPUT_LLAMA && base->format != INPUT_LLAMA) {
        fprintf(stderr, "kldiv: %s: a _logits_ NEW among several needs a _logits_ BASE (its "
                        "scored positions would select BASE's rows for it alone)\n", nw->path);
        return 1;
    }
    input pair[2] = {*base, *nw};
    if (input_key_unused(pair) != 0)
        return 1;
    targets *tg = &m->tg[k - 1];
    int rc = pair_inputs(pair, o, &m->setup[k - 1], tg);
    *nw = pair[1]; /* its row selection; BASE is not changed with a _logits_ BASE or none */
    if (tg->llama) /* into the inputs kept, not the pair's copies */
        tg->llama = tg->llama == &pair[0].llama ? &base->llama : &nw->llama;
    if (rc != 0)
        return rc;
    snprintf(m->names[k - 1], sizeof m->names[k - 1], "%s, %s", base->path, nw->path);
    if (positions_of(&m->pos[k - 1], pair, tg, o->context) != 0)
        return 1;
    results *r = &m->res[k - 1];
    *r = (results){.limit = o->memory_limit / 2 / (uint64_t)o->n_new,
                   .inputs = m->names[k - 1],
                   .refuse_probs_like = !o->probs && !o->logits,
                   .probs_like_side = -1};
    r->pos = m->pos[k - 1].period || m->pos[k - 1].lengths ? &m->pos[k - 1] : NULL;
    return results_reserve(r, base->rows ? base->rows : nw->rows, tg->llama || tg->ids) ? 1 : 0;
}

/* No standard stream writes over an input. */
static int guard_streams(const multi *m, int n)
{
    out_guard reads[KLDIV_MAX_INPUTS];
    for (int k = 0; k < n; k++)
        reads[k] = (out_guard){m->in[k].dev, m->in[k].ino, k ? "NEW" : "BASE", m->in[k].path};
    return cli_check_std_streams(reads, (size_t)n);
}

static int report_all(multi *m, const kldiv_options *o, uint64_t rows, double seconds)
{
    const int json = o->format == REPORT_JSON;
    uint64_t all_bytes = 0;
    for (int k = 0; k <= o->n_new; k++)
        all_bytes += m->in[k].row_bytes;
    if (json)
        fputs("{\"reports\": [", stdout);
    for (int k = 1; k <= o->n_new; k++) {
        const input *base = &m->in[0], *nw = &m->in[k];
        snprintf(m->dtype[k - 1], sizeof m->dtype[k - 1], "%s%s%s", input_dtype_name(base->dtype),
                 base->dtype == nw->dtype ? "" : "/",
                 base->dtype == nw->dtype ? "" : input_dtype_name(nw->dtype));
        m->info[k - 1] = (run_info){.base = cli_describe(base),
                                    .new_ = cli_describe(nw),
                                    .rows = (size_t)rows,
                                    .vocab = m->setup[k - 1].n,
                                    .vocab_base = (size_t)base->vocab,
                                    .vocab_new = (size_t)nw->vocab,
                                    .dtype = m->dtype[k - 1],
                                    .isa = kld_isa_name(kld_isa_active()),
                                    .probs = o->probs,
                                    .llama_rule = m->setup[k - 1].llama_rule,
                                    .temperature = o->temperature,
                                    .seconds = seconds, /* the one run's, for every NEW */
                                    .gb_per_s = (double)rows * (double)all_bytes / seconds / 1e9};
        if (k > 1)
            fputs(json ? ", " : "\n", stdout);
        if (report_write_keep(stdout, &m->res[k - 1], &m->info[k - 1], o->format,
                              &m->sum[k - 1]) != 0)
            return -1;
    }
    if (json)
        fputs("], ", stdout);
    compare_write(stdout, m->sum, m->info, o->n_new, json);
    if (json)
        fputs("}\n", stdout);
    return fflush(stdout) != 0 || ferror(stdout) ? -1 : 0;
}

int kldiv_multi(const kldiv_options *o)
{
    multi *m = calloc(1, sizeof *m);
    if (!m) {
        fprintf(stderr, "kldiv: out of memory\n");
        return 1;
    }
    const int n = 1 + o->n_new;
    char names[256];
    snprintf(names, sizeof names, "%s and %d NEW files", o->base, o->n_new);
    struct sigaction saved_bus;
    cli_guard_maps(names, &saved_bus);
    int status = 1, opened = 0;
    uint64_t rows = 0;
    for (; opened < n; opened++)
        if (input_open(&m->in[opened], opened ? o->news[opened - 1] : o->base, o->vocab,
                       o->key) != 0)
            goto out;
    for (int k = 1; k < n; k++)
        if ((status = pair_new(m, o, k)) != 0)
            goto out;
    status = 1;
    if (guard_streams(m, n) != 0)
        goto out;
    const double start = now();
    if (run_rows(m->in, n, o, m->setup, m->tg, m->res, &rows) != 0) {
        for (int k = 0; k < o->n_new; k++)
            if (m->res[k].probs_like_side >= 0)
                fprintf(stderr, "kldiv: %s: row %llu looks like probabilities, not logits "
                                "(every value in [0, 1], summing to 1): add --probs (or --logits "
                                "if they are logits)\n",
                        m->in[m->res[k].probs_like_side ? k + 1 : 0].path,
                        (unsigned long long)m->res[k].probs_like_row);
        goto out;
    }
    if (rows == 0) {
        fprintf(stderr, "kldiv: %s: no rows to compare\n", names);
        goto out;
    }
    if (report_all(m, o, rows, now() - start) != 0) {
        fprintf(stderr, "kldiv: writing the report failed\n");
        goto out;
    }
    status = 0;
    for (int k = 0; k < o->n_new; k++)
        if (m->res[k].good == 0) {
            fprintf(stderr, "kldiv: %s: every row is bad (%llu rows): no statistics\n",
                    m->names[k], (unsigned long long)rows);
            status = 1;
        }
out:
    for (int k = 0; k < opened; k++)
        input_close(&m->in[k]);
    for (int k = 0; k < o->n_new; k++) {
        results_free(&m->res[k]);
        targets_free(&m->tg[k]);
        positions_free(&m->pos[k]);
    }
    sigaction(SIGBUS, &saved_bus, NULL);
    free(m);
    return status;
}
