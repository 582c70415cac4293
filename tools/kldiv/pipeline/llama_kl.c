/* llama_kl.c - llama.cpp's KL rule (see llama_kl.h). Branch-free plain C that the compiler
 * vectorises: a term below the cut-off gets weight 0 through a select (never 0 * inf), and
 * exp is a polynomial rather than a libm call (which no compiler vectorises without
 * -ffast-math; it took 60 % of kldiv's time on a _logits_ BASE), and the sum runs in LANES
 * partial sums. */
#include "llama_kl.h"

#include <stdint.h>
#include <string.h>

/* e^x in float for a log-probability x, clamped to [-100, 88] (e^88 is near FLT_MAX; a decoded
 * log-probability is <= 0 in any file llama.cpp writes): x = n ln 2 + r with |r| <= ln 2 / 2,
 * e^r by its Taylor polynomial to r^6 (relative error below r^7/7! = 1.2e-7, about one float
 * ulp, as expf's), 2^n from the exponent bits. */
static inline float exp_lp(float x)
{
    x = x < -100.0f ? -100.0f : x > 88.0f ? 88.0f : x;
    const float shift = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    float n = (x * 1.44269504f + shift) - shift;
    float r = (x - n * 0.693145751953125f) - n * 1.428606765330187e-06f; /* ln 2 in two parts */
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t k = (int32_t)n + 127; /* n in [-145, 127]: 2^n below 2^-126 is flushed to 0 */
    uint32_t e = (uint32_t)(k < 0 ? 0 : k) << 23;
    float scale;
    memcpy(&scale, &e, sizeof scale);
    return p * scale;
}

/* One term: 0 below the cut-off. */
static inline double term(float lp, float x, double x_lse)
{
    const double t = (double)exp_lp(lp) * ((double)lp - ((double)x - x_lse));
    return lp > LLAMA_KL_MIN_LOG_P ? t : 0.0;
}

#define LANES 8 /* independent partial sums, so that the loop vectorises without -ffast-math */

double llama_kl(const float *base_logp, const float *x, size_t n, double x_lse)
{
    double acc[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (int k = 0; k < LANES; k++)
            acc[k] += term(base_logp[i + k], x[i + k], x_lse);
    for (; i < n; i++)
        acc[0] += term(base_logp[i], x[i], x_lse);
    double sum = 0;
    for (int k = 0; k < LANES; k++)
        sum += acc[k];
    return sum;
}
