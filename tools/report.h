/* report.h - kldiv's summary of its rows, as text or as one JSON object. */
#ifndef KLDIV_REPORT_H
#define KLDIV_REPORT_H

#include <stdio.h>

#include "results.h"

typedef struct {
    size_t rows, vocab;
    const char *dtype, *isa;
    int probs;
    float temperature;
    double seconds, gb_per_s;
} run_info;

/* Writes the summary of r (sorting r->fwd) to out. Returns 0, or -1 when a write failed. */
int report_write(FILE *out, results *r, const run_info *info, int json);

#endif /* KLDIV_REPORT_H */
