/* prob_template.h - the probability-space kernels (both, stats), written once over the lane
 * operations that an ops header defines, and stamped out once per ISA and element type.
 *
 * Include it once per translation unit, after defining KLD_NAME(name) (e.g. name##_f32_avx512,
 * which names the two exported kernels) and including an ops header
 * providing: elem and its limits (elem.h), vec, mask, acc, KLD_LANES, v_load, v_store, v_set1,
 * v_add, v_mul, v_div, v_max, v_fnmadd (c - a*b), v_log,
 * v_rcp_approx (1/x to 8 bits or better, finite for x in the normal range), v_select(m, if_set, if_not),
 * m_gt, m_ge, m_le, m_eq, m_and, m_or, m_bits (bit i = lane i), acc_fma (acc + x*y in
 * double), acc_add (acc + x in double), acc_sum.
 *
 * Every lane of a block falls in one of three classes:
 *   fast    0 < p <= KLD_FAST_MAX and p/q in the normal range (so q > 0, both finite): one log
 *           of the ratio, corrected by the exact FMA residual, products and sums in double;
 *   zero    p, q finite and >= 0 with at least one of them 0: each term is 0 or +inf, which is
 *           recorded as a flag (inf is absorbing, so the order of addition does not matter);
 *   special everything else (NaN, infinities, negatives, ratios outside the normal range): rare,
 *           and handed to the scalar definitions of terms.h one lane at a time.
 * The tail (n not a multiple of KLD_LANES) is copied into a zero-filled block (blocked_loop.h), so
 * nothing is read past n; its padding lanes are zero-class lanes with p = q = 0 and add exactly 0.
 */
#include <math.h>
#include <string.h>

#include "blocked_loop.h"
#include "terms.h"

#define KLD_ALL_LANES ((1u << KLD_LANES) - 1u)

/* The fast lanes of one block, and their corrected log(p/q) (0 in every other lane).
 * p > 0 with p/q in the normal range implies q > 0 and both finite. The correction
 * c = (p - r*q) / p is below 2^-23 in magnitude, so an approximate reciprocal of p (8 bits or more)
 * leaves an error below 2^-31. The residual is exact only on the normal grid: tiny p (and so,
 * when p ~ q, tiny q) are scaled by KLD_TINY_SCALE first, which leaves the ratio unchanged (a
 * subnormal p ~ q otherwise loses the correction: a fuzz finding). Above KLD_FAST_MAX the
 * reciprocal estimate would underflow, so such lanes (no probability is that large) are special. */
typedef struct {
    mask fast;
    vec log_ratio;
} lanes;

static inline lanes classify(vec p, vec q)
{
    const vec zero = v_set1(0), one = v_set1(1);
    const vec lo = v_set1(KLD_RATIO_MIN), hi = v_set1(KLD_RATIO_MAX);
    vec ps = p, qs = q;
    mask tiny = m_gt(v_set1(KLD_TINY), p); /* rare in real rows: a branch, not a blend */
    if (m_bits(tiny)) {
        vec scale = v_select(tiny, v_set1(KLD_TINY_SCALE), one);
        ps = v_mul(p, scale);
        qs = v_mul(q, scale);
    }
    vec r = v_div(ps, qs);
    mask fast = m_and(m_and(m_gt(p, zero), m_le(p, v_set1(KLD_FAST_MAX))),
                      m_and(m_ge(r, lo), m_le(r, hi)));
    vec c = v_mul(v_fnmadd(r, qs, ps), v_rcp_approx(ps));
    return (lanes){fast, v_select(fast, v_add(v_log(r), c), zero)};
}

/* Zero-class lanes: p, q finite and >= 0 with at least one of them 0. Each of their terms is 0 or
 * +inf, so they are recorded as flags (inf absorbs any finite sum, whatever the order). */
static inline mask zero_class(vec p, vec q)
{
    const vec zero = v_set1(0), hi = v_set1(KLD_RATIO_MAX);
    mask finite_nonneg = m_and(m_and(m_ge(p, zero), m_le(p, hi)), m_and(m_ge(q, zero), m_le(q, hi)));
    return m_and(finite_nonneg, m_or(m_eq(p, zero), m_eq(q, zero)));
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
    acc f, r;              /* this block's sum p*log(p/q) and sum q*log(p/q) over fast lanes */
    double f_sum, r_sum;   /* earlier blocks, and special lanes */
    unsigned f_inf, r_inf; /* a zero-class lane gave +inf */
} both_sums;

/* The lanes that are not fast: zero-class flags, then the rest through terms.h. */
static void both_rare(both_sums *s, vec p, vec q, mask fast)
{
    const vec zero = v_set1(0);
    mask z = zero_class(p, q);
    s->f_inf |= m_bits(m_and(z, m_gt(p, zero)));
    s->r_inf |= m_bits(m_and(z, m_gt(q, zero)));
    unsigned handled = m_bits(m_or(fast, z));
    if (handled != KLD_ALL_LANES)
        special_both(p, q, handled, &s->f_sum, &s->r_sum);
}

static inline void both_add(both_sums *s, const lanes *c, vec p, vec q)
{
    const vec zero = v_set1(0);
    s->f = acc_fma(s->f, v_select(c->fast, p, zero), c->log_ratio);
    s->r = acc_fma(s->r, v_select(c->fast, q, zero), c->log_ratio);
    if (m_bits(c->fast) != KLD_ALL_LANES)
        both_rare(s, p, q, c->fast);
}

