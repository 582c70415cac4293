/* compare.h - kldiv BASE NEW1 NEW2 ...: one table comparing the NEW files, a row each (mean KL,
 * p99 KL, same top, PPL ratio, RMS Δp, JS and TV where computed), after their reports. */
#ifndef KLDIV_COMPARE_H
#define KLDIV_COMPARE_H

#include <stdio.h>

#include "report.h"

/* The table of count runs, from the summaries their reports printed (s[k]; info[k] names the
 * files), as text, or (json) as the JSON member "comparison": [...]. */
void compare_write(FILE *o, const summary *s, const run_info *info, int count, int json);

#endif /* KLDIV_COMPARE_H */
