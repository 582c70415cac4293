/* llama_kl.c - llama.cpp's KL rule (see llama_kl.h). Branch-free, so that the compiler can
 * vectorise it: terms below the cut-off get weight 0 and a finite log ratio (0 * inf would be
 * NaN). */
#include "llama_kl.h"

#include <math.h>

double llama_kl(const float *base_logp, const float *x, size_t n, double x_lse)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        const int kept = base_logp[i] > LLAMA_KL_MIN_LOG_P;
        const double lp = kept ? (double)base_logp[i] : 0.0;
        const double lq = kept ? (double)x[i] - x_lse : 0.0;
        sum += (kept ? exp(lp) : 0.0) * (lp - lq);
    }
    return sum;
}
