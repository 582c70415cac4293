/* api_logits.c - the public logits entry points: argument conventions, then dispatch. */
#include <float.h>
#include <math.h>

#include "kernels.h"
#include "logits_common.h"

void kld_stats_logits_f32(const float *a, const float *b, size_t n, float temperature,
                          kld_logit_stats *out)
{
    if (!out)
        return;
    if (!(temperature > 0 && temperature <= FLT_MAX) || (n && (!a || !b)))
        kld_logits_nan(out, n);
    else if (n)
        kld_active_kernels()->stats_logits_f32(a, b, n, temperature, out);
    else
        *out = (kld_logit_stats){{0}, -INFINITY, -INFINITY, 0, 0};
}

void kld_both_logits_f32(const float *a, const float *b, size_t n, double *forward,
                         double *reverse)
{
    kld_logit_stats s;
    kld_stats_logits_f32(a, b, n, 1.0f, &s);
    if (forward)
        *forward = s.kl.forward;
    if (reverse)
        *reverse = s.kl.reverse;
}

double kld_forward_logits_f32(const float *a, const float *b, size_t n)
{
    double f;
    kld_both_logits_f32(a, b, n, &f, NULL);
    return f;
}

double kld_reverse_logits_f32(const float *a, const float *b, size_t n)
{
    double r;
    kld_both_logits_f32(a, b, n, NULL, &r);
    return r;
}
