/* api_logits.c - the public logits entry points: the argument conventions of api_internal.h
 * (the temperature rule among them), then the active path's kernel. */
#include "api_internal.h"
#include "kernels.h"

/* The entry points with a given kernel table (the rows API resolves it once). */
void kld_stats_logits_f32_with(const kld_kernels *k, const float *a, const float *b, size_t n,
                           float temperature, kld_logit_stats *out)
{
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        kld_logits_nan(out, n);
    else if (n)
        k->stats_logits_f32(a, b, n, inv_t, out);
    else
        *out = (kld_logit_stats){{0}, -INFINITY, -INFINITY, 0, 0};
}

void kld_both_logits_f32_with(const kld_kernels *k, const float *a, const float *b, size_t n,
                          float temperature, double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        f = r = NAN;
    else if (n)
        k->both_logits_f32(a, b, n, inv_t, &f, &r);
    kld_store_pair(forward, reverse, f, r);
}

void kld_stats_logits_f32(const float *a, const float *b, size_t n, float temperature,
                          kld_logit_stats *out)
{
    if (out)
        kld_stats_logits_f32_with(kld_active_kernels(), a, b, n, temperature, out);
}

void kld_both_logits_f32(const float *a, const float *b, size_t n, double *forward,
                         double *reverse)
{
    kld_both_logits_f32_with(kld_active_kernels(), a, b, n, 1.0f, forward, reverse);
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

void kld_stats_logits_f16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                           float temperature, kld_logit_stats *out)
{
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        kld_logits_nan(out, n);
    else if (n)
        k->stats_logits_f16(a, b, n, inv_t, out);
    else
        *out = (kld_logit_stats){{0}, -INFINITY, -INFINITY, 0, 0};
}

void kld_both_logits_f16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                          float temperature, double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        f = r = NAN;
    else if (n)
        k->both_logits_f16(a, b, n, inv_t, &f, &r);
    kld_store_pair(forward, reverse, f, r);
}

void kld_stats_logits_f16(const uint16_t *a, const uint16_t *b, size_t n, float temperature,
                          kld_logit_stats *out)
{
    if (out)
        kld_stats_logits_f16_with(kld_active_kernels(), a, b, n, temperature, out);
}

void kld_both_logits_f16(const uint16_t *a, const uint16_t *b, size_t n, double *forward,
                         double *reverse)
{
    kld_both_logits_f16_with(kld_active_kernels(), a, b, n, 1.0f, forward, reverse);
}

double kld_forward_logits_f16(const uint16_t *a, const uint16_t *b, size_t n)
{
    double f;
    kld_both_logits_f16(a, b, n, &f, NULL);
    return f;
}

double kld_reverse_logits_f16(const uint16_t *a, const uint16_t *b, size_t n)
{
    double r;
    kld_both_logits_f16(a, b, n, NULL, &r);
    return r;
}

void kld_stats_logits_bf16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                           float temperature, kld_logit_stats *out)
{
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        kld_logits_nan(out, n);
    else if (n)
        k->stats_logits_bf16(a, b, n, inv_t, out);
    else
        *out = (kld_logit_stats){{0}, -INFINITY, -INFINITY, 0, 0};
}

void kld_both_logits_bf16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                          float temperature, double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        f = r = NAN;
    else if (n)
        k->both_logits_bf16(a, b, n, inv_t, &f, &r);
    kld_store_pair(forward, reverse, f, r);
}

void kld_stats_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n, float temperature,
                          kld_logit_stats *out)
{
    if (out)
        kld_stats_logits_bf16_with(kld_active_kernels(), a, b, n, temperature, out);
}

void kld_both_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n, double *forward,
                         double *reverse)
{
    kld_both_logits_bf16_with(kld_active_kernels(), a, b, n, 1.0f, forward, reverse);
}

double kld_forward_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n)
{
    double f;
    kld_both_logits_bf16(a, b, n, &f, NULL);
    return f;
}

double kld_reverse_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n)
{
    double r;
    kld_both_logits_bf16(a, b, n, NULL, &r);
    return r;
}

void kld_div_logits_f32_with(const kld_kernels *k, const float *a, const float *b, size_t n,
                            float temperature, double *js, double *tv)
{
    double j = 0.0, v = 0.0;
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        j = v = NAN;
    else if (n)
        k->div_logits_f32(a, b, n, inv_t, js ? &j : NULL, tv ? &v : NULL);
    kld_store_pair(js, tv, j, v);
}

double kld_js_logits_f32(const float *a, const float *b, size_t n, float temperature)
{
    double js;
    kld_div_logits_f32_with(kld_active_kernels(), a, b, n, temperature, &js, NULL);
    return js;
}

double kld_tv_logits_f32(const float *a, const float *b, size_t n, float temperature)
{
    double tv;
    kld_div_logits_f32_with(kld_active_kernels(), a, b, n, temperature, NULL, &tv);
    return tv;
}

void kld_div_logits_f16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                            float temperature, double *js, double *tv)
{
    double j = 0.0, v = 0.0;
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        j = v = NAN;
    else if (n)
        k->div_logits_f16(a, b, n, inv_t, js ? &j : NULL, tv ? &v : NULL);
    kld_store_pair(js, tv, j, v);
}

double kld_js_logits_f16(const uint16_t *a, const uint16_t *b, size_t n, float temperature)
{
    double js;
    kld_div_logits_f16_with(kld_active_kernels(), a, b, n, temperature, &js, NULL);
    return js;
}

double kld_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t n, float temperature)
{
    double tv;
    kld_div_logits_f16_with(kld_active_kernels(), a, b, n, temperature, NULL, &tv);
    return tv;
}

void kld_div_logits_bf16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                            float temperature, double *js, double *tv)
{
    double j = 0.0, v = 0.0;
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        j = v = NAN;
    else if (n)
        k->div_logits_bf16(a, b, n, inv_t, js ? &j : NULL, tv ? &v : NULL);
    kld_store_pair(js, tv, j, v);
}

double kld_js_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n, float temperature)
{
    double js;
    kld_div_logits_bf16_with(kld_active_kernels(), a, b, n, temperature, &js, NULL);
    return js;
}

double kld_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n, float temperature)
{
    double tv;
    kld_div_logits_bf16_with(kld_active_kernels(), a, b, n, temperature, NULL, &tv);
    return tv;
}
