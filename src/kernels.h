/* kernels.h - the kernels every path provides, and the CPU feature query that picks among them. */
#ifndef KLD_KERNELS_H
#define KLD_KERNELS_H

#include <stddef.h>

#include "kld.h"

/* Kernels assume n > 0, non-NULL p and q, and non-NULL outputs; the public API checks that. */
typedef struct kld_kernels {
    void (*both_f32)(const float *p, const float *q, size_t n, double *forward, double *reverse);
    void (*stats_f32)(const float *p, const float *q, size_t n, kld_stats *out);
    void (*both_f64)(const double *p, const double *q, size_t n, double *forward, double *reverse);
    void (*stats_f64)(const double *p, const double *q, size_t n, kld_stats *out);
    /* temperature is finite and > 0 */
    void (*stats_logits_f32)(const float *a, const float *b, size_t n, float temperature,
                             kld_logit_stats *out);
    /* the two KLs alone: no entropies, no argmax */
    void (*both_logits_f32)(const float *a, const float *b, size_t n, float temperature,
                            double *forward, double *reverse);
} kld_kernels;

#define KLD_DECLARE_PATH(isa)                                                                    \
    void kld_both_f32_##isa(const float *p, const float *q, size_t n, double *f, double *r);     \
    void kld_stats_f32_##isa(const float *p, const float *q, size_t n, kld_stats *out);          \
    void kld_both_f64_##isa(const double *p, const double *q, size_t n, double *f, double *r);   \
    void kld_stats_f64_##isa(const double *p, const double *q, size_t n, kld_stats *out);        \
    void kld_stats_logits_f32_##isa(const float *a, const float *b, size_t n, float temperature, \
                                    kld_logit_stats *out);                                       \
    void kld_both_logits_f32_##isa(const float *a, const float *b, size_t n, float temperature,  \
                                   double *f, double *r);
#define KLD_PATH_TABLE(isa)                                                                      \
    {kld_both_f32_##isa, kld_stats_f32_##isa, kld_both_f64_##isa, kld_stats_f64_##isa,          \
     kld_stats_logits_f32_##isa, kld_both_logits_f32_##isa}

KLD_DECLARE_PATH(scalar)
#if defined(__x86_64__)
KLD_DECLARE_PATH(avx2)
KLD_DECLARE_PATH(avx512)
#endif
#if defined(__aarch64__)
KLD_DECLARE_PATH(neon)
#endif

/* kld_both_logits_f32 at a temperature (for the rows API): the same argument conventions. */
void kld_both_logits_at(const float *a, const float *b, size_t n, float temperature,
                        double *forward, double *reverse);

/* 1 if this CPU and OS can run the path's instructions (whether or not it is compiled in). */
int kld_cpu_runs(kld_isa isa);

/* The kernels of kld_isa_active(). */
const kld_kernels *kld_active_kernels(void);

#endif /* KLD_KERNELS_H */
