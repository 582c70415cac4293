/* plan.h - how kldiv's row pipeline is sized: the rows a worker claims at a time (a block), the
 * blocks claimed and not yet folded (each has a slot of results), the workers, each worker's
 * buffers, how much of a map is dropped at a time, and how far the kernel reads ahead; so that
 * what kldiv holds for its rows stays within half of --memory-limit, and, for speed, within
 * about 128 MiB whatever the input's size. How each regular file's rows are read: through the map
 * (the default) or with pread into the workers' buffers (KLDIV_READ=pread; docs/kldiv.md). */
#ifndef KLDIV_PLAN_H
#define KLDIV_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "options.h"

typedef struct {
    size_t block_rows;   /* rows claimed at a time, at most */
    size_t slots;        /* blocks claimed and not yet folded, at most */
    int threads;         /* workers: -t, fewer only where memory allows no more */
    int use_pread;
    size_t buf_bytes[KLDIV_MAX_INPUTS]; /* each worker's buffer for each input's rows (0: none) */
    uint64_t window;     /* bytes of a map dropped at a time */
    uint64_t ahead;      /* bytes the kernel is asked to read ahead of the claims, per file */
} plan;

/* Sizes the pipeline for the n inputs in (BASE and its NEWs), o's threads and memory limit, and
 * scratch_floats floats of scratch a worker. Returns 0, or -1 after printing why (a row too large
 * for the memory limit). */
int plan_make(plan *p, const input *in, int n, const kldiv_options *o, size_t scratch_floats);

#endif /* KLDIV_PLAN_H */
