/* prob_template.h - the probability-space kernels (both, stats), written once over the lane
 * operations that an ops header defines, and stamped out once per ISA and element type.
 *
 * Include it once per translation unit, after defining KLD_NAME(name) (e.g. name##_f32_avx512,
 * which names the two exported kernels) and including an ops header
 * providing: elem, vec, mask, acc, KLD_LANES, KLD_RATIO_MIN/MAX (the normal range of elem),
 * v_load, v_store, v_set1, v_add, v_div, v_fnmadd (c - a*b), v_log, v_select(m, if_set, if_not),
 * m_gt, m_ge, m_le, m_eq, m_and, m_or, m_bits (bit i = lane i), acc_fma (acc + x*y in
 * double), acc_add (acc + x in double), acc_sum.
 *
 * Every lane of a block falls in one of three classes:
 *   fast    p > 0, q > 0 and p/q in the normal range: one log of the ratio, corrected by the exact
 *           FMA residual, products and sums in double;
 *   zero    p, q finite and >= 0 with at least one of them 0: each term is 0 or +inf, which is
 *           recorded as a flag (inf is absorbing, so the order of addition does not matter);
 *   special everything else (NaN, infinities, negatives, ratios outside the normal range): rare,
 *           and handed to the scalar definitions of terms.h one lane at a time.
 * The tail (n not a multiple of KLD_LANES) is copied into a zero-filled block, so nothing is read
 * past n; its padding lanes are zero-class lanes with p = q = 0 and add exactly 0 everywhere.
 */
#include <math.h>
#include <string.h>

#include "terms.h"

#define KLD_ALL_LANES ((1u << KLD_LANES) - 1u)

/* The lane classes of one block, and the corrected log(p/q) of its fast lanes (0 elsewhere). */
typedef struct {
    mask fast, zero;
    vec log_ratio;
} lanes;

static inline lanes classify(vec p, vec q)
{
    const vec zero = v_set1(0), one = v_set1(1);
    const vec lo = v_set1(KLD_RATIO_MIN), hi = v_set1(KLD_RATIO_MAX);
    vec ratio = v_div(p, q);
    mask fast = m_and(m_and(m_gt(p, zero), m_gt(q, zero)),
                      m_and(m_ge(ratio, lo), m_le(ratio, hi)));
    mask finite_nonneg = m_and(m_and(m_ge(p, zero), m_le(p, hi)), m_and(m_ge(q, zero), m_le(q, hi)));
    mask zero_class = m_and(finite_nonneg, m_or(m_eq(p, zero), m_eq(q, zero)));
    /* Non-fast lanes take p = q = r = 1, so their log is exactly 0 and nothing divides by 0. */
    vec r = v_select(fast, ratio, one);
    vec pf = v_select(fast, p, one), qf = v_select(fast, q, one);
    vec log_ratio = v_add(v_log(r), v_div(v_fnmadd(r, qf, pf), pf));
    return (lanes){fast, zero_class, log_ratio};
}

/* Lanes that are neither fast nor zero-class, through the scalar definitions. */
static void special_both(vec p, vec q, unsigned handled, double *f, double *r)
{
    elem ps[KLD_LANES], qs[KLD_LANES];
    v_store(ps, p);
    v_store(qs, q);
    for (unsigned k = 0; k < KLD_LANES; k++)
        if (!(handled >> k & 1u)) {
            *f += kld_term_forward(ps[k], qs[k]);
            *r += kld_term_forward(qs[k], ps[k]);
        }
}

static void special_stats(vec p, vec q, unsigned handled, kld_terms *t)
{
    elem ps[KLD_LANES], qs[KLD_LANES];
    v_store(ps, p);
    v_store(qs, q);
    for (unsigned k = 0; k < KLD_LANES; k++)
        if (!(handled >> k & 1u))
            kld_terms_add(t, ps[k], qs[k]);
}

typedef struct {
    acc f, r;           /* sum p*log(p/q) and sum q*log(p/q) over fast lanes */
    double f_x, r_x;    /* special lanes */
    unsigned f_inf, r_inf; /* a zero-class lane gave +inf */
} both_sums;

