/* runner.c - kldiv's row loop (see runner.h). */
#define _POSIX_C_SOURCE 200809L
#include "runner.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kld.h"

#define CHUNK_BYTES ((size_t)32 << 20) /* per input, per chunk, in its widest form */
#define MAX_THREADS 256

/* One thread's share of a chunk. */
typedef struct {
    npy_dtype type;          /* what the rows are handed to kld as (runner_type) */
    const void *a, *b;       /* the chunk's rows, as that type */
    size_t first, count, vocab;
    const kldiv_options *o;
    row_result *out;         /* the chunk's results, indexed from the chunk's first row */
    kld_logit_stats *scratch;
} job;

static double f32_at(const void *x, size_t i)
{
    return ((const float *)x)[i];
}

static double f64_at(const void *x, size_t i)
{
    return ((const double *)x)[i];
}

static double f16_at(const void *x, size_t i)
{
    return input_half_to_float(((const uint16_t *)x)[i]);
}

/* The first index of each row's largest element, both rows in one pass; always inlined, so that
 * at (a constant at each call) is too. */
static inline __attribute__((always_inline)) void
argmax2(const void *x, const void *y, size_t n, double (*at)(const void *, size_t), size_t *ix,
        size_t *iy)
{
    size_t bx = 0, by = 0;
    for (size_t i = 1; i < n; i++) {
        bx = at(x, i) > at(x, bx) ? i : bx;
        by = at(y, i) > at(y, by) ? i : by;
    }
    *ix = bx, *iy = by;
}

/* A probability row is bad when either side has NaN, an infinity or a negative value (each
 * makes the sum or the entropy non-finite) or, unless accepted, a sum off 1 by more than the
 * tolerance. Two passes: kld_stats and the argmaxes. */
static int prob_row_bad(const kld_stats *s, double tolerance)
{
    return !isfinite(s->sum_p) || !isfinite(s->sum_q) || !isfinite(s->entropy_p) ||
           !isfinite(s->entropy_q) || fabs(s->sum_p - 1) > tolerance ||
           fabs(s->sum_q - 1) > tolerance;
}

static void prob_rows(const job *j)
{
    for (size_t r = j->first; r < j->first + j->count; r++) {
        size_t off = r * j->vocab, n = j->vocab;
        row_result *res = &j->out[r];
        kld_stats s;
        if (j->type == NPY_F64) {
            const double *a = (const double *)j->a + off, *b = (const double *)j->b + off;
            kld_stats_f64(a, b, n, &s);
            argmax2(a, b, n, f64_at, &res->top_base, &res->top_new);
        } else if (j->type == NPY_F16) {
            const uint16_t *a = (const uint16_t *)j->a + off, *b = (const uint16_t *)j->b + off;
            kld_stats_f16(a, b, n, &s);
            argmax2(a, b, n, f16_at, &res->top_base, &res->top_new);
        } else {
            const float *a = (const float *)j->a + off, *b = (const float *)j->b + off;
            kld_stats_f32(a, b, n, &s);
            argmax2(a, b, n, f32_at, &res->top_base, &res->top_new);
        }
        res->bad = prob_row_bad(&s, j->o->sum_tolerance);
        res->forward = s.forward;
        res->reverse = s.reverse;
        res->entropy_base = s.entropy_p;
        res->entropy_new = s.entropy_q;
    }
}

static void logit_rows(const job *j)
{
    kld_logit_stats *s = j->scratch;
    size_t off = j->first * j->vocab, n = j->vocab;
    if (j->type == NPY_F16)
        kld_rows_stats_logits_f16((const uint16_t *)j->a + off, (const uint16_t *)j->b + off,
                                  j->count, n, n, n, j->o->temperature, s);
    else
        kld_rows_stats_logits_f32((const float *)j->a + off, (const float *)j->b + off, j->count,
                                  n, n, n, j->o->temperature, s);
    for (size_t k = 0; k < j->count; k++) {
        row_result *res = &j->out[j->first + k];
        /* NaN or +inf in a row, or a row of all -inf: kld returns NaN for it */
        res->bad = isnan(s[k].kl.forward) || isnan(s[k].kl.reverse);
        res->forward = s[k].kl.forward;
        res->reverse = s[k].kl.reverse;
        res->entropy_base = s[k].kl.entropy_p;
        res->entropy_new = s[k].kl.entropy_q;
        res->top_base = s[k].argmax_a;
        res->top_new = s[k].argmax_b;
    }
}

static void *run_job(void *arg)
{
    const job *j = arg;
    if (j->o->probs)
        prob_rows(j);
    else
        logit_rows(j);
    return NULL;
}

/* The chunk's rows on o->threads threads: slices 1.. on new threads (inline where one cannot
 * start), slice 0 on the calling thread. */
