/* peer_scalar.c - the plain scalar loop a C user writes: libm logf, double accumulators. */
#include <math.h>

#include "peers.h"

double peer_scalar_libm(const float *p, const float *q, size_t n)
{
    double f = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        float lr = logf(p[i] / q[i]);
        f += p[i] * lr;
        r -= q[i] * lr;
    }
    return f + r;
}
