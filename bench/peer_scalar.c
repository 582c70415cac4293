/* peer_scalar.c - the plain scalar loops a C user writes: KL of probabilities with libm logf and
 * double accumulators; KL of logits by a three-pass scalar log-softmax. */
#include <math.h>

#include "peers.h"

#define PEER_NAME peer_scalar_libm
#define PEER_ACC double
#include "peer_loop.h"

/* log-sum-exp of one row: max, then the sum of exp(x - max) */
static double lse(const float *x, size_t n)
{
    float m = x[0];
    for (size_t i = 1; i < n; i++)
        m = x[i] > m ? x[i] : m;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += expf(x[i] - m);
    return m + log(s);
}

double peer_logsoftmax_3pass_scalar(const float *a, const float *b, size_t n)
{
    double la = lse(a, n), lb = lse(b, n), kl = 0;
    for (size_t i = 0; i < n; i++) {
        double lp = a[i] - la, lq = b[i] - lb;
        kl += exp(lp) * (lp - lq);
    }
    return kl;
}
