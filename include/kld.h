/* kld.h - the public API of kld: fused, SIMD-vectorized Kullback-Leibler divergence kernels. */
#ifndef KLD_H
#define KLD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(KLD_BUILDING) && defined(__GNUC__)
#define KLD_API __attribute__((visibility("default")))
#else
#define KLD_API
#endif

#define KLD_VERSION_MAJOR 0
#define KLD_VERSION_MINOR 2
#define KLD_VERSION_PATCH 0

/*
 * Conventions shared by every kernel (details and derivations: docs/accuracy.md):
 *
 * - All logarithms are natural: results are in nats.
 * - Terms follow SciPy's scipy.special.rel_entr and entr:
 *     forward term  p>0,q>0: p*log(p/q);  p==0,q>=0: 0;  otherwise (q==0<p, any negative): +inf.
 *     reverse term  the same with p and q swapped.
 *     entropy term  p>0: -p*log(p);  p==0: 0;  p<0: -inf.
 *     cross term    cross_pq = entropy_p + forward, term by term (so -p*log(q) when p,q > 0 and
 *                   p is finite; p = +inf gives -inf + inf = NaN, as SciPy's entr + rel_entr).
 *   A NaN anywhere in p or q makes every sum that reads it NaN.
 *   One deliberate difference: where p/q overflows or underflows double but p and q are finite,
 *   kld returns the exact p*(log p - log q), SciPy inf or 0 (rel_entr(0.5, 5e-324) is inf in
 *   SciPy; kld gives 371.87346237041066).
 * - Inputs are used as given: nothing is renormalised. sum_p and sum_q report the input sums.
 * - n == 0 gives 0. A NULL input pointer with n > 0 gives NaN results, never a crash.
 *   Pointers must be aligned for their element type, as C requires of any float * or double *;
 *   beyond that any offset and any n are accepted, and no kernel reads or writes outside
 *   [p, p+n) and [q, q+n).
 * - The library never allocates, prints, aborts or starts threads. Every function is thread-safe.
 * - Error bounds for each kernel are documented and tested; see docs/accuracy.md.
 */

/*! kld_stats : every sum one pass over p and q yields. */
typedef struct kld_stats {
    double forward;   /* KL(P||Q) = sum p*log(p/q), nats */
    double reverse;   /* KL(Q||P) = sum q*log(q/p) */
    double entropy_p; /* H(P) = -sum p*log p */
    double entropy_q; /* H(Q) */
    double cross_pq;  /* H(P,Q) = -sum p*log q = H(P) + KL(P||Q) */
    double cross_qp;  /* H(Q,P) = H(Q) + KL(Q||P) */
    double sum_p, sum_q;
} kld_stats;

/*! kld_forward_f32() :
 *  @return KL(P||Q) = sum_i p[i]*log(p[i]/q[i]) over n elements, accumulated in double. */
KLD_API double kld_forward_f32(const float *p, const float *q, size_t n);

/*! kld_reverse_f32() :
 *  @return KL(Q||P) = sum_i q[i]*log(q[i]/p[i]); the same as kld_forward_f32(q, p, n). */
KLD_API double kld_reverse_f32(const float *p, const float *q, size_t n);

/*! kld_both_f32() : the fused kernel. One pass over p and q, one logarithm per element,
 *  yields both directions. Either output pointer may be NULL when that value is not wanted. */
KLD_API void kld_both_f32(const float *p, const float *q, size_t n, double *forward,
                          double *reverse);

/*! kld_stats_f32() : all eight sums of kld_stats from one pass over p and q.
 *  Does nothing when out is NULL. */
KLD_API void kld_stats_f32(const float *p, const float *q, size_t n, kld_stats *out);

/*! The same four kernels for double-precision inputs. */
KLD_API double kld_forward_f64(const double *p, const double *q, size_t n);
KLD_API double kld_reverse_f64(const double *p, const double *q, size_t n);
KLD_API void kld_both_f64(const double *p, const double *q, size_t n, double *forward,
                          double *reverse);
KLD_API void kld_stats_f64(const double *p, const double *q, size_t n, kld_stats *out);

/*! The same four kernels for half-precision inputs, passed as their bits: IEEE binary16 (_f16)
 *  and bfloat16 (_bf16). Every f16 and bf16 value is a float, so each kernel is the f32 kernel
 *  on the widened values, with its error bound; subnormals, infinities and NaN follow the f32
 *  conventions. The x86 avx2 path needs F16C for f16 (every AVX2 CPU has it; dispatch checks). */
