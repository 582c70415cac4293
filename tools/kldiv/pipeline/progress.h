/* progress.h - kldiv's progress line on a terminal's stderr: rows done, the rate, and the time
 * left when the row count is known; from 1 s into the run, at most 4 updates a second. */
#ifndef KLDIV_PROGRESS_H
#define KLDIV_PROGRESS_H

#include <stdint.h>

typedef struct {
    int show;           /* a terminal, and no -q */
    double start, last; /* the run's start, the last update (0: none yet) */
    uint64_t row_bytes; /* bytes of a row of BASE and NEW together */
    uint64_t total;     /* the rows to come, 0 when not known (a stream's) */
} progress;

/* Starts the clock; show: whether to show anything at all. */
void progress_start(progress *p, int show, uint64_t row_bytes, uint64_t total);

/* rows rows are done: updates the line when it is time to. One thread at a time. */
void progress_update(progress *p, uint64_t rows);

/* Ends the line, when one was shown. */
void progress_end(const progress *p);

#endif /* KLDIV_PROGRESS_H */
