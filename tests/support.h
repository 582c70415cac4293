/* support.h - test helpers: a deterministic generator of LLM-like rows, a long-double reference
 * written independently of the library, the accuracy bounds, and per-path test registration. */
#ifndef KLD_TEST_SUPPORT_H
#define KLD_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "kld.h"

/* splitmix64: fixed seeds make every run see the same inputs. */
typedef struct { uint64_t s; } rng;
uint64_t rng_next(rng *r);
double rng_uniform(rng *r);      /* in (0, 1) */
double rng_normal(rng *r);       /* N(0, 1) */
double rng_cauchy(rng *r);       /* standard Cauchy: heavy tails */

/* p = softmax(z), q = softmax(z + e): z ~ N(0, sz^2) (or Cauchy * sz when heavy), e ~ N(0, s^2),
 * computed in double, then stored as double and as the nearest floats. */
typedef struct {
    size_t n;
    double *p64, *q64;
    float *p32, *q32;
} rows;
rows rows_llm(uint64_t seed, size_t n, double sz, double s, int heavy);
void rows_sync_f32(rows *r); /* p32, q32 <- p64, q64 (after a test edits the doubles) */
void rows_free(rows *r);

/* The exact sums of the same inputs (long double, SciPy's conventions), and sum |term| of each
 * KL direction, which bounds the error any rounding of the terms can cause. */
typedef struct {
    long double forward, reverse, entropy_p, entropy_q, cross_pq, cross_qp, sum_p, sum_q;
    long double abs_forward, abs_reverse;
} exact;
exact exact_f64(const double *p, const double *q, size_t n);
exact exact_f32(const float *p, const float *q, size_t n);

/* A row pair with its exact sums, built once per process and shared by every path's test:
 * the long-double reference is the slow part (software quad on aarch64, under qemu in CI).
 * edit, when not NULL, changes r->p64 and r->q64 after generation (p32/q32 follow). */
typedef struct {
    rows r;
    exact e32, e64;
} dataset;
typedef void (*dataset_edit)(rows *r);
const dataset *dataset_get(uint64_t seed, size_t n, double sz, double s, int heavy,
                           dataset_edit edit);
void dataset_free_all(void);

/* Logits like an LLM's: a = z, b = z + e, z ~ N(0, sz^2) (or Cauchy), e ~ N(0, s^2). */
typedef struct {
    size_t n;
    float *a, *b;
} logits;

logits logits_llm(uint64_t seed, size_t n, double sz, double s, int heavy);
void logits_free(logits *l);

/* The exact values of the logits kernels' outputs for a and b at temperature t (long double:
 * log p = a/t - lse_a, p = e^(log p)), with SciPy's conventions for masked (-inf) tokens. */
typedef struct {
    long double forward, reverse, entropy_p, entropy_q, cross_pq, cross_qp, lse_a, lse_b;
    long double abs_forward, abs_reverse;
    long double js, tv; /* Jensen-Shannon and total variation of P and Q */
    size_t argmax_a, argmax_b;
    int nan; /* NaN or +inf in a row, or a row of all -inf */
} exact_logits;
exact_logits exact_logits_f32(const float *a, const float *b, size_t n, float t);
/* The Jensen-Shannon term (p log(2p/(p+q)) + q log(2q/(p+q)))/2 from the definition, with
 * rel_entr's conventions (NaN or an infinity: NaN; a negative value: +inf). */
long double exact_js_term(long double p, long double q);

/* Checks every field of a kld_logit_stats against the exact values. */
void check_logit_stats(const kld_logit_stats *s, const exact_logits *e, size_t n);

/* The accuracy required of a KL value computed from float inputs: relative 1e-6 when KL >= 1e-2,
 * 1e-5 when KL >= 1e-4, absolute 1e-9 below; never tighter than 6e-8 * sum |terms|. */
double tol_kl_f32(long double kl, long double abs_terms);
/* JS and TV from float logits: the tiers of tol_kl_f32 (docs/accuracy.md derives them). */
double tol_div_f32(long double value);
/* Entropies and cross-entropies from float inputs: 1e-6 relative. */
double tol_entropy_f32(long double h);
/* f64 inputs: 1e-10 relative (KL >= 1e-6); below, 4 ulp of sum |terms|. */
double tol_kl_f64(long double kl, long double abs_terms);
double tol_entropy_f64(long double h);

/* Fails the test, with a message naming what, when |got - want| > tol. Equal infinities and
 * NaN == NaN count as equal. */
void check_close(const char *what, double got, long double want, double tol);
void check_stats_f32(const kld_stats *s, const exact *e);
void check_stats_f64(const kld_stats *s, const exact *e);

/* Tests that run once per path: registered by name, run as "name/path". The runner forces the
 * path before the test and checks that it is still the active one after, so every kld call in
 * the test runs on that path. A path this CPU cannot run is reported as skipped. */
typedef void (*path_test_fn)(void);
typedef struct { const char *name; path_test_fn fn; } path_test;

#endif /* KLD_TEST_SUPPORT_H */
