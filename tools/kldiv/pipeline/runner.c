/* runner.c - kldiv's row pipeline (see runner.h). */
#define _POSIX_C_SOURCE 200809L
#include "runner.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "plan.h"
#include "prefetch.h"
#include "progress.h"

/* Rows claimed together, scored by one worker, folded in row order. */
typedef struct {
    uint64_t row0;      /* its first row, counted over the whole run */
    size_t rows;
    input_span span[KLDIV_MAX_INPUTS];
    const char *error;  /* a failed claim or read: the message, printed at the block's turn */
} block;

struct pipeline;

typedef struct {
    struct pipeline *p;
    void *buf[KLDIV_MAX_INPUTS]; /* this worker's rows of each input, where copied or read */
    float *scratch;
    FILE *sink;         /* this worker's read errors (input_errors_to), to print in row order */
    char *msg;
    size_t msg_len;
} worker;

typedef struct pipeline {
    input *in;
    int n;              /* inputs: BASE and n - 1 NEW files, each scored against BASE */
    const score_setup *setup; /* n - 1 of each: a NEW's */
    const targets *tg;
    results *res;
    plan plan;
    block *blocks;      /* plan.slots of them: block k in blocks[k % slots] */
    int *done;          /* each slot's block is scored, or failed: under fold_lock */
    row_result *out;    /* plan.block_rows results for each, for each NEW */
    pthread_mutex_t claim_lock;
    uint64_t claimed, claimed_rows; /* blocks and rows claimed */
    atomic_int stop;    /* no more claims: the data ended, or something failed */
    pthread_mutex_t fold_lock;
    pthread_cond_t slot_free;
    uint64_t folded, rows_folded;   /* blocks and rows folded into res */
    int folding;        /* a worker is folding */
    atomic_int failed;  /* a block failed to fold, or held an error: the run fails */
    prefetch ahead;
    progress prog;
} pipeline;

/* The message of this worker's failed read (or "" if it went to stderr). */
static const char *take_error(worker *w)
{
    if (!w->sink)
        return "";
    fflush(w->sink);
    return w->msg ? w->msg : "";
}

/* Waits until block k's slot is free (block k - slots is folded); 0 when the run has failed. */
static int slot_for(pipeline *p, uint64_t k)
{
    pthread_mutex_lock(&p->fold_lock);
    while (k - p->folded >= p->plan.slots && !atomic_load(&p->failed))
        pthread_cond_wait(&p->slot_free, &p->fold_lock);
    pthread_mutex_unlock(&p->fold_lock);
    return !atomic_load(&p->failed);
}

/* Claims b's rows from every input, in row order; under claim_lock. Sets b->rows (0 at the end
 * of the data) or b->error. */
static void claim(pipeline *p, worker *w, block *b)
{
    input *in = p->in;
    uint64_t want = p->plan.block_rows;
    for (int k = 0; k < p->n; k++) {
        uint64_t run = input_run_length(&in[k]);
        want = run < want ? run : want;
    }
    long long got[KLDIV_MAX_INPUTS] = {0};
    for (int k = 0; k < p->n; k++)
        if ((got[k] = input_claim(&in[k], (size_t)want, w->buf[k], &b->span[k])) < 0) {
            b->error = take_error(w);
            return;
        }
    for (int k = 1; k < p->n; k++)
        if (got[0] != got[k]) { /* one input ended before the other: name the shorter */
            const int s = got[0] < got[k] ? 0 : k;
            const input *shorter = &in[s], *longer = &in[s ? 0 : k];
            fprintf(w->sink ? w->sink : stderr, "kldiv: the inputs have different row counts: "
                                                "%s ends after %llu rows, %s goes on\n",
                    shorter->path, (unsigned long long)shorter->rows_read, longer->path);
            b->error = take_error(w);
            return;
        }
    b->rows = (size_t)got[0];
}

/* The results of NEW m (1 ..) for the block in slot. */
static row_result *results_of(const pipeline *p, size_t slot, int m)
{
    return p->out + ((size_t)(m - 1) * p->plan.slots + slot) * p->plan.block_rows;
}

/* Block b (number k): its rows read where they are not yet, and each NEW's scored against
 * BASE's (read once) into its results. */