static inline void both_block(both_sums *s, vec p, vec q)
{
    lanes c = classify(p, q);
    both_add(s, &c, p, q);
}

/* Both SLEEF calls first, then the accumulators (see blocked_loop.h). */
static inline void both_block2(both_sums *s, vec p0, vec q0, vec p1, vec q1)
{
    lanes c0 = classify(p0, q0), c1 = classify(p1, q1);
    both_add(s, &c0, p0, q0);
    both_add(s, &c1, p1, q1);
}

static void both_fold(both_sums *s)
{
    s->f_sum += acc_sum(s->f);
    s->r_sum -= acc_sum(s->r);
    s->f = s->r = (acc){0};
}

void KLD_NAME(kld_both)(const elem *p, const elem *q, size_t n, double *forward, double *reverse)
{
    both_sums s = {0}; /* all-zero bits are 0.0 in every accumulator */
    KLD_BLOCKED_LOOP(p, q, n, &s, both_block, both_fold, 0);
    *forward = s.f_sum + (s.f_inf ? INFINITY : 0.0);
    *reverse = s.r_sum + (s.r_inf ? INFINITY : 0.0);
}

typedef struct {
    acc f, r, hp, hq, cpq, cqp, sp, sq; /* this block; signs as in both_sums, entropies negated */
    kld_terms x;                        /* earlier blocks, and special lanes */
    double sum_p, sum_q;
    unsigned f_inf, r_inf;              /* also the cross-entropy flags: cross = entropy + KL */
} stats_sums;

static void stats_rare(stats_sums *s, vec p, vec q, mask good, mask zero_lanes)
{
    const vec zero = v_set1(0);
    s->f_inf |= m_bits(m_and(zero_lanes, m_gt(p, zero)));
    s->r_inf |= m_bits(m_and(zero_lanes, m_gt(q, zero)));
    unsigned handled = m_bits(good);
    if (handled != KLD_ALL_LANES)
        special_stats(p, q, handled, &s->x);
}

/* One block's logs and masks, computed before any accumulator is touched (see stats_block2). */
typedef struct {
    lanes c;
    mask good, zero;
    int all_fast;
    vec pg, qg, lp, lq, pf, qf;
} stats_lanes;

static inline stats_lanes stats_logs(vec p, vec q)
{
    const vec zero = v_set1(0), one = v_set1(1);
    stats_lanes l;
    l.c = classify(p, q);
    l.all_fast = m_bits(l.c.fast) == KLD_ALL_LANES;
    l.zero = l.all_fast ? l.c.fast : zero_class(p, q); /* unused when every lane is fast */
    l.good = l.all_fast ? l.c.fast : m_or(l.c.fast, l.zero);
    l.pg = v_select(l.good, p, zero);
    l.qg = v_select(l.good, q, zero);
    l.lp = v_log(v_select(m_gt(l.pg, zero), l.pg, one));
    l.lq = v_log(v_select(m_gt(l.qg, zero), l.qg, one));
    l.pf = v_select(l.c.fast, p, zero);
    l.qf = v_select(l.c.fast, q, zero);
    return l;
}

static inline void stats_add(stats_sums *s, const stats_lanes *l, vec p, vec q)
{
    s->f = acc_fma(s->f, l->pf, l->c.log_ratio);
    s->r = acc_fma(s->r, l->qf, l->c.log_ratio);
    s->hp = acc_fma(s->hp, l->pg, l->lp);
    s->hq = acc_fma(s->hq, l->qg, l->lq);
    s->cpq = acc_fma(s->cpq, l->pf, l->lq);
    s->cqp = acc_fma(s->cqp, l->qf, l->lp);
    s->sp = acc_add(s->sp, p);
    s->sq = acc_add(s->sq, q);
    if (!l->all_fast)
        stats_rare(s, p, q, l->good, l->zero);
}

static inline void stats_block(stats_sums *s, vec p, vec q)
{
    stats_lanes l = stats_logs(p, q);
    stats_add(s, &l, p, q);
}

static inline void stats_block2(stats_sums *s, vec p0, vec q0, vec p1, vec q1)
{
    stats_lanes l0 = stats_logs(p0, q0), l1 = stats_logs(p1, q1);
    stats_add(s, &l0, p0, q0);
    stats_add(s, &l1, p1, q1);
}

static void stats_fold(stats_sums *s)
{
    s->x.forward += acc_sum(s->f);
    s->x.reverse -= acc_sum(s->r);
    s->x.entropy_p -= acc_sum(s->hp);
    s->x.entropy_q -= acc_sum(s->hq);
    s->x.cross_pq -= acc_sum(s->cpq);
    s->x.cross_qp -= acc_sum(s->cqp);
    s->sum_p += acc_sum(s->sp);
    s->sum_q += acc_sum(s->sq);
    s->f = s->r = s->hp = s->hq = s->cpq = s->cqp = s->sp = s->sq = (acc){0};
}

void KLD_NAME(kld_stats)(const elem *p, const elem *q, size_t n, kld_stats *out)
{
    stats_sums s = {0};
    KLD_BLOCKED_LOOP(p, q, n, &s, stats_block, stats_fold, 0);
    double f_inf = s.f_inf ? INFINITY : 0.0, r_inf = s.r_inf ? INFINITY : 0.0;
    *out = (kld_stats){s.x.forward + f_inf, s.x.reverse + r_inf, s.x.entropy_p, s.x.entropy_q,
                       s.x.cross_pq + f_inf, s.x.cross_qp + r_inf, s.sum_p, s.sum_q};
}

#undef KLD_ALL_LANES
