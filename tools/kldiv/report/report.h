/* report.h - kldiv's summary of its rows: as text, as one JSON object, or as llama-perplexity's
 * final statistics block (--format llama). */
#ifndef KLDIV_REPORT_H
#define KLDIV_REPORT_H

#include <stdio.h>

#include "results.h"
#include "run_summary.h"

typedef enum { REPORT_TEXT, REPORT_JSON, REPORT_LLAMA } report_format;

/* One input as the reports name it. */
typedef struct {
    const char *path, *kind, *dtype; /* kind: ".npy", "safetensors", "llama.cpp _logits_", ... */
    size_t rows, vocab;
} input_info;

typedef struct {
    input_info base, new_;
    size_t rows, vocab;
    size_t vocab_base, vocab_new; /* differ with --common-vocab (vocab is then the smaller) */
    const char *dtype, *isa;
    int probs;
    int llama_rule;               /* the forward KL follows llama.cpp's rule (llama_kl.h) */
    float temperature;
    double seconds, gb_per_s;
} run_info;

/* Writes the summary of r (sorting r->fwd and r->dp) to out. Returns 0, or -1 when a write
 * failed. */
int report_write(FILE *out, results *r, const run_info *info, report_format format);

/* The same, keeping the summary the report printed in *keep. */
int report_write_keep(FILE *out, results *r, const run_info *info, report_format format,
                      summary *keep);

#endif /* KLDIV_REPORT_H */