KLD_API double kld_forward_f16(const uint16_t *p, const uint16_t *q, size_t n);
KLD_API double kld_reverse_f16(const uint16_t *p, const uint16_t *q, size_t n);
KLD_API void kld_both_f16(const uint16_t *p, const uint16_t *q, size_t n, double *forward,
                          double *reverse);
KLD_API void kld_stats_f16(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);
KLD_API double kld_forward_bf16(const uint16_t *p, const uint16_t *q, size_t n);
KLD_API double kld_reverse_bf16(const uint16_t *p, const uint16_t *q, size_t n);
KLD_API void kld_both_bf16(const uint16_t *p, const uint16_t *q, size_t n, double *forward,
                           double *reverse);
KLD_API void kld_stats_bf16(const uint16_t *p, const uint16_t *q, size_t n, kld_stats *out);

/*! kld_js_f32() : the Jensen-Shannon divergence JS(P,Q) = KL(P||M)/2 + KL(Q||M)/2,
 *  M = (P+Q)/2, in nats: a divergence between 0 and log 2, not SciPy's jensenshannon, which
 *  returns its square root (a distance). Terms follow rel_entr(p, m) + rel_entr(q, m): a zero on
 *  one side gives a finite m log 2, p = q = 0 gives 0, a negative value +inf, NaN or an infinity
 *  NaN. Computed without cancellation (docs/accuracy.md: <= 9e-7 relative on f32 inputs). */
KLD_API double kld_js_f32(const float *p, const float *q, size_t n);
KLD_API double kld_js_f64(const double *p, const double *q, size_t n);
KLD_API double kld_js_f16(const uint16_t *p, const uint16_t *q, size_t n);
KLD_API double kld_js_bf16(const uint16_t *p, const uint16_t *q, size_t n);

/*! kld_tv_f32() : the total variation distance TV(P,Q) = (1/2) sum |p - q|; for distributions,
 *  1 - sum min(p, q): one minus the acceptance rate of speculative decoding. NaN anywhere, or
 *  inf - inf, gives NaN; values are used as given (negatives too). kld_stats does not carry it:
 *  a new field would change the size of a struct that callers allocate (an ABI break without a
 *  version bump), and on its own it costs one read of p and q (about 1.2x the read floor). */
KLD_API double kld_tv_f32(const float *p, const float *q, size_t n);
KLD_API double kld_tv_f64(const double *p, const double *q, size_t n);
KLD_API double kld_tv_f16(const uint16_t *p, const uint16_t *q, size_t n);
KLD_API double kld_tv_bf16(const uint16_t *p, const uint16_t *q, size_t n);

/*! kld_logit_stats : the stats of P = softmax(a/T) and Q = softmax(b/T), from logits. */
typedef struct kld_logit_stats {
    kld_stats kl;              /* the eight sums; sum_p = sum_q = 1 by construction */
    double lse_a, lse_b;       /* log-sum-exp of a*s and of b*s, s = 1/T rounded to float */
    size_t argmax_a, argmax_b; /* top token of each row (lowest index on ties); n for a NaN row */
} kld_logit_stats;

/*
 * Logits kernels: P = softmax(a/T), Q = softmax(b/T), computed without materialising either
 * softmax (two passes over a and b: maxima, then sums). Conventions:
 * - a logit of -inf is a masked token (probability 0). A token masked in b but not in a makes the
 *   forward KL +inf (the reverse: the mirror); a token masked in both contributes nothing.
 * - Temperature: every path scales logits as (a - max a) * s with s = 1/T rounded to float once
 *   (for T = 1, s = 1 exactly). T must be finite and positive with 1/T finite in float, that is
 *   1/FLT_MAX <= T <= FLT_MAX (about 2.9e-39 to 3.4e38); any other T (0, negative, NaN, inf,
 *   smaller) gives NaN results, argmax = n, on every path.
 * - NaN or +inf anywhere in a row, or a row of all -inf (in a or b), gives NaN in every value of
 *   that row (lse too, argmax = n).
 * - n == 0 gives 0 for every KL, entropy and cross-entropy, lse = -inf, argmax = 0.
 * - The functions without a temperature use T = 1.
 */