static void run_chunk(job base, size_t rows, int threads)
{
    pthread_t tid[MAX_THREADS];
    job jobs[MAX_THREADS];
    int started[MAX_THREADS] = {0}, n = 0;
    size_t per = (rows + (size_t)threads - 1) / (size_t)threads;
    for (; n < threads && (size_t)n * per < rows; n++) {
        jobs[n] = base;
        jobs[n].first = (size_t)n * per;
        jobs[n].count = rows - jobs[n].first < per ? rows - jobs[n].first : per;
        jobs[n].scratch = base.scratch + jobs[n].first;
    }
    for (int t = 1; t < n; t++)
        started[t] = pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0;
    for (int t = 0; t < n; t++)
        if (!started[t])
            run_job(&jobs[t]);
    for (int t = 1; t < n; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The chunk buffers: raw bytes for conversion, each input's rows as the kernels' type, the
 * results. */
typedef struct {
    void *raw;
    void *rows[2];
    row_result *res;
    kld_logit_stats *scratch;
} buffers;

static void buffers_free(buffers *b)
{
    free(b->raw);
    free(b->rows[0]);
    free(b->rows[1]);
    free(b->res);
    free(b->scratch);
}

static size_t type_size(npy_dtype t)
{
    return t == NPY_F16 ? 2 : t == NPY_F32 ? 4 : 8;
}

/* What the rows go to kld as: float64 probabilities on both sides to the f64 kernels, float16 on
 * both sides to the f16 kernels (in place, no float copy), anything else converted to float. */
static npy_dtype runner_type(const input in[2], int probs)
{
    if (in[0].dtype == in[1].dtype && (in[0].dtype == NPY_F16 || probs))
        return in[0].dtype;
    return NPY_F32;
}

/* Rows per chunk and the buffers for them; -1 after printing why. A chunk's buffers (at most
 * 24 bytes an entry: raw bytes and two rows of doubles, and 152 bytes of results a row) take at
 * most half the memory limit and, for speed, about CHUNK_BYTES per buffer. */
static int buffers_alloc(buffers *b, size_t *chunk, const input in[2], npy_dtype type,
                         uint64_t limit)
{
    *b = (buffers){0};
    /* vocab <= 2^40 (--vocab) or vocab * itemsize < 2^64 (npy.c): this cannot overflow */
    const uint64_t vocab = in[0].vocab, per_row = 24 * vocab + sizeof(row_result) +
                                                  sizeof(kld_logit_stats);
    uint64_t rows = limit / 2 / per_row, fast = CHUNK_BYTES / (8 * vocab);
    rows = fast && fast < rows ? fast : rows;
    if (rows == 0) {
        fprintf(stderr, "kldiv: %s, %s: a row of %llu entries needs %.1f MiB of buffers; kldiv "
                        "holds at most %.1f MiB (--memory-limit), half of it for buffers\n",
                in[0].path, in[1].path, (unsigned long long)vocab,
                (double)per_row / (1 << 20), (double)limit / (1 << 20));
        return -1;
    }
    if (in[0].rows && in[0].rows < rows)
        rows = in[0].rows;
    size_t n = (size_t)vocab;
    *chunk = (size_t)rows;
    int convert = in[0].dtype != type || in[1].dtype != type; /* raw is the conversion's */
    b->raw = convert ? malloc(rows * n * sizeof(double)) : NULL;
    b->res = malloc(rows * sizeof *b->res);
    b->scratch = malloc(rows * sizeof *b->scratch);
    int ok = (b->raw || !convert) && b->res && b->scratch;
    for (int k = 0; k < 2; k++)
        ok &= (b->rows[k] = malloc((size_t)rows * n * type_size(type))) != NULL;
    if (!ok) {
        fprintf(stderr, "kldiv: out of memory for %zu-row chunks of %zu entries\n", rows, n);
        buffers_free(b);
        return -1;
    }
    return 0;
}

/* One input ended before the other: name the shorter. */
static int rows_differ(const input in[2], long long got0, long long got1)
{
    const input *shorter = &in[got0 < got1 ? 0 : 1], *longer = &in[got0 < got1 ? 1 : 0];
    fprintf(stderr, "kldiv: the inputs have different row counts: %s ends after %llu rows, %s "
                    "goes on\n",
            shorter->path, (unsigned long long)shorter->rows_read, longer->path);
    return -1;
}

int run_rows(input in[2], const kldiv_options *o, results *res, uint64_t *rows)
{
    const npy_dtype type = runner_type(in, o->probs);
    buffers b;
    size_t chunk;
    if (buffers_alloc(&b, &chunk, in, type, o->memory_limit) != 0)
        return -1;
    const int show_progress = !o->quiet && isatty(STDERR_FILENO);
    const uint64_t total = in[0].rows; /* 0 when a stream's rows are not known */
    const double start = now();
    int progress_shown = 0, status = -1;
    *rows = 0;
    for (;;) {
        long long got[2];
        for (int k = 0; k < 2; k++)
            if ((got[k] = input_read(&in[k], chunk, b.raw, type, b.rows[k])) < 0)
                goto out;
        if (got[0] != got[1]) {
            rows_differ(in, got[0], got[1]);
            goto out;
        }
        if (got[0] == 0)
            break;
        job base = {type, b.rows[0], b.rows[1], 0, 0, (size_t)in[0].vocab, o, b.res, b.scratch};
        run_chunk(base, (size_t)got[0], o->threads);
        if (results_add(res, b.res, (size_t)got[0]) != 0)
            goto out;
        *rows += (uint64_t)got[0];
        if (show_progress && (progress_shown || now() - start > 1.0)) {
            if (total)
                fprintf(stderr, "\rkldiv: %llu/%llu rows (%.0f%%)", (unsigned long long)*rows,
                        (unsigned long long)total, 100.0 * (double)*rows / (double)total);
            else
                fprintf(stderr, "\rkldiv: %llu rows", (unsigned long long)*rows);
            progress_shown = 1;
        }
    }
    status = 0;
out:
    if (progress_shown)
        fprintf(stderr, "\n");
    buffers_free(&b);
    return status;
}
