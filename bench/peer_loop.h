/* peer_loop.h - the KL loop a C user writes: logf of the ratio, forward and reverse. The same
 * source is compiled twice, as plain -O2 C with double accumulators (peer_scalar.c) and under
 * -O3 -ffast-math -march=native with float accumulators (peer_fastmath.c), so the two peers differ
 * only in what the compiler and the accumulator type make of it. */
#include <math.h>

double PEER_NAME(const float *p, const float *q, size_t n)
{
    PEER_ACC f = 0, r = 0;
    for (size_t i = 0; i < n; i++) {
        float lr = logf(p[i] / q[i]);
        f += p[i] * lr;
        r -= q[i] * lr;
    }
    return (double)f + (double)r;
}