/*! kld_forward_logits_f32() : @return KL(softmax(a) || softmax(b)). */
KLD_API double kld_forward_logits_f32(const float *a, const float *b, size_t n);
/*! kld_reverse_logits_f32() : @return KL(softmax(b) || softmax(a)). */
KLD_API double kld_reverse_logits_f32(const float *a, const float *b, size_t n);
/*! kld_both_logits_f32() : both directions in one call; either output may be NULL. */
KLD_API void kld_both_logits_f32(const float *a, const float *b, size_t n, double *forward,
                                 double *reverse);
/*! kld_stats_logits_f32() : everything, at temperature T. Does nothing when out is NULL. */
KLD_API void kld_stats_logits_f32(const float *a, const float *b, size_t n, float temperature,
                                  kld_logit_stats *out);

/*! The same four logits kernels for f16 and bf16 logits (their bits), with the same
 *  conventions; each is the f32 kernel on the widened logits. */
KLD_API double kld_forward_logits_f16(const uint16_t *a, const uint16_t *b, size_t n);
KLD_API double kld_reverse_logits_f16(const uint16_t *a, const uint16_t *b, size_t n);
KLD_API void kld_both_logits_f16(const uint16_t *a, const uint16_t *b, size_t n, double *forward,
                                 double *reverse);
KLD_API void kld_stats_logits_f16(const uint16_t *a, const uint16_t *b, size_t n,
                                  float temperature, kld_logit_stats *out);
KLD_API double kld_forward_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n);
KLD_API double kld_reverse_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n);
KLD_API void kld_both_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n,
                                  double *forward, double *reverse);
KLD_API void kld_stats_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n,
                                   float temperature, kld_logit_stats *out);

/*! kld_js_logits_f32() : JS(P, Q) of P = softmax(a/T), Q = softmax(b/T), in nats, as kld_js_f32
 *  defines it; kld_tv_logits_f32() : TV(P, Q) likewise. The conventions of the logits kernels
 *  above (temperature, NaN, +inf, all -inf, n == 0 gives 0), except that a token masked on one
 *  side only is finite here: it adds p log 2 / 2 to the JS (q = 0) and p / 2 to the TV. Computed
 *  from the log-ratio of each pair, so that close distributions lose nothing to p - q
 *  (docs/accuracy.md: the bounds of kld_js_f32 and kld_tv_f32, plus the logits' rounding). */
KLD_API double kld_js_logits_f32(const float *a, const float *b, size_t n, float temperature);
KLD_API double kld_tv_logits_f32(const float *a, const float *b, size_t n, float temperature);
KLD_API double kld_js_logits_f16(const uint16_t *a, const uint16_t *b, size_t n,
                                 float temperature);
KLD_API double kld_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t n,
                                 float temperature);
KLD_API double kld_js_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n,
                                  float temperature);
KLD_API double kld_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n,
                                  float temperature);

/*
 * Rows: row r of p starts at p + r*ldp elements (ldp >= n), likewise q (ldq), a, b; results go to
 * element r of each output array, and equal the single-row call on that row exactly.
 * Any output array may be NULL. rows == 0 does nothing. A NULL input with rows > 0 and n > 0, or
 * ldp < n (ldq, lda, ldb likewise) with rows > 1, gives NaN in every output row.
 * Rows are independent and the library holds no per-call state: a caller may split rows across
 * its own threads, each calling these functions on its own range. kld starts no threads.
 */
KLD_API void kld_rows_both_f32(const float *p, const float *q, size_t rows, size_t n, size_t ldp,
                               size_t ldq, double *forward, double *reverse);
KLD_API void kld_rows_stats_f32(const float *p, const float *q, size_t rows, size_t n,
                                size_t ldp, size_t ldq, kld_stats *out);
KLD_API void kld_rows_both_logits_f32(const float *a, const float *b, size_t rows, size_t n,
                                      size_t lda, size_t ldb, float temperature, double *forward,
                                      double *reverse);
KLD_API void kld_rows_stats_logits_f32(const float *a, const float *b, size_t rows, size_t n,
                                       size_t lda, size_t ldb, float temperature,
                                       kld_logit_stats *out);
KLD_API void kld_rows_both_f64(const double *p, const double *q, size_t rows, size_t n,
                               size_t ldp, size_t ldq, double *forward, double *reverse);