static void score_block(pipeline *p, worker *w, block *b, uint64_t k)
{
    const unsigned char *rows[KLDIV_MAX_INPUTS];
    for (int k2 = 0; k2 < p->n; k2++)
        prefetch_wait(&p->ahead, k2, b->span[k2].offset + b->span[k2].bytes);
    for (int k2 = 0; k2 < p->n; k2++)
        if (!(rows[k2] = input_fetch(&p->in[k2], &b->span[k2], w->buf[k2]))) {
            b->error = take_error(w);
            atomic_store(&p->stop, 1);
            return;
        }
    const size_t bytes0 = (size_t)p->in[0].row_bytes, slot = (size_t)(k % p->plan.slots);
    /* row by row, every NEW's in turn: BASE's row is still in cache for the next NEW */
    for (size_t r = 0; r < b->rows && !atomic_load_explicit(&p->failed, memory_order_relaxed); r++)
        for (int m = 1; m < p->n; m++)
            score_row(&p->setup[m - 1], rows[0] + r * bytes0,
                      rows[m] + r * (size_t)p->in[m].row_bytes,
                      targets_at(&p->tg[m - 1], b->row0 + r), w->scratch,
                      &results_of(p, slot, m)[r]);
}

/* Folds block b (the next in row order, in slot) into each NEW's results: 0, or -1 when the run
 * fails here. */
static int fold(pipeline *p, const block *b, size_t slot)
{
    if (b->error) {
        fputs(b->error, stderr);
        return -1;
    }
    for (int m = 1; m < p->n; m++)
        if (results_add(&p->res[m - 1], results_of(p, slot, m), b->rows) != 0)
            return -1;
    p->rows_folded += b->rows;
    for (int k = 0; k < p->n; k++)
        input_release(&p->in[k], b->span[k].offset + b->span[k].bytes, p->plan.window);
    progress_update(&p->prog, p->rows_folded);
    return 0;
}

/* Block k is scored (or failed). The worker that completes the next block in row order folds it
 * and every completed one after it; the others go on claiming. */
static void finish(pipeline *p, uint64_t k)
{
    pthread_mutex_lock(&p->fold_lock);
    p->done[k % p->plan.slots] = 1;
    if (p->folding) {
        pthread_mutex_unlock(&p->fold_lock);
        return;
    }
    p->folding = 1;
    while (!atomic_load(&p->failed) && p->done[p->folded % p->plan.slots]) {
        const size_t slot = (size_t)(p->folded % p->plan.slots);
        pthread_mutex_unlock(&p->fold_lock);
        int rc = fold(p, &p->blocks[slot], slot);
        pthread_mutex_lock(&p->fold_lock);
        p->done[slot] = 0;
        p->folded++;
        if (rc != 0) {
            atomic_store(&p->failed, 1);
            atomic_store(&p->stop, 1);
        }
        pthread_cond_broadcast(&p->slot_free);
    }
    p->folding = 0;
    pthread_mutex_unlock(&p->fold_lock);
}

static void *work(void *arg)
{
    worker *w = arg;
    pipeline *p = w->p;
    input_errors_to(w->sink);
    for (;;) {
        pthread_mutex_lock(&p->claim_lock);
        const uint64_t k = p->claimed;
        if (atomic_load(&p->stop) || !slot_for(p, k)) {
            pthread_mutex_unlock(&p->claim_lock);
            break;
        }
        block *b = &p->blocks[k % p->plan.slots];
        *b = (block){.row0 = p->claimed_rows};
        claim(p, w, b);
        const int failed = b->error != NULL;
        if (b->rows == 0 || failed)
            atomic_store(&p->stop, 1);
        if (b->rows == 0 && !failed) { /* the end of the data */
            pthread_mutex_unlock(&p->claim_lock);
            break;
        }
        p->claimed++, p->claimed_rows += b->rows;
        for (int i = 0; i < p->n && !failed; i++)
            prefetch_claimed(&p->ahead, i, b->span[i].offset + b->span[i].bytes);
        pthread_mutex_unlock(&p->claim_lock);
        if (!failed)
            score_block(p, w, b, k);
        const int stop = b->error != NULL; /* b is the folder's once finished */
        finish(p, k);
        if (stop)
            break;
    }
    input_errors_to(NULL);
    return NULL;
}

