/* options.h - kldiv's command line, parsed into one struct. */
#ifndef KLDIV_OPTIONS_H
#define KLDIV_OPTIONS_H

#include <stdint.h>

#include "report.h"

#define KLDIV_MAX_NEW 8 /* NEW files compared with one BASE in one run */

typedef struct {
    const char *base, *new_;  /* the two inputs (new_: the first NEW) */
    const char *news[KLDIV_MAX_NEW]; /* every NEW, n_new of them */
    int n_new;
    uint64_t vocab;           /* --vocab: raw float32 rows of this length; 0: .npy inputs */
    int probs, quiet, threads;
    int logits;               /* --logits: logits even where rows look like probabilities */
    report_format format;     /* --format (--json: REPORT_JSON) */
    const char *key;          /* --key: the safetensors tensor, or NULL */
    const char *targets;      /* --targets FILE.npy, or NULL */
    int exact;                /* --exact: the exact KL of a _logits_ BASE, not llama.cpp's rule */
    int common_vocab;         /* --common-vocab: compare the first min(V_base, V_new) tokens */
    int js_tv;                /* --js-tv: Jensen-Shannon and total variation per row too */
    int temperature_given;
    double sum_tolerance;     /* --probs: a row whose sum differs from 1 by more is bad */
    int sum_tolerance_given;  /* --sum-tolerance or --unnormalized */
    float temperature;
    const char *per_row;      /* --per-row CSV path, or NULL */
    uint64_t memory_limit;    /* --memory-limit: bytes kldiv may hold (results and buffers) */
    int isa_forced;           /* --isa was given */
    uint64_t context;         /* --context: positions per row of text of 2-D inputs; 0: none */
} kldiv_options;

/* Parses argv into o (forcing the --isa path). Returns -1 to go on, or the exit status to end
 * with: 0 after --help or --version, 2 after a usage error (message printed). */
int options_parse(int argc, char **argv, kldiv_options *o);

#endif /* KLDIV_OPTIONS_H */
