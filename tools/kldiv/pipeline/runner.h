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

/* Runs every row of the n inputs, BASE (in[0]) and n - 1 NEW files (the same rows, checked as
 * they are read), BASE's rows read once for all: NEW m's (1 ..) scored against them with
 * setup[m - 1] and the targets tg[m - 1] into res[m - 1]. Returns 0, or -1 after printing why.
 * *rows gets the number of rows folded into each of res. */
int run_rows(input *in, int n, const kldiv_options *o, const score_setup *setup,
             const targets *tg, results *res, uint64_t *rows);

#endif /* KLDIV_RUNNER_H */