KLD_API void kld_rows_stats_f64(const double *p, const double *q, size_t rows, size_t n,
                                size_t ldp, size_t ldq, kld_stats *out);
/*! The same four for f16 and bf16 rows (their bits); ldp, ldq, lda, ldb count elements. */
KLD_API void kld_rows_both_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n,
                               size_t ldp, size_t ldq, double *forward, double *reverse);
KLD_API void kld_rows_stats_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n,
                                size_t ldp, size_t ldq, kld_stats *out);
KLD_API void kld_rows_both_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                                      size_t lda, size_t ldb, float temperature, double *forward,
                                      double *reverse);
KLD_API void kld_rows_stats_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows,
                                       size_t n, size_t lda, size_t ldb, float temperature,
                                       kld_logit_stats *out);
KLD_API void kld_rows_both_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n,
                                size_t ldp, size_t ldq, double *forward, double *reverse);
KLD_API void kld_rows_stats_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n,
                                 size_t ldp, size_t ldq, kld_stats *out);
KLD_API void kld_rows_both_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows,
                                       size_t n, size_t lda, size_t ldb, float temperature,
                                       double *forward, double *reverse);
KLD_API void kld_rows_stats_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows,
                                        size_t n, size_t lda, size_t ldb, float temperature,
                                        kld_logit_stats *out);

/*! Jensen-Shannon and total variation per row, into out[r] (NULL: nothing is written). */
KLD_API void kld_rows_js_f32(const float *p, const float *q, size_t rows, size_t n,
                              size_t ldp, size_t ldq, double *out);
KLD_API void kld_rows_tv_f32(const float *p, const float *q, size_t rows, size_t n,
                              size_t ldp, size_t ldq, double *out);
KLD_API void kld_rows_js_f64(const double *p, const double *q, size_t rows, size_t n,
                              size_t ldp, size_t ldq, double *out);
KLD_API void kld_rows_tv_f64(const double *p, const double *q, size_t rows, size_t n,
                              size_t ldp, size_t ldq, double *out);
KLD_API void kld_rows_js_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n,
                              size_t ldp, size_t ldq, double *out);
KLD_API void kld_rows_tv_f16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n,
                              size_t ldp, size_t ldq, double *out);
KLD_API void kld_rows_js_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n,
                              size_t ldp, size_t ldq, double *out);
KLD_API void kld_rows_tv_bf16(const uint16_t *p, const uint16_t *q, size_t rows, size_t n,
                              size_t ldp, size_t ldq, double *out);
KLD_API void kld_rows_js_logits_f32(const float *a, const float *b, size_t rows, size_t n,
                                    size_t lda, size_t ldb, float temperature, double *out);
KLD_API void kld_rows_tv_logits_f32(const float *a, const float *b, size_t rows, size_t n,
                                    size_t lda, size_t ldb, float temperature, double *out);
KLD_API void kld_rows_js_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                                    size_t lda, size_t ldb, float temperature, double *out);
KLD_API void kld_rows_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                                    size_t lda, size_t ldb, float temperature, double *out);
KLD_API void kld_rows_js_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                                     size_t lda, size_t ldb, float temperature, double *out);
KLD_API void kld_rows_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows, size_t n,
                                     size_t lda, size_t ldb, float temperature, double *out);

/*
 * Stats, JS and TV of one pair from one call: what kld_stats_* (or kld_stats_logits_*),
 * kld_js_* and kld_tv_* return, computed together so that the inputs are read once
 * (probabilities: one pass; logits: the stats kernel's passes and one pass for the JS and TV
 * terms, in place of the 3 + 3 more passes of the separate calls). Every field equals the
 * separate function's result on the same path, bit for bit: the same code computes it
 * (docs/accuracy.md), so the separate functions' bounds and conventions hold field by field.
 */

/*! kld_stats_js_tv : the results of kld_stats_js_tv_f32 and its kin. */
typedef struct kld_stats_js_tv {
    kld_stats stats; /* kld_stats_f32's eight sums */
    double js;       /* kld_js_f32: the Jensen-Shannon divergence, nats */
    double tv;       /* kld_tv_f32: the total variation distance */
} kld_stats_js_tv;

