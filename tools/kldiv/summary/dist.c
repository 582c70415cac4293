/* dist.c - mean, standard error and percentiles (see dist.h). */
#include "dist.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double quantile_sorted(const double *x, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)pos;
    if (lo + 1 >= n)
        return x[n - 1];
    double frac = pos - (double)lo;
    return frac == 0 ? x[lo] : x[lo] + frac * (x[lo + 1] - x[lo]);
}

void summarise(double *x, size_t n, dist_summary *out)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double mean = sum / (double)n, ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    qsort(x, n, sizeof *x, cmp_double);
    *out = (dist_summary){
        .mean = mean,
        .stderr_mean = n > 1 ? sqrt(ss / (double)(n - 1)) / sqrt((double)n) : 0.0,
        .median = quantile_sorted(x, n, 0.5),
        .min = x[0],
        .max = x[n - 1],
        .p01 = quantile_sorted(x, n, 0.001),
        .p1 = quantile_sorted(x, n, 0.01),
        .p5 = quantile_sorted(x, n, 0.05),
        .p10 = quantile_sorted(x, n, 0.10),
        .p25 = quantile_sorted(x, n, 0.25),
        .p75 = quantile_sorted(x, n, 0.75),
        .p90 = quantile_sorted(x, n, 0.90),
        .p95 = quantile_sorted(x, n, 0.95),
        .p99 = quantile_sorted(x, n, 0.99),
        .p999 = quantile_sorted(x, n, 0.999),
    };
}
