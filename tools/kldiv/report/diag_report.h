/* diag_report.h - kldiv's top-k, breakdown and speculative-decoding sections (summary/diag.h's
 * figures) as compact text tables and as JSON members. */
#ifndef KLDIV_DIAG_REPORT_H
#define KLDIV_DIAG_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"

/* The text sections. kl_sum: the sum of every good row's forward KL (for each bucket's share);
 * temperature: the logits' (NaN for probabilities). */
void diag_write_text(FILE *o, const diag_summary *d, const diag_sums *sums, double kl_sum,
                     double temperature);

/* The JSON members "topk", "buckets", "speculative" and "forward_quantiles" (from the sorted
 * forward KL of every good row, fwd[0..n)), each followed by ", ". */
void diag_write_json(FILE *o, const diag_summary *d, double kl_sum, const double *fwd,
                     size_t n);

#endif /* KLDIV_DIAG_REPORT_H */
