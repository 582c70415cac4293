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

void kld_both_logits_at(const float *a, const float *b, size_t n, float temperature,
                        double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    if (!(temperature > 0 && temperature <= FLT_MAX) || (n && (!a || !b)))
        f = r = NAN;
    else if (n)
        kld_active_kernels()->both_logits_f32(a, b, n, temperature, &f, &r);
    if (forward)
        *forward = f;
    if (reverse)
        *reverse = r;
}

void kld_both_logits_f32(const float *a, const float *b, size_t n, double *forward,
                         double *reverse)
{
    kld_both_logits_at(a, b, n, 1.0f, forward, reverse);
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
