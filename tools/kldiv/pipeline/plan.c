/* plan.c - how kldiv's row pipeline is sized (see plan.h). */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

#define BLOCK_BYTES ((uint64_t)1 << 20) /* of the widest input, claimed at a time */
#define MAX_BLOCK_ROWS 1024             /* so that a block's results stay small */
#define SOFT_LIMIT ((uint64_t)128 << 20)
#define WINDOW ((uint64_t)16 << 20)     /* of a map dropped at a time, at most */
#define AHEAD ((uint64_t)32 << 20)     /* read ahead of the claims, at most */

/* Bytes held for the rows with these sizes: the workers' buffers, the mapped rows of the blocks
 * in flight and the window not yet dropped, the blocks' results, the scratch. Below 2^64: rows
 * are below 2^40 entries (the readers), counts below 2^20. */
static uint64_t held(const plan *p, const input *in, int n, uint64_t scratch_bytes)
{
    uint64_t bytes = (uint64_t)p->threads * scratch_bytes;
    for (int k = 0; k < n; k++) {
        bytes += (uint64_t)p->threads * p->block_rows * in[k].row_bytes * (p->buf_bytes[k] > 0);
        if (input_random(&in[k]) && !p->use_pread) /* mapped: what is read ahead too */
            bytes += p->slots * p->block_rows * in[k].row_bytes + p->window + p->ahead;
    }
    return bytes + p->slots * p->block_rows * sizeof(row_result) * (uint64_t)(n - 1);
}

/* KLDIV_READ: "pread" or "map" (the default). */
static int read_with_pread(void)
{
    const char *how = getenv("KLDIV_READ");
    return how && strcmp(how, "pread") == 0;
}

/* KLDIV_AHEAD: MiB to read ahead (0: no read-ahead thread), for measurements, capped at most;
 * else dflt. */
static uint64_t read_ahead(uint64_t dflt, uint64_t most)
{
    const char *mib = getenv("KLDIV_AHEAD");
    char *end;
    unsigned long v = mib ? strtoul(mib, &end, 10) : 0;
    if (!mib || !*mib || *end || v >= 4096)
        return dflt;
    return (uint64_t)v << 20 < most ? (uint64_t)v << 20 : most;
}

int plan_make(plan *p, const input *in, int n, const kldiv_options *o, size_t scratch_floats)
{
    uint64_t widest = 0;
    for (int k = 0; k < n; k++)
        widest = in[k].row_bytes > widest ? in[k].row_bytes : widest;
    const uint64_t hard = o->memory_limit / 2, soft = hard < SOFT_LIMIT ? hard : SOFT_LIMIT;
    const uint64_t scratch = scratch_floats * sizeof(float);
    uint64_t rows = widest < BLOCK_BYTES ? BLOCK_BYTES / widest : 1;
    *p = (plan){.block_rows = rows < MAX_BLOCK_ROWS ? (size_t)rows : MAX_BLOCK_ROWS,
                .threads = o->threads,
                .slots = 2 * (size_t)o->threads + 2,
                .use_pread = read_with_pread(),
                .window = soft / 8 < WINDOW ? soft / 8 : WINDOW,
                .ahead = read_ahead(soft / 8 < AHEAD ? soft / 8 : AHEAD, soft / 8)};
    int buffered[KLDIV_MAX_INPUTS];
    for (int k = 0; k < n; k++) /* a stream's or directory's rows, pread, or an unaligned map */
        buffered[k] = !input_random(&in[k]) || p->use_pread ||
                      in[k].data_start % (uint64_t)in[k].itemsize != 0;
    for (int k = 0; k < n; k++)
        p->buf_bytes[k] = buffered[k]; /* a flag until the sizes are known */
    /* smaller blocks first, then fewer blocks in flight, then fewer workers */
    while (held(p, in, n, scratch) > soft) {
        if (p->block_rows > 1)
            p->block_rows /= 2;
        else if (p->slots > (size_t)p->threads + 1)
            p->slots--;
        else if (p->threads > 1)
            p->threads--, p->slots = (size_t)p->threads + 1;
        else
            break;
    }
    const uint64_t need = held(p, in, n, scratch);
    if (need > hard) {
        fprintf(stderr, "kldiv: %s, %s: a row of %llu entries needs %.1f MiB of buffers at -t %d; "
                        "kldiv holds at most %.1f MiB (--memory-limit), half of it for buffers\n",
                in[0].path, in[1].path, (unsigned long long)in[0].vocab,
                (double)need / (1 << 20), o->threads, (double)o->memory_limit / (1 << 20));
        return -1;
    }
    for (int k = 0; k < n; k++)
        p->buf_bytes[k] = buffered[k] ? p->block_rows * (size_t)in[k].row_bytes : 0;
    return 0;
}