/*! kld_stats_js_tv_f32() : kld_stats_f32, kld_js_f32 and kld_tv_f32 of p and q in one pass.
 *  Does nothing when out is NULL; n == 0 gives 0 in every field, a NULL input NaN. */
KLD_API void kld_stats_js_tv_f32(const float *p, const float *q, size_t n, kld_stats_js_tv *out);
KLD_API void kld_stats_js_tv_f64(const double *p, const double *q, size_t n, kld_stats_js_tv *out);
KLD_API void kld_stats_js_tv_f16(const uint16_t *p, const uint16_t *q, size_t n,
                                 kld_stats_js_tv *out);
KLD_API void kld_stats_js_tv_bf16(const uint16_t *p, const uint16_t *q, size_t n,
                                  kld_stats_js_tv *out);

/*! kld_logit_stats_js_tv : the results of kld_stats_js_tv_logits_f32 and its kin. */
typedef struct kld_logit_stats_js_tv {
    kld_logit_stats stats; /* kld_stats_logits_f32's: KLs, entropies, lse, argmax */
    double js;             /* kld_js_logits_f32 at the same temperature */
    double tv;             /* kld_tv_logits_f32 at the same temperature */
} kld_logit_stats_js_tv;

/*! kld_stats_js_tv_logits_f32() : kld_stats_logits_f32, kld_js_logits_f32 and
 *  kld_tv_logits_f32 of P = softmax(a/T), Q = softmax(b/T) in one call, with the conventions of
 *  the logits kernels (masks, temperature, NaN rows; n == 0 gives js = tv = 0). Does nothing
 *  when out is NULL. */
KLD_API void kld_stats_js_tv_logits_f32(const float *a, const float *b, size_t n,
                                        float temperature, kld_logit_stats_js_tv *out);
KLD_API void kld_stats_js_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t n,
                                        float temperature, kld_logit_stats_js_tv *out);
KLD_API void kld_stats_js_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t n,
                                         float temperature, kld_logit_stats_js_tv *out);

/*! The same per row, into out[r], with the conventions of the rows functions above. */
KLD_API void kld_rows_stats_js_tv_f32(const float *p, const float *q, size_t rows, size_t n,
                                      size_t ldp, size_t ldq, kld_stats_js_tv *out);
KLD_API void kld_rows_stats_js_tv_f64(const double *p, const double *q, size_t rows, size_t n,
                                      size_t ldp, size_t ldq, kld_stats_js_tv *out);
KLD_API void kld_rows_stats_js_tv_f16(const uint16_t *p, const uint16_t *q, size_t rows,
                                      size_t n, size_t ldp, size_t ldq, kld_stats_js_tv *out);
KLD_API void kld_rows_stats_js_tv_bf16(const uint16_t *p, const uint16_t *q, size_t rows,
                                       size_t n, size_t ldp, size_t ldq, kld_stats_js_tv *out);
KLD_API void kld_rows_stats_js_tv_logits_f32(const float *a, const float *b, size_t rows,
                                             size_t n, size_t lda, size_t ldb, float temperature,
                                             kld_logit_stats_js_tv *out);
KLD_API void kld_rows_stats_js_tv_logits_f16(const uint16_t *a, const uint16_t *b, size_t rows,
                                             size_t n, size_t lda, size_t ldb, float temperature,
                                             kld_logit_stats_js_tv *out);
KLD_API void kld_rows_stats_js_tv_logits_bf16(const uint16_t *a, const uint16_t *b, size_t rows,
                                              size_t n, size_t lda, size_t ldb,
                                              float temperature, kld_logit_stats_js_tv *out);

