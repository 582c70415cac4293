/* prefetch.h - kldiv's read-ahead: a thread that keeps the kernel reading each regular file's
 * next bytes (posix_fadvise WILLNEED, a step at a time) up to a distance ahead of the rows the
 * workers have claimed, so that a run from disk keeps the disk busy while the workers compute.
 * Streams and directories are not read ahead (their writer, or their small files, are). The
 * pages it asks for go to the page cache, not into kldiv's memory. */
#ifndef KLDIV_PREFETCH_H
#define KLDIV_PREFETCH_H

#include <pthread.h>
#include <stdint.h>

#include "input.h"

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    const input *in[2];
    uint64_t claimed[2]; /* the end of the claimed rows in each file */
    uint64_t asked[2];   /* the end of what has been asked for */
    uint64_t ahead;      /* bytes to keep asked for beyond claimed */
    int quit, running;
    pthread_t tid;
} prefetch;

/* Starts the thread when an input is a regular file (and ahead > 0). */
void prefetch_start(prefetch *p, const input in[2], uint64_t ahead);

/* The workers have claimed input k's bytes up to end. */
void prefetch_claimed(prefetch *p, int k, uint64_t end);

/* Stops and joins the thread. */
void prefetch_stop(prefetch *p);

#endif /* KLDIV_PREFETCH_H */
