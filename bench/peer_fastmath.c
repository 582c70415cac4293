/* peer_fastmath.c - the loop a performance-minded user writes and compiles with
 * -O3 -ffast-math -march=native -mprefer-vector-width=512: gcc vectorises logf into glibc's
 * libmvec (_ZGVeN16v_logf on AVX-512), float accumulators. No zero handling: p == 0 gives NaN. */
#include <math.h>

#include "peers.h"

double peer_fastmath_libmvec(const float *p, const float *q, size_t n)
{
    float f = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        float lr = logf(p[i] / q[i]);
        f += p[i] * lr;
        r -= q[i] * lr;
    }
    return (double)f + r;
}