static inline void both_block(both_sums *s, vec p, vec q)
{
    const vec zero = v_set1(0);
    lanes c = classify(p, q);
    s->f = acc_fma(s->f, v_select(c.fast, p, zero), c.log_ratio);
    s->r = acc_fma(s->r, v_select(c.fast, q, zero), c.log_ratio);
    s->f_inf |= m_bits(m_and(c.zero, m_gt(p, zero)));
    s->r_inf |= m_bits(m_and(c.zero, m_gt(q, zero)));
    unsigned handled = m_bits(m_or(c.fast, c.zero));
    if (handled != KLD_ALL_LANES)
        special_both(p, q, handled, &s->f_x, &s->r_x);
}

void KLD_NAME(kld_both)(const elem *p, const elem *q, size_t n, double *forward, double *reverse)
{
    both_sums s = {0}; /* all-zero bits are 0.0 in every accumulator */
    size_t i = 0;
    for (; i + KLD_LANES <= n; i += KLD_LANES)
        both_block(&s, v_load(p + i), v_load(q + i));
    if (i < n) {
        elem pt[KLD_LANES] = {0}, qt[KLD_LANES] = {0};
        memcpy(pt, p + i, (n - i) * sizeof(elem));
        memcpy(qt, q + i, (n - i) * sizeof(elem));
        both_block(&s, v_load(pt), v_load(qt));
    }
    *forward = acc_sum(s.f) + s.f_x + (s.f_inf ? INFINITY : 0.0);
    *reverse = -acc_sum(s.r) + s.r_x + (s.r_inf ? INFINITY : 0.0);
}

typedef struct {
    acc f, r, hp, hq, cpq, cqp, sp, sq; /* signs as in both_sums; entropies and crosses negated */
    kld_terms x;                        /* special lanes */
    unsigned f_inf, r_inf;              /* also the cross-entropy flags: cross = entropy + KL */
} stats_sums;

static inline void stats_block(stats_sums *s, vec p, vec q)
{
    const vec zero = v_set1(0), one = v_set1(1);
    lanes c = classify(p, q);
    mask good = m_or(c.fast, c.zero);
    vec pg = v_select(good, p, zero), qg = v_select(good, q, zero);
    vec lp = v_log(v_select(m_gt(pg, zero), pg, one));
    vec lq = v_log(v_select(m_gt(qg, zero), qg, one));
    vec pf = v_select(c.fast, p, zero), qf = v_select(c.fast, q, zero);
    s->f = acc_fma(s->f, pf, c.log_ratio);
    s->r = acc_fma(s->r, qf, c.log_ratio);
    s->hp = acc_fma(s->hp, pg, lp);
    s->hq = acc_fma(s->hq, qg, lq);
    s->cpq = acc_fma(s->cpq, pf, lq);
    s->cqp = acc_fma(s->cqp, qf, lp);
    s->sp = acc_add(s->sp, p);
    s->sq = acc_add(s->sq, q);
    s->f_inf |= m_bits(m_and(c.zero, m_gt(p, zero)));
    s->r_inf |= m_bits(m_and(c.zero, m_gt(q, zero)));
    unsigned handled = m_bits(good);
    if (handled != KLD_ALL_LANES)
        special_stats(p, q, handled, &s->x);
}

void KLD_NAME(kld_stats)(const elem *p, const elem *q, size_t n, kld_stats *out)
{
    stats_sums s = {0};
    size_t i = 0;
    for (; i + KLD_LANES <= n; i += KLD_LANES)
        stats_block(&s, v_load(p + i), v_load(q + i));
    if (i < n) {
        elem pt[KLD_LANES] = {0}, qt[KLD_LANES] = {0};
        memcpy(pt, p + i, (n - i) * sizeof(elem));
        memcpy(qt, q + i, (n - i) * sizeof(elem));
        stats_block(&s, v_load(pt), v_load(qt));
    }
    double f_inf = s.f_inf ? INFINITY : 0.0, r_inf = s.r_inf ? INFINITY : 0.0;
    out->forward = acc_sum(s.f) + s.x.forward + f_inf;
    out->reverse = -acc_sum(s.r) + s.x.reverse + r_inf;
    out->entropy_p = -acc_sum(s.hp) + s.x.entropy_p;
    out->entropy_q = -acc_sum(s.hq) + s.x.entropy_q;
    out->cross_pq = -acc_sum(s.cpq) + s.x.cross_pq + f_inf;
    out->cross_qp = -acc_sum(s.cqp) + s.x.cross_qp + r_inf;
    out->sum_p = acc_sum(s.sp);
    out->sum_q = acc_sum(s.sq);
}

#undef KLD_ALL_LANES
