/* progress.c - kldiv's progress line (see progress.h). */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_start(progress *p, int show, uint64_t row_bytes, uint64_t total)
{
    *p = (progress){show, now(), 0, row_bytes, total};
}

void progress_update(progress *p, uint64_t rows)
{
    if (!p->show)
        return;
    const double t = now(), elapsed = t - p->start;
    if (elapsed < 1.0 || t - p->last < 0.25)
        return;
    p->last = t;
    const double rate = (double)rows * (double)p->row_bytes / elapsed / 1e9;
    if (p->total) {
        const double left = rows ? elapsed * (double)(p->total - rows) / (double)rows : 0;
        fprintf(stderr, "\rkldiv: %llu/%llu rows (%.0f%%), %.2f GB/s, %.0f s left\033[K",
                (unsigned long long)rows, (unsigned long long)p->total,
                100.0 * (double)rows / (double)p->total, rate, ceil(left));
    } else {
        fprintf(stderr, "\rkldiv: %llu rows, %.2f GB/s\033[K", (unsigned long long)rows, rate);
    }
}

void progress_end(const progress *p)
{
    if (p->last)
        fprintf(stderr, "\n");
}
