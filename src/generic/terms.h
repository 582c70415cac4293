/* terms.h - the per-element semantics of every sum, in double: the one definition that the scalar
 * reference uses for every element and the SIMD paths use for their rare special lanes. */
#ifndef KLD_TERMS_H
#define KLD_TERMS_H

#include <float.h>
#include <math.h>

#include "kld.h"

/* log(p/q) for finite p, q > 0, to about one ulp of the result. The quotient r = fl(p/q) is off by
 * up to half an ulp; fma(-r, q, p) is the exact residual p - r*q (when r is normal), so
 * log(p/q) = log(r) + residual/p to first order, which removes that error even when p ~ q and the
 * log is tiny. Outside the normal range the quotient is inexact or infinite, but then
 * |log(p/q)| > 708 dominates both logs and log p - log q loses at most a factor 2.1 of precision. */
static inline double kld_log_ratio(double p, double q)
{
    double r = p / q;
    if (r >= DBL_MIN && r <= DBL_MAX)
        return log(r) + fma(-r, q, p) / p;
    return log(p) - log(q);
}

/* Forward term p*log(p/q) with SciPy's rel_entr conventions. */
static inline double kld_term_forward(double p, double q)
{
    if (isnan(p) || isnan(q))
        return NAN;
    if (p > 0 && q > 0)
        return p * kld_log_ratio(p, q);
    if (p == 0 && q >= 0)
        return 0.0;
    return INFINITY;
}

/* Entropy term -p*log(p) with SciPy's entr conventions. */
static inline double kld_term_entropy(double p)
{
    if (isnan(p))
        return NAN;
    if (p > 0)
        return -p * log(p);
    if (p == 0)
        return 0.0;
    return -INFINITY;
}

/* Cross-entropy term: entropy_p + forward by definition; -p*log(q) directly when p is finite and
 * p, q > 0, so the two large logs of tail tokens never cancel (for q = +inf both forms give
 * -inf). p = +inf takes the definition: -inf + inf = NaN, as SciPy's entr + rel_entr. A finite p
 * has a finite entropy term, even where -p*log(p) overflows double (p near DBL_MAX), so an
 * infinite forward term decides the sum. */
static inline double kld_term_cross(double p, double q)
{
    if (p > 0 && p <= DBL_MAX && q > 0)
        return -p * log(q);
    double f = kld_term_forward(p, q);
    if (p > 0 && p <= DBL_MAX && f == INFINITY)
        return INFINITY;
    return kld_term_entropy(p) + f;
}

/* Total variation term |p - q| (the public sums halve the total): NaN, and inf - inf, give NaN. */
static inline double kld_term_tv(double p, double q)
{
    return fabs(p - q);
}

/* g(d) = ((1 + d) log(1 + d) + (1 - d) log(1 - d)) / 2 for |d| <= 1, the Jensen-Shannon term
 * per unit of m = (p + q)/2 with d = (p - q)/(p + q). For |d| <= 1/2 by its series
 * sum_k d^(2k) / (2k (2k - 1)), whose terms are all positive (no cancellation); beyond, from
 * a = 1 + d and b = 1 - d, where the two products cancel by at most a factor of 4. */
static inline double kld_js_g(double d, double a, double b)
{
    if (fabs(d) <= 0.5) {
        double z = d * d, zk = z, sum = 0.0;
        for (int k = 1; k <= 30; k++, zk *= z) {
            double term = zk / (2.0 * k * (2.0 * k - 1.0));
            sum += term;
            if (term < 0x1p-60 * sum)
                break;
        }
        return sum;
    }
    return 0.5 * ((a > 0 ? a * log(a) : 0.0) + (b > 0 ? b * log(b) : 0.0));
}

/* Jensen-Shannon term (p log(p/m) + q log(q/m))/2 = m g(d), m = (p + q)/2, d = (p - q)/(p + q),
 * with the conventions of rel_entr(p, m) + rel_entr(q, m): NaN or an infinity gives NaN, a
 * negative value +inf, p = q = 0 gives 0, one of them 0 gives m log 2. a = 2 (p/s) and
 * b = 2 (q/s), s = p + q, are formed directly, so that 1 - d never loses its digits. */
static inline double kld_term_js(double p, double q)
{
    if (isnan(p) || isnan(q) || isinf(p) || isinf(q))
        return NAN;
    if (p < 0 || q < 0)
        return INFINITY;
    double s = p + q;
    if (s == 0)
        return 0.0;
    if (s > DBL_MAX) /* both near DBL_MAX: halve first (no precision is lost up there) */
        return 2 * kld_term_js(0.5 * p, 0.5 * q);
    return 0.5 * s * kld_js_g((p - q) / s, 2 * (p / s), 2 * (q / s));
}

/* The six per-element sums of kld_stats other than sum_p and sum_q. */
typedef struct kld_terms {
    double forward, reverse, entropy_p, entropy_q, cross_pq, cross_qp;
} kld_terms;

static inline void kld_terms_add(kld_terms *t, double p, double q)
{
    t->forward += kld_term_forward(p, q);
    t->reverse += kld_term_forward(q, p);
    t->entropy_p += kld_term_entropy(p);
    t->entropy_q += kld_term_entropy(q);
    t->cross_pq += kld_term_cross(p, q);
    t->cross_qp += kld_term_cross(q, p);
}

static inline void kld_terms_merge(kld_terms *t, const kld_terms *b)
{
    t->forward += b->forward;
    t->reverse += b->reverse;
    t->entropy_p += b->entropy_p;
    t->entropy_q += b->entropy_q;
    t->cross_pq += b->cross_pq;
    t->cross_qp += b->cross_qp;
}

/* The results of a call that has no answer: every sum NaN; for logits (NaN or +inf in a row, a
 * row of all -inf, or no valid temperature) lse NaN too and argmax n. */
static inline kld_stats kld_stats_nan(void)
{
    return (kld_stats){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
}

static inline void kld_logits_nan(kld_logit_stats *out, size_t n)
{
    *out = (kld_logit_stats){kld_stats_nan(), NAN, NAN, n, n};
}

#endif /* KLD_TERMS_H */
