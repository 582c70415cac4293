/* kernels.h - the kernel table every path provides, every kernel's prototype written out by path,
 * and the CPU feature query that picks among the paths (dispatch.c, cpu_features.c). */
#ifndef KLD_KERNELS_H
#define KLD_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "kld.h"

/* Kernels assume n > 0, non-NULL inputs and non-NULL outputs; the public API checks that. The
 * logits kernels take inv_t = fl32(1/T), finite and > 0 (api_internal.h): every path scales a
 * logit as (a - max a) * inv_t. f16 and bf16 inputs are their bits, as uint16_t. */
typedef struct kld_kernels {
    void (*both_f32)(const float *p, const float *q, size_t n, double *forward, double *reverse);
    void (*stats_f32)(const float *p, const float *q, size_t n, kld_stats *out);
    double (*js_f32)(const float *p, const float *q, size_t n);
    double (*tv_f32)(const float *p, const float *q, size_t n); /* the sum of |p - q|, halved */
    void (*both_f64)(const double *p, const double *q, size_t n, double *forward, double *reverse);
    void (*stats_f64)(const double *p, const double *q, size_t n, kld_stats *out);
    double (*js_f64)(const double *p, const double *q, size_t n);
    double (*tv_f64)(const double *p, const double *q, size_t n); /* the sum of |p - q|, halved */
    void (*both_f16)(const uint16_t *p, const uint16_t *q, size_t n, double *forward, double *reverse);
    void (*stats_f16)(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
    double (*js_f16)(const uint16_t *p, const uint16_t *q, size_t n);
    double (*tv_f16)(const uint16_t *p, const uint16_t *q, size_t n); /* the sum of |p - q|, halved */
    void (*both_bf16)(const uint16_t *p, const uint16_t *q, size_t n, double *forward, double *reverse);
    void (*stats_bf16)(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
    double (*js_bf16)(const uint16_t *p, const uint16_t *q, size_t n);
    double (*tv_bf16)(const uint16_t *p, const uint16_t *q, size_t n); /* the sum of |p - q|, halved */
    void (*stats_logits_f32)(const float *a, const float *b, size_t n, float inv_t,
                             kld_logit_stats *out);
    void (*both_logits_f32)(const float *a, const float *b, size_t n, float inv_t, double *forward,
                            double *reverse); /* the two KLs alone: no entropies, no argmax */
    void (*div_logits_f32)(const float *a, const float *b, size_t n, float inv_t, double *js,
                           double *tv); /* JS and TV; an output that is NULL is not computed */
    void (*stats_logits_f16)(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                             kld_logit_stats *out);
    void (*both_logits_f16)(const uint16_t *a, const uint16_t *b, size_t n, float inv_t, double *forward,
                            double *reverse); /* the two KLs alone: no entropies, no argmax */
    void (*div_logits_f16)(const uint16_t *a, const uint16_t *b, size_t n, float inv_t, double *js,
                           double *tv); /* JS and TV; an output that is NULL is not computed */
    void (*stats_logits_bf16)(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                             kld_logit_stats *out);
    void (*both_logits_bf16)(const uint16_t *a, const uint16_t *b, size_t n, float inv_t, double *forward,
                            double *reverse); /* the two KLs alone: no entropies, no argmax */
    void (*div_logits_bf16)(const uint16_t *a, const uint16_t *b, size_t n, float inv_t, double *js,
                           double *tv); /* JS and TV; an output that is NULL is not computed */
} kld_kernels;

/* scalar: src/scalar/prob_<type>.c, logits_<type>.c */
void kld_both_f32_scalar(const float *p, const float *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f32_scalar(const float *p, const float *q, size_t n, kld_stats *out);
double kld_js_f32_scalar(const float *p, const float *q, size_t n);
double kld_tv_f32_scalar(const float *p, const float *q, size_t n);
void kld_both_f64_scalar(const double *p, const double *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f64_scalar(const double *p, const double *q, size_t n, kld_stats *out);
double kld_js_f64_scalar(const double *p, const double *q, size_t n);
double kld_tv_f64_scalar(const double *p, const double *q, size_t n);
void kld_both_f16_scalar(const uint16_t *p, const uint16_t *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f16_scalar(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
double kld_js_f16_scalar(const uint16_t *p, const uint16_t *q, size_t n);
double kld_tv_f16_scalar(const uint16_t *p, const uint16_t *q, size_t n);
void kld_both_bf16_scalar(const uint16_t *p, const uint16_t *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_bf16_scalar(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
double kld_js_bf16_scalar(const uint16_t *p, const uint16_t *q, size_t n);
double kld_tv_bf16_scalar(const uint16_t *p, const uint16_t *q, size_t n);
void kld_stats_logits_f32_scalar(const float *a, const float *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_f32_scalar(const float *a, const float *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_f32_scalar(const float *a, const float *b, size_t n, float inv_t,
                           double *js, double *tv);
void kld_stats_logits_f16_scalar(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_f16_scalar(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_f16_scalar(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                           double *js, double *tv);
void kld_stats_logits_bf16_scalar(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_bf16_scalar(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_bf16_scalar(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                           double *js, double *tv);

#if defined(__x86_64__)
/* avx2: src/avx2/prob_<type>.c, logits_<type>.c */
void kld_both_f32_avx2(const float *p, const float *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f32_avx2(const float *p, const float *q, size_t n, kld_stats *out);
double kld_js_f32_avx2(const float *p, const float *q, size_t n);
double kld_tv_f32_avx2(const float *p, const float *q, size_t n);
void kld_both_f64_avx2(const double *p, const double *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f64_avx2(const double *p, const double *q, size_t n, kld_stats *out);
double kld_js_f64_avx2(const double *p, const double *q, size_t n);
double kld_tv_f64_avx2(const double *p, const double *q, size_t n);
void kld_both_f16_avx2(const uint16_t *p, const uint16_t *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f16_avx2(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
double kld_js_f16_avx2(const uint16_t *p, const uint16_t *q, size_t n);
double kld_tv_f16_avx2(const uint16_t *p, const uint16_t *q, size_t n);
void kld_both_bf16_avx2(const uint16_t *p, const uint16_t *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_bf16_avx2(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
double kld_js_bf16_avx2(const uint16_t *p, const uint16_t *q, size_t n);
double kld_tv_bf16_avx2(const uint16_t *p, const uint16_t *q, size_t n);
void kld_stats_logits_f32_avx2(const float *a, const float *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_f32_avx2(const float *a, const float *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_f32_avx2(const float *a, const float *b, size_t n, float inv_t,
                           double *js, double *tv);
void kld_stats_logits_f16_avx2(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_f16_avx2(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_f16_avx2(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                           double *js, double *tv);
void kld_stats_logits_bf16_avx2(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_bf16_avx2(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_bf16_avx2(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                           double *js, double *tv);

/* avx512: src/avx512/prob_<type>.c, logits_<type>.c */
void kld_both_f32_avx512(const float *p, const float *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f32_avx512(const float *p, const float *q, size_t n, kld_stats *out);
double kld_js_f32_avx512(const float *p, const float *q, size_t n);
double kld_tv_f32_avx512(const float *p, const float *q, size_t n);
void kld_both_f64_avx512(const double *p, const double *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f64_avx512(const double *p, const double *q, size_t n, kld_stats *out);
double kld_js_f64_avx512(const double *p, const double *q, size_t n);
double kld_tv_f64_avx512(const double *p, const double *q, size_t n);
void kld_both_f16_avx512(const uint16_t *p, const uint16_t *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f16_avx512(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
double kld_js_f16_avx512(const uint16_t *p, const uint16_t *q, size_t n);
double kld_tv_f16_avx512(const uint16_t *p, const uint16_t *q, size_t n);
void kld_both_bf16_avx512(const uint16_t *p, const uint16_t *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_bf16_avx512(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
double kld_js_bf16_avx512(const uint16_t *p, const uint16_t *q, size_t n);
double kld_tv_bf16_avx512(const uint16_t *p, const uint16_t *q, size_t n);
void kld_stats_logits_f32_avx512(const float *a, const float *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_f32_avx512(const float *a, const float *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_f32_avx512(const float *a, const float *b, size_t n, float inv_t,
                           double *js, double *tv);
void kld_stats_logits_f16_avx512(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_f16_avx512(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_f16_avx512(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                           double *js, double *tv);
void kld_stats_logits_bf16_avx512(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_bf16_avx512(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_bf16_avx512(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                           double *js, double *tv);
#endif

#if defined(__aarch64__)
/* neon: src/neon/prob_<type>.c, logits_<type>.c */
void kld_both_f32_neon(const float *p, const float *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f32_neon(const float *p, const float *q, size_t n, kld_stats *out);
double kld_js_f32_neon(const float *p, const float *q, size_t n);
double kld_tv_f32_neon(const float *p, const float *q, size_t n);
void kld_both_f64_neon(const double *p, const double *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f64_neon(const double *p, const double *q, size_t n, kld_stats *out);
double kld_js_f64_neon(const double *p, const double *q, size_t n);
double kld_tv_f64_neon(const double *p, const double *q, size_t n);
void kld_both_f16_neon(const uint16_t *p, const uint16_t *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_f16_neon(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
double kld_js_f16_neon(const uint16_t *p, const uint16_t *q, size_t n);
double kld_tv_f16_neon(const uint16_t *p, const uint16_t *q, size_t n);
void kld_both_bf16_neon(const uint16_t *p, const uint16_t *q, size_t n,
                     double *forward, double *reverse);
void kld_stats_bf16_neon(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
double kld_js_bf16_neon(const uint16_t *p, const uint16_t *q, size_t n);
double kld_tv_bf16_neon(const uint16_t *p, const uint16_t *q, size_t n);
void kld_stats_logits_f32_neon(const float *a, const float *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_f32_neon(const float *a, const float *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_f32_neon(const float *a, const float *b, size_t n, float inv_t,
                           double *js, double *tv);
void kld_stats_logits_f16_neon(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_f16_neon(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_f16_neon(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                           double *js, double *tv);
void kld_stats_logits_bf16_neon(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                                kld_logit_stats *out);
void kld_both_logits_bf16_neon(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                               double *forward, double *reverse);
void kld_div_logits_bf16_neon(const uint16_t *a, const uint16_t *b, size_t n, float inv_t,
                           double *js, double *tv);
#endif

/* The logits entry points with a given table (api_logits.c), for the rows API, which resolves the
 * table once per call: the same argument conventions as kld_stats_logits_<type>. */
void kld_stats_logits_f32_with(const kld_kernels *k, const float *a, const float *b, size_t n,
                               float temperature, kld_logit_stats *out);
void kld_both_logits_f32_with(const kld_kernels *k, const float *a, const float *b, size_t n,
                              float temperature, double *forward, double *reverse);
void kld_stats_logits_f16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                               float temperature, kld_logit_stats *out);
void kld_both_logits_f16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                              float temperature, double *forward, double *reverse);
void kld_stats_logits_bf16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                               float temperature, kld_logit_stats *out);
void kld_both_logits_bf16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                              float temperature, double *forward, double *reverse);
void kld_div_logits_f32_with(const kld_kernels *k, const float *a, const float *b, size_t n,
                            float temperature, double *js, double *tv);
void kld_div_logits_f16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                            float temperature, double *js, double *tv);
void kld_div_logits_bf16_with(const kld_kernels *k, const uint16_t *a, const uint16_t *b, size_t n,
                            float temperature, double *js, double *tv);

/* 1 if this CPU and OS can run the path's instructions (whether or not it is compiled in); the
 * detection is cached after the first call (racing first calls each detect the same answer). */
int kld_cpu_runs(kld_isa isa);

/* The kernels of kld_isa_active(). */
const kld_kernels *kld_active_kernels(void);

#endif /* KLD_KERNELS_H */
