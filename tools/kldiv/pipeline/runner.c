/* runner.c - kldiv's row loop (see runner.h). */
#define _POSIX_C_SOURCE 200809L
#include "runner.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_BYTES ((size_t)32 << 20) /* per input, per run of rows */
#define MAX_THREADS 256

/* A run of rows and its worker threads, which take its rows one at a time: a thread that gets
 * faster rows takes more of them, so no thread waits long at the end of the run. */
typedef struct {
    const score_setup *setup;
    const unsigned char *a, *b; /* the run's rows, in each input's own type */
    size_t row_bytes_a, row_bytes_b;
    size_t rows;
    atomic_size_t next;         /* the next row to take, from the run's first */
    uint64_t row0;              /* the run's first row over the whole input */
    const targets *tg;
    row_result *out;            /* the run's results */
} row_run;

typedef struct {
    row_run *job;
    float *scratch;             /* this thread's */
} worker;

static void *work(void *arg)
{
    const worker *w = arg;
    row_run *j = w->job;
    for (size_t r; (r = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < j->rows;)
        score_row(j->setup, j->a + r * j->row_bytes_a, j->b + r * j->row_bytes_b,
                  targets_at(j->tg, j->row0 + r), w->scratch, &j->out[r]);
    return NULL;
}

/* The run's rows on threads threads: workers 1.. on new threads (none where one cannot start),
 * worker 0 on the calling thread. */
static void run_chunk(row_run *j, int threads, float *scratch, size_t scratch_floats)
{
    pthread_t tid[MAX_THREADS];
    worker w[MAX_THREADS];
    int started[MAX_THREADS] = {0}, n = (size_t)threads < j->rows ? threads : (int)j->rows;
    for (int t = 0; t < n; t++)
        w[t] = (worker){j, scratch_floats ? scratch + (size_t)t * scratch_floats : NULL};
    for (int t = 1; t < n; t++)
        started[t] = pthread_create(&tid[t], NULL, work, &w[t]) == 0;
    work(&w[0]);
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

/* The run buffers: rows copied from streams (or from an unaligned map), results, scratch. */
typedef struct {
    void *rows[2];
    row_result *res;
    float *scratch;
} buffers;

static void buffers_free(buffers *b)
{
    free(b->rows[0]);
    free(b->rows[1]);
    free(b->res);
    free(b->scratch);
}

/* Rows per run and the buffers for them; -1 after printing why. The buffers (both inputs' row
 * bytes and a row_result a row, and the threads' scratch) take at most half the memory limit
 * and, for speed, about CHUNK_BYTES per input. */
static int buffers_alloc(buffers *b, size_t *chunk, const input in[2], const kldiv_options *o,
                         size_t scratch_floats)
{
    *b = (buffers){0};
    /* row_bytes < 2^64 and rows x row_bytes < 2^64 (the readers): the sums below are checked */
    const uint64_t widest = in[0].row_bytes > in[1].row_bytes ? in[0].row_bytes : in[1].row_bytes;
    const uint64_t scratch = (uint64_t)o->threads * scratch_floats * sizeof(float);
    const uint64_t half = o->memory_limit / 2;
    uint64_t per_row = widest <= UINT64_MAX / 2 - sizeof(row_result)
                           ? 2 * widest + sizeof(row_result) : UINT64_MAX;
    uint64_t rows = scratch < half ? (half - scratch) / per_row : 0, fast = CHUNK_BYTES / widest;
    rows = fast && fast < rows ? fast : rows;
    if (rows == 0) {
        fprintf(stderr, "kldiv: %s, %s: a row of %llu entries needs %.1f MiB of buffers at -t %d; "
                        "kldiv holds at most %.1f MiB (--memory-limit), half of it for buffers\n",
                in[0].path, in[1].path, (unsigned long long)in[0].vocab,
                ((double)per_row + (double)scratch) / (1 << 20), o->threads,
                (double)o->memory_limit / (1 << 20));
        return -1;
    }
    if (in[0].rows && in[0].rows < rows)
        rows = in[0].rows;
    *chunk = (size_t)rows;
    b->res = malloc((size_t)rows * sizeof *b->res);
    b->scratch = scratch ? malloc((size_t)scratch) : NULL;
    int ok = b->res && (b->scratch || !scratch);
    for (int k = 0; k < 2; k++)
        ok &= (b->rows[k] = malloc((size_t)rows * (size_t)in[k].row_bytes)) != NULL;
    if (!ok) {
        fprintf(stderr, "kldiv: out of memory for %zu-row runs\n", (size_t)rows);
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

/* The progress line on a terminal's stderr: rows done, the rate, and the time left when the row
 * count is known; from 1 s into the run, at most 4 updates a second. */
typedef struct {
    double start, last; /* the run's start, the last update (0: none yet) */
    uint64_t row_bytes; /* bytes of a row of BASE and NEW together */
} progress;

static void show_progress(progress *p, uint64_t rows, uint64_t total)
{
    const double t = now(), elapsed = t - p->start;
    if (elapsed < 1.0 || t - p->last < 0.25)
        return;
    p->last = t;
    const double rate = (double)rows * (double)p->row_bytes / elapsed / 1e9;
    if (total) {
        const double left = rows ? elapsed * (double)(total - rows) / (double)rows : 0;
        fprintf(stderr, "\rkldiv: %llu/%llu rows (%.0f%%), %.2f GB/s, %.0f s left\033[K",
                (unsigned long long)rows, (unsigned long long)total,
                100.0 * (double)rows / (double)total, rate, ceil(left));
    } else {
        fprintf(stderr, "\rkldiv: %llu rows, %.2f GB/s\033[K", (unsigned long long)rows, rate);
    }
}

int run_rows(input in[2], const kldiv_options *o, const score_setup *setup, const targets *tg,
             results *res, uint64_t *rows)
{
    const size_t scratch_floats = score_scratch_floats(setup);
    buffers b;
    size_t chunk;
    if (buffers_alloc(&b, &chunk, in, o, scratch_floats) != 0)
        return -1;
    const int show = !o->quiet && isatty(STDERR_FILENO);
    const uint64_t total = in[0].rows; /* 0 when a stream's rows are not known */
    progress p = {now(), 0, in[0].row_bytes + in[1].row_bytes};
    int status = -1;
    *rows = 0;
    for (;;) {
        uint64_t want = chunk;
        for (int k = 0; k < 2; k++) {
            uint64_t run = input_run_length(&in[k]);
            want = run < want ? run : want;
        }
        long long got[2];
        const void *at[2];
        for (int k = 0; k < 2; k++)
            if ((got[k] = input_next(&in[k], (size_t)want, b.rows[k], &at[k])) < 0)
                goto out;
        if (got[0] != got[1]) {
            rows_differ(in, got[0], got[1]);
            goto out;
        }
        if (got[0] == 0)
            break;
        row_run j = {.setup = setup, .a = at[0], .b = at[1],
                     .row_bytes_a = (size_t)in[0].row_bytes, .row_bytes_b = (size_t)in[1].row_bytes,
                     .rows = (size_t)got[0], .next = 0, .row0 = *rows, .tg = tg, .out = b.res};
        run_chunk(&j, o->threads, b.scratch, scratch_floats);
        if (results_add(res, b.res, (size_t)got[0]) != 0)
            goto out;
        for (int k = 0; k < 2; k++)
            input_release(&in[k]);
        *rows += (uint64_t)got[0];
        if (show)
            show_progress(&p, *rows, total);
    }
    status = 0;
out:
    if (p.last)
        fprintf(stderr, "\n");
    buffers_free(&b);
    return status;
}
