/* runner.h - kldiv's row loop: reads both inputs a chunk of rows at a time (bounded memory),
 * scores the chunk's rows on the worker threads, and hands their results to results in row
 * order. */
#ifndef KLDIV_RUNNER_H
#define KLDIV_RUNNER_H

#include "input.h"
#include "options.h"
#include "results.h"

/* Runs every row of the two inputs (same vocab; the same rows, checked as they are read).
 * Returns 0, or -1 after printing why. *rows gets the number of rows read. */
int run_rows(input in[2], const kldiv_options *o, results *res, uint64_t *rows);

#endif /* KLDIV_RUNNER_H */
