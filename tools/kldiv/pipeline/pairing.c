/* pairing.c - how kldiv pairs BASE with NEW (see pairing.h). */
#include "pairing.h"

#include <string.h>

static int data_error(const input in[2], const char *what)
{
    fprintf(stderr, "kldiv: %s, %s: %s\n", in[0].path, in[1].path, what);
    return 1;
}

/* Two _logits_ files: the same text, scored the same way. */
static int same_text(const input in[2])
{
    const llama_header *a = &in[0].llama, *b = &in[1].llama;
    char msg[256];
    if (a->n_ctx != b->n_ctx || a->n_chunk != b->n_chunk) {
        int ctx = a->n_ctx != b->n_ctx;
        snprintf(msg, sizeof msg, "the _logits_ files score different texts: %s %d vs %d",
                 ctx ? "n_ctx" : "n_chunk", ctx ? a->n_ctx : a->n_chunk,
                 ctx ? b->n_ctx : b->n_chunk);
        return data_error(in, msg);
    }
    uint64_t n = (uint64_t)a->n_ctx * (uint64_t)a->n_chunk;
    for (uint64_t i = 0; i < n; i++)
        if (llama_token(a, i) != llama_token(b, i)) {
            snprintf(msg, sizeof msg, "the _logits_ files score different texts: token %llu "
                                      "(byte %llu) is %d vs %d",
                     (unsigned long long)i, (unsigned long long)(20 + 4 * i),
                     llama_token(a, i), llama_token(b, i));
            return data_error(in, msg);
        } else if ((i + 1) % LLAMA_TOKENS_A_WINDOW == 0) {
            llama_tokens_done(a, i + 1 - LLAMA_TOKENS_A_WINDOW, i + 1);
            llama_tokens_done(b, i + 1 - LLAMA_TOKENS_A_WINDOW, i + 1);
        }
    return 0;
}

/* A _logits_ file l and another input x: x holds the scored rows, or every position. */
static int scored_rows(input *l, input *x)
{
    const llama_header *h = &l->llama;
    const uint64_t all = (uint64_t)h->n_ctx * (uint64_t)h->n_chunk;
    if (x->rows == h->rows || x->rows == 0) /* 0: a raw stream, checked as it ends */
        return 0;
    if (x->rows == all)
        return input_select(x, (uint64_t)h->n_ctx, (uint64_t)h->n_ctx / 2, h->rows_per_chunk)
                   ? 1 : 0;
    fprintf(stderr, "kldiv: %s has %llu rows; %s scores %llu positions (%d chunks x %llu) of "
                    "%llu: the other input must hold either the scored rows or all positions\n",
            x->path, (unsigned long long)x->rows, l->path, (unsigned long long)h->rows,
            h->n_chunk, (unsigned long long)h->rows_per_chunk, (unsigned long long)all);
    return 1;
}

/* Every target of the run below n (with --common-vocab, a _logits_ target may not be): the
 * reader knows its largest target from opening the file, and scans (in bounded memory) only to
 * name the first one that is not. */
static int targets_below(const input in[2], const targets *tg, uint64_t n)
{
    int64_t r = llama_first_target_from(tg->llama, (int64_t)n);
    if (r >= 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "row %llu's target token %lld is outside the common "
                                  "vocabulary of %llu tokens",
                 (unsigned long long)r, (long long)targets_at(tg, (uint64_t)r),
                 (unsigned long long)n);
        return data_error(in, msg);
    }
    return 0;
}

int pair_inputs(input in[2], const kldiv_options *o, score_setup *setup, targets *tg)
{
    const int llama[2] = {in[0].format == INPUT_LLAMA, in[1].format == INPUT_LLAMA};
    char msg[256];
    *tg = (targets){0};
    if ((llama[0] || llama[1]) && o->probs)
        return data_error(in, "a _logits_ file holds log-probabilities: drop --probs");
    if (llama[0] && !o->exact && o->temperature_given) {
        fprintf(stderr, "kldiv: --temperature does not apply to llama.cpp's KL rule (add "
                        "--exact)\n");
        return 2;
    }
    int rc = llama[0] && llama[1] ? same_text(in)
             : llama[0]           ? scored_rows(&in[0], &in[1])
             : llama[1]           ? scored_rows(&in[1], &in[0])
                                  : 0;
    if (rc)
        return rc;
    if (in[0].vocab != in[1].vocab && !o->common_vocab) {
        snprintf(msg, sizeof msg, "vocab sizes differ: %llu vs %llu (--common-vocab compares "
                                  "the first %llu tokens)",
                 (unsigned long long)in[0].vocab, (unsigned long long)in[1].vocab,
                 (unsigned long long)(in[0].vocab < in[1].vocab ? in[0].vocab : in[1].vocab));
        return data_error(in, msg);
    }
    if (in[0].rows && in[1].rows && in[0].rows != in[1].rows) {
        fprintf(stderr, "kldiv: shapes differ: %s is %llu x %llu, %s is %llu x %llu\n",
                in[0].path, (unsigned long long)in[0].rows, (unsigned long long)in[0].vocab,
                in[1].path, (unsigned long long)in[1].rows, (unsigned long long)in[1].vocab);
        return 1;
    }
    const uint64_t n = in[0].vocab < in[1].vocab ? in[0].vocab : in[1].vocab;
    const uint64_t rows = in[0].rows ? in[0].rows : in[1].rows;
    if (o->targets) {
        if (!rows)
            return data_error(in, "--targets needs inputs whose row count is known up front");
        if (targets_load(tg, o->targets, rows, n, o->memory_limit / 2) != 0)
            return 1;
    } else if (llama[0] || llama[1]) {
        tg->llama = &in[llama[0] ? 0 : 1].llama;
        if (n < in[llama[0] ? 0 : 1].vocab && targets_below(in, tg, n) != 0)
            return 1;
    }
    *setup = (score_setup){.type = {in[0].dtype, in[1].dtype},
                           .n = (size_t)n,
                           .probs = o->probs,
                           .js_tv = o->js_tv,
                           .llama_rule = llama[0] && !o->exact,
                           .temperature = o->temperature,
                           .sum_tolerance = o->sum_tolerance,
                           .vocab = {(size_t)in[0].vocab, (size_t)in[1].vocab},
                           .renormalise = o->probs && (n < in[0].vocab || n < in[1].vocab)};
    score_choose_kernel(setup);
    return 0;
}
