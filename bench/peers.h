/* peers.h - what a user would write instead of calling kld, and the floors, as C functions the
 * harness times next to kld. Each returns a value so the work cannot be optimised away. */
#ifndef KLD_BENCH_PEERS_H
#define KLD_BENCH_PEERS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* -O2 scalar C: libm logf of the ratio, double accumulators, forward and reverse. */
double peer_scalar_libm(const float *p, const float *q, size_t n);
/* KL from logits the way a scalar evaluation tool does it (llama.cpp's perplexity KL mode, for one):
 * three passes per row (max, sum of exp, then log-softmax of both rows and the KL sum). */
double peer_logsoftmax_3pass_scalar(const float *a, const float *b, size_t n);
/* gcc -O3 -ffast-math -march=native -mprefer-vector-width=512: glibc libmvec vector logf of the
 * ratio, float accumulators, forward and reverse. */
double peer_fastmath_libmvec(const float *p, const float *q, size_t n);

double floor_read_avx2(const float *p, const float *q, size_t n);
double floor_log_avx2(const float *p, const float *q, size_t n);
double floor_read_avx512(const float *p, const float *q, size_t n);
double floor_log_avx512(const float *p, const float *q, size_t n);
/* One SLEEF u10 exp of every element of a and of b (the exps of a logits kernel). */
double floor_exp2_avx2(const float *a, const float *b, size_t n);
double floor_exp2_avx512(const float *a, const float *b, size_t n);

#ifdef __cplusplus
}
#endif

#endif