/*
 * Distillation: the loss of a divergence between the teacher's P = softmax(teacher/T) and the
 * student's Q = softmax(student/T), and its gradient with respect to the student's logits, from
 * one call over the two rows of logits (derivations and error bounds: docs/accuracy.md).
 * With s = 1/T rounded to float (the temperature rule of the logits kernels above), x the
 * student's scaled logits and y the teacher's:
 *   KLD_DISTILL_FORWARD  loss KL(P||Q) = sum p log(p/q)   gradient s (q - p)
 *   KLD_DISTILL_REVERSE  loss KL(Q||P) = sum q log(q/p)   gradient s q (log(q/p) - KL(Q||P))
 *   KLD_DISTILL_JS       loss JS(P,Q) = (KL(P||M) + KL(Q||M))/2, M = (P + Q)/2
 *                                                         gradient (s/2) q (log(q/m) - KL(Q||M))
 * The loss is the divergence itself, in nats, without Hinton's T^2 factor; the gradient is its
 * exact derivative d loss / d student[i]. A caller who wants the T^2-scaled loss multiplies both
 * by T^2.
 * Conventions, as the logits kernels' (and rows as in the rows API above):
 * - a logit of -inf is a masked token. Masked in the student only (q = 0 < p): the forward loss is
 *   +inf and its gradient is finite (-s p there); the reverse and JS terms are 0, as is the
 *   gradient there. Masked in the teacher only (p = 0 < q): the reverse loss is +inf and, as its
 *   derivative does not exist, the row's whole gradient is NaN; forward and JS stay finite.
 * - NaN or +inf anywhere in a row, a row of all -inf (either side), a NULL input with n > 0, a
 *   temperature without a finite float 1/T, or an unknown kind: the loss is NaN and every
 *   gradient element NaN.
 * - n == 0: the loss is 0 and nothing is written. loss or grad may be NULL (not computed; a NULL
 *   grad skips the gradient pass).
 * - Passes over the logits: 3 for forward (maxima; the softmax sums; loss and gradient), 4 for
 *   reverse and JS, whose gradient needs the loss-like constant KL(Q||P) or KL(Q||M) before its
 *   first element can be written (maxima; sums; constant and loss; gradient).
 */
/*! kld_distill_kind : which divergence kld_distill_* computes. */
typedef enum kld_distill_kind {
    KLD_DISTILL_FORWARD, /* KL(P||Q), P the teacher: Hinton's distillation loss */
    KLD_DISTILL_REVERSE, /* KL(Q||P): the reverse (mode-seeking) KL */
    KLD_DISTILL_JS       /* Jensen-Shannon divergence */
} kld_distill_kind;

/*! kld_distill_f32() : the loss into *loss and its gradient d loss / d student into grad[0..n).
 *  kld_distill_f16/_bf16 take half-precision logits (their bits) and write a float gradient;
 *  kld_distill_native_f16/_bf16 write the gradient in the input's type, rounded to nearest even
 *  from the float one; kld_distill_f64 reads and writes double (every path runs the scalar
 *  reference, in double: for float64 gradient checks). */
KLD_API void kld_distill_f32(const float *student, const float *teacher, size_t n,
                             float temperature, kld_distill_kind kind, double *loss, float *grad);
KLD_API void kld_distill_f64(const double *student, const double *teacher, size_t n,
                             float temperature, kld_distill_kind kind, double *loss, double *grad);
KLD_API void kld_distill_f16(const uint16_t *student, const uint16_t *teacher, size_t n,
                             float temperature, kld_distill_kind kind, double *loss, float *grad);
KLD_API void kld_distill_bf16(const uint16_t *student, const uint16_t *teacher, size_t n,
                              float temperature, kld_distill_kind kind, double *loss, float *grad);
KLD_API void kld_distill_native_f16(const uint16_t *student, const uint16_t *teacher, size_t n,
                                    float temperature, kld_distill_kind kind, double *loss,
                                    uint16_t *grad);
KLD_API void kld_distill_native_bf16(const uint16_t *student, const uint16_t *teacher, size_t n,
                                     float temperature, kld_distill_kind kind, double *loss,
                                     uint16_t *grad);

/*! kld_rows_distill_f32() : row r of the student starts at student + r*lds, of the teacher at
 *  teacher + r*ldt, of the gradient at grad + r*ldg (each >= n when rows > 1); loss[r] and the
 *  gradient row equal the single-row call's. Bad arguments (a NULL input with rows, n > 0, or an
 *  ld < n with rows > 1) give NaN losses, and NaN gradient rows unless ldg < n (then grad is not
 *  written). */
KLD_API void kld_rows_distill_f32(const float *student, const float *teacher, size_t rows,
                                  size_t n, size_t lds, size_t ldt, float temperature,
                                  kld_distill_kind kind, double *loss, float *grad, size_t ldg);
KLD_API void kld_rows_distill_f64(const double *student, const double *teacher, size_t rows,
                                  size_t n, size_t lds, size_t ldt, float temperature,
                                  kld_distill_kind kind, double *loss, double *grad, size_t ldg);
