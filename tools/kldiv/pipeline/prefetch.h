/* prefetch.h - kldiv's read-ahead: one thread reads each regular file in order, a step at a time,
 * up to a distance ahead of the rows the workers have claimed (input_read_ahead: it faults the
 * pages into the map the workers read, or, with pread, reads what is not cached yet through a
 * small buffer, on a descriptor of its own, as cat reads), and a worker touches a block's rows
 * only once the reader is past them. So a run from disk keeps the disk busy while the workers
 * compute, and the kernel sees one sequential reader, which caches the file in large folios
 * where the filesystem has them (workers faulting on pages not there yet would start readahead
 * of their own, whose races leave 4 KiB pages, which a map then takes many more faults for); in
 * map mode the workers also find their pages mapped already. Streams and directories are not
 * read ahead (their writer, or their small files, are). */
#ifndef KLDIV_PREFETCH_H
#define KLDIV_PREFETCH_H

#include <pthread.h>
#include <stdint.h>

#include "input.h"

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t wake, readied;
    const input *in[KLDIV_MAX_INPUTS];
    int n;                              /* the inputs */
    input_ahead file[KLDIV_MAX_INPUTS]; /* the regular files as it reads them (fd -1: not read
                                         * ahead) */
    void *buf;
    uint64_t claimed[KLDIV_MAX_INPUTS]; /* the end of the claimed rows in each file */
    uint64_t asked[KLDIV_MAX_INPUTS];  /* the end of the step being read */
    uint64_t ready[KLDIV_MAX_INPUTS];  /* the end of what has been read (or found cached) */
    uint64_t ahead;      /* bytes to read beyond claimed */
    int quit, running;
    pthread_t tid;
} prefetch;

/* Starts the reader when an input is a regular file (and ahead > 0). */
void prefetch_start(prefetch *p, const input *in, int n, uint64_t ahead);

/* The workers have claimed input k's bytes up to end. */
void prefetch_claimed(prefetch *p, int k, uint64_t end);

/* Waits until the reader is past byte end of input k (at once where it does not read k). */
void prefetch_wait(prefetch *p, int k, uint64_t end);

/* Stops and joins the reader. */
void prefetch_stop(prefetch *p);

#endif /* KLDIV_PREFETCH_H */