/* The blocks, their results and the workers' buffers; -1 after printing why. */
static int alloc_all(pipeline *p, worker *w, size_t scratch_floats)
{
    const plan *pl = &p->plan;
    p->blocks = calloc(pl->slots, sizeof *p->blocks);
    p->done = calloc(pl->slots, sizeof *p->done);
    p->out = malloc((size_t)(p->n - 1) * pl->slots * pl->block_rows * sizeof *p->out);
    int ok = p->blocks && p->done && p->out;
    for (int t = 0; t < pl->threads; t++) {
        w[t] = (worker){.p = p};
        for (int k = 0; k < p->n && ok; k++) /* page-aligned: pread copies whole pages */
            ok = !pl->buf_bytes[k] ||
                 posix_memalign(&w[t].buf[k], 4096, pl->buf_bytes[k]) == 0;
        if (ok && scratch_floats)
            ok = (w[t].scratch = malloc(scratch_floats * sizeof(float))) != NULL;
        w[t].sink = open_memstream(&w[t].msg, &w[t].msg_len); /* NULL: messages go to stderr */
    }
    if (!ok)
        fprintf(stderr, "kldiv: out of memory for %zu-row blocks\n", pl->block_rows);
    return ok ? 0 : -1;
}

static void free_all(pipeline *p, worker *w)
{
    for (int t = 0; t < p->plan.threads; t++) {
        for (int k = 0; k < p->n; k++)
            free(w[t].buf[k]);
        free(w[t].scratch);
        if (w[t].sink)
            fclose(w[t].sink);
        free(w[t].msg);
    }
    free(p->blocks);
    free(p->done);
    free(p->out);
}

int run_rows(input *in, int n, const kldiv_options *o, const score_setup *setup,
             const targets *tg, results *res, uint64_t *rows)
{
    size_t scratch_floats = 0;
    for (int m = 0; m < n - 1; m++) {
        const size_t f = score_scratch_floats(&setup[m]);
        scratch_floats = f > scratch_floats ? f : scratch_floats;
    }
    pipeline p = {.in = in, .n = n, .setup = setup, .tg = tg, .res = res};
    *rows = 0;
    if (plan_make(&p.plan, in, n, o, scratch_floats) != 0)
        return -1;
    for (int k = 0; k < n; k++)
        if (input_start(&in[k], p.plan.use_pread) != 0)
            return -1;
    worker *w = calloc((size_t)p.plan.threads, sizeof *w);
    pthread_t *tid = calloc((size_t)p.plan.threads, sizeof *tid);
    int *started = calloc((size_t)p.plan.threads, sizeof *started);
    int status = -1;
    if (!w || !tid || !started) {
        fprintf(stderr, "kldiv: out of memory for %d threads\n", p.plan.threads);
        goto out;
    }
    if (alloc_all(&p, w, scratch_floats) != 0)
        goto out;
    pthread_mutex_init(&p.claim_lock, NULL);
    pthread_mutex_init(&p.fold_lock, NULL);
    pthread_cond_init(&p.slot_free, NULL);
    uint64_t row_bytes = 0;
    for (int k = 0; k < n; k++)
        row_bytes += in[k].row_bytes;
    progress_start(&p.prog, !o->quiet && isatty(STDERR_FILENO), row_bytes, in[0].rows);
    prefetch_start(&p.ahead, in, n, p.plan.ahead);
    for (int t = 1; t < p.plan.threads; t++) /* none where one cannot start: fewer workers */
        started[t] = pthread_create(&tid[t], NULL, work, &w[t]) == 0;
    work(&w[0]);
    for (int t = 1; t < p.plan.threads; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
    prefetch_stop(&p.ahead);
    progress_end(&p.prog);
    pthread_cond_destroy(&p.slot_free);
    pthread_mutex_destroy(&p.fold_lock);
    pthread_mutex_destroy(&p.claim_lock);
    *rows = p.rows_folded;
    status = atomic_load(&p.failed) ? -1 : 0;
out:
    if (w)
        free_all(&p, w);
    free(w);
    free(tid);
    free(started);
    return status;
}