KLD_API void kld_rows_distill_f16(const uint16_t *student, const uint16_t *teacher, size_t rows,
                                  size_t n, size_t lds, size_t ldt, float temperature,
                                  kld_distill_kind kind, double *loss, float *grad, size_t ldg);
KLD_API void kld_rows_distill_bf16(const uint16_t *student, const uint16_t *teacher, size_t rows,
                                   size_t n, size_t lds, size_t ldt, float temperature,
                                   kld_distill_kind kind, double *loss, float *grad, size_t ldg);
KLD_API void kld_rows_distill_native_f16(const uint16_t *student, const uint16_t *teacher,
                                         size_t rows, size_t n, size_t lds, size_t ldt,
                                         float temperature, kld_distill_kind kind, double *loss,
                                         uint16_t *grad, size_t ldg);
KLD_API void kld_rows_distill_native_bf16(const uint16_t *student, const uint16_t *teacher,
                                          size_t rows, size_t n, size_t lds, size_t ldt,
                                          float temperature, kld_distill_kind kind, double *loss,
                                          uint16_t *grad, size_t ldg);

/*! kld_isa : the implementation paths. SCALAR is the reference and is always available. */
typedef enum kld_isa { KLD_ISA_SCALAR, KLD_ISA_AVX2, KLD_ISA_AVX512, KLD_ISA_NEON } kld_isa;

#define KLD_ISA_COUNT 4

/*! kld_isa_active() :
 *  @return the path every kernel call uses now. Resolved on first use: the one named by the
 *          environment variable KLD_ISA (scalar|avx2|avx512|neon) when that path is supported
 *          here; otherwise (KLD_ISA unset, unknown, or naming a path this CPU or build cannot
 *          run) the best path the CPU and OS support. The library prints nothing about it:
 *          kldiv warns when KLD_ISA names a path it does not use. */
KLD_API kld_isa kld_isa_active(void);

/*! kld_isa_supported() :
 *  @return 1 if the path is compiled into this library AND runnable on this CPU and OS, else 0. */
KLD_API int kld_isa_supported(kld_isa isa);

/*! kld_isa_force() : makes every later call in the process use this path
 *  (for tests and benchmarks; it is process-wide).
 *  @return 0, or -1 if the path is unsupported (the active path is then unchanged). */
KLD_API int kld_isa_force(kld_isa isa);

/*! kld_isa_name() :
 *  @return "scalar", "avx2", "avx512" or "neon"; "unknown" for any other value. */
KLD_API const char *kld_isa_name(kld_isa isa);

/*! kld_status : what kld_check_* found. */
typedef enum kld_status {
    KLD_OK,
    KLD_E_NULL,           /* p is NULL and n > 0 */
    KLD_E_NAN,            /* an element is NaN */
    KLD_E_INF,            /* an element is +inf or -inf */
    KLD_E_NEGATIVE,       /* an element is < 0 */
    KLD_E_NOT_NORMALIZED, /* |sum - 1| > tolerance */
    KLD_E_ARG             /* tolerance is NaN or negative */
} kld_status;

/*! kld_check_f32() : validates a probability vector before use.
 *  Scans p in order and reports the first bad element (its index goes to *bad_index when
 *  bad_index is not NULL); when all elements are finite and non-negative, checks
 *  |sum - 1| <= tolerance (the sum is accumulated in double; pass INFINITY to skip it).
 *  @return KLD_OK or the kind of the first problem. *bad_index is n for KLD_E_NOT_NORMALIZED
 *          and KLD_E_ARG, and is left untouched for KLD_OK and KLD_E_NULL. */
KLD_API kld_status kld_check_f32(const float *p, size_t n, double tolerance, size_t *bad_index);
KLD_API kld_status kld_check_f64(const double *p, size_t n, double tolerance, size_t *bad_index);
/*! The same check of f16 and bf16 probabilities (their bits), on their exact float values. */
KLD_API kld_status kld_check_f16(const uint16_t *p, size_t n, double tolerance, size_t *bad_index);
KLD_API kld_status kld_check_bf16(const uint16_t *p, size_t n, double tolerance,
                                  size_t *bad_index);

/*! kld_status_str() : @return a short English description of s, never NULL. */
KLD_API const char *kld_status_str(kld_status s);

#ifdef __cplusplus
}
#endif

#endif /* KLD_H */
