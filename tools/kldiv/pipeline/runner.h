/* runner.h - kldiv's row pipeline. Worker threads (-t) live for the whole run: each claims the
 * next block of rows from both inputs in turn (input_claim, under one lock, which also reads a
 * stream's rows), reads a regular file's rows itself outside the lock (in place in the map, or
 * pread into its own buffers: input_fetch), scores them (score.h) into the block's slot of
 * results, and then folds every scored block that is next in row order into results (results.h),
 * dropping the consumed pages of the maps in large windows; no worker waits for another except
 * when all the slots are taken. A read-ahead thread (prefetch.h) keeps the kernel reading the
 * files ahead of the claims. Errors of reads are reported in row order: only once every row
 * before them has been folded without error. Sizes: plan.h. */
#ifndef KLDIV_RUNNER_H
#define KLDIV_RUNNER_H

#include "input.h"
#include "options.h"
#include "results.h"
#include "score.h"
#include "targets.h"

/* Runs every row of the two inputs (the same rows, checked as they are read). Returns 0, or -1
 * after printing why. *rows gets the number of rows folded into res. */
int run_rows(input in[2], const kldiv_options *o, const score_setup *setup, const targets *tg,
             results *res, uint64_t *rows);

#endif /* KLDIV_RUNNER_H */
