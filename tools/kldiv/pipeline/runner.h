/* runner.h - kldiv's row loop: takes a run of rows from both inputs at a time (in place in the
 * mapped files, or read into bounded buffers from streams), scores the run's rows on the worker
 * threads (score.h), hands their results to results in row order, and drops the pages it has
 * consumed. */
#ifndef KLDIV_RUNNER_H
#define KLDIV_RUNNER_H

#include "input.h"
#include "options.h"
#include "results.h"
#include "score.h"
#include "targets.h"

/* Runs every row of the two inputs (the same rows, checked as they are read). Returns 0, or -1
 * after printing why. *rows gets the number of rows read. */
int run_rows(input in[2], const kldiv_options *o, const score_setup *setup, const targets *tg,
             results *res, uint64_t *rows);

#endif /* KLDIV_RUNNER_H */
