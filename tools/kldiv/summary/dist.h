/* dist.h - mean, standard error and exact percentiles of one per-row value over a run's good rows
 * (the forward KL, delta p). */
#ifndef KLD_SUMMARY_DIST_H
#define KLD_SUMMARY_DIST_H

#include <stddef.h>

typedef struct {
    double mean, stderr_mean, median, min, max;
    double p01, p1, p5, p10, p25, p75, p90, p95, p99, p999;
} dist_summary;

/* Summarises x[0..n) (n >= 1); sorts x in place. Percentiles interpolate linearly between order
 * statistics (numpy's default, in double: llama.cpp computes the index in float, which moves
 * its percentiles of large inputs by up to one order statistic); the standard error is the
 * sample standard deviation / sqrt(n), 0 for n = 1. +inf values sort last and make the mean
 * +inf, as they should. NaN must not occur (bad rows are left out before). */
void summarise(double *x, size_t n, dist_summary *out);

/* The q-th quantile (0 <= q <= 1) of sorted x[0..n). */
double quantile_sorted(const double *x, size_t n, double q);

#endif /* KLD_SUMMARY_DIST_H */
