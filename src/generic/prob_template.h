/* prob_template.h - the probability-space kernels (both, stats), written once over the lane
 * operations that a lanes header defines, and instantiated once per ISA and element type by a
 * path's kernels_<type>.c through simd_kernels.h.
 *
 * Parameters: KLD_KERNEL(family), the full name of this path's and type's kernel of a family
 * (simd_kernels.h: KLD_KERNEL(both) is kld_both_f32_avx512 in avx512/kernels_f32.c);
 * from the storage header included second (load_native.h, or <isa>/load_f16.h and load_bf16.h
 * on f32 lanes): elem, v_load (elem to lanes), KLD_ELEM_ZERO, KLD_ELEM_NEG_INF, elem_to_lane;
 * and, from the lanes header <isa>/lanes_<type>.h included first: lane and its limits
 * (limits_<type>.h), vec, mask, acc, KLD_LANES, v_store, v_set1,
 * v_add, v_sub, v_mul, v_div, v_max, v_min, v_fmadd (a*b + c), v_fnmadd (c - a*b), v_log,
 * v_rcp_approx (1/x to 8 bits or better, finite for x in the normal range), v_select(m, if_set, if_not),
 * m_gt, m_ge, m_le, m_eq, m_and, m_or, m_bits (bit i = lane i), acc_fma (acc + x*y in
 * double), acc_add (acc + x in double), acc_sum.
 *
 * Every lane of a block falls in one of three classes:
 *   fast    0 < p <= KLD_FAST_MAX and p/q in the normal range (so q > 0, both finite): one log
 *           of the ratio, corrected by the exact FMA residual, sums in double;
 *   zero    p, q finite and >= 0 with at least one of them 0: each term is 0 or +inf, which is
 *           recorded as a flag (inf is absorbing, so the order of addition does not matter);
 *   special everything else (NaN, infinities, negatives, ratios outside the normal range): rare,
 *           and handed to the scalar definitions of terms.h one lane at a time.
 * The tail (n not a multiple of KLD_LANES) is copied into a zero-filled vector (chunk_loop.h), so
 * nothing is read past n; its padding lanes are zero-class lanes with p = q = 0 and add exactly 0.
 * Each kernel works a chunk at a time: phase 1 makes the chunk's SLEEF calls and stores their
 * results, phase 2 accumulates (see chunk_loop.h for why).
 */
#if !defined(KLD_KERNEL) || !defined(KLD_LANES) || !defined(KLD_ELEM_ZERO)
#error "prob_template.h needs KLD_KERNEL, a lanes header and a storage header"
#endif

#include <math.h>

#include "chunk_loop.h"
#include "kernels.h"
#include "terms.h"

/* One vector's fast lanes and its corrected log(p/q), which only fast lanes may use.
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
    return (lanes){fast, v_add(v_log(r), c)};
}

static inline int all_fast(mask fast)
{
    return m_bits(fast) == KLD_ALL_LANES;
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
    lane ps[KLD_LANES], qs[KLD_LANES];
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
    lane ps[KLD_LANES], qs[KLD_LANES];
    v_store(ps, p);
    v_store(qs, q);
    for (unsigned k = 0; k < KLD_LANES; k++)
        if (!(handled >> k & 1u))
            kld_terms_add(t, ps[k], qs[k]);
}

typedef struct {
    double f, r;             /* this block's sum p*log(p/q) and sum q*log(q/p), special lanes too */
    double f_total, r_total; /* earlier blocks (chunk_loop.h) */
    unsigned f_inf, r_inf;   /* a zero-class lane gave +inf */
} both_sums;

static void both_fold(void *state)
{
    both_sums *s = state;
    s->f_total += s->f;
    s->r_total += s->r;
    s->f = s->r = 0.0;
}

/* The lanes of a vector that are not fast: zero-class flags, then the rest through terms.h. */
static void both_rare(both_sums *s, vec p, vec q, mask fast)
{
    const vec zero = v_set1(0);
    mask z = zero_class(p, q);
    s->f_inf |= m_bits(m_and(z, m_gt(p, zero)));
    s->r_inf |= m_bits(m_and(z, m_gt(q, zero)));
    unsigned handled = m_bits(m_or(fast, z));
    if (handled != KLD_ALL_LANES)
        special_both(p, q, handled, &s->f, &s->r);
}

typedef struct {
    acc f, r; /* a chunk's sums p*log(p/q) and q*log(p/q) */
} both_accs;

/* The products of a vector's fast lanes, exact in double (other lanes add 0). */
static inline both_accs both_exact(both_accs a, lanes c, vec p, vec q)
{
    const vec zero = v_set1(0);
    vec t = v_select(c.fast, c.log_ratio, zero);
    return (both_accs){acc_fma(a.f, v_select(c.fast, p, zero), t),
                       acc_fma(a.r, v_select(c.fast, q, zero), t)};
}

/* A vector with lanes other than fast ones (rare): out of line, and its accumulators passed by
 * value, so that the hot loop keeps them in registers. */
static KLD_NOINLINE both_accs both_slow(both_sums *s, both_accs a, const lanes *c, const elem *p,
                                        const elem *q)
{
    vec pk = v_load(p), qk = v_load(q);
    if (!all_fast(c->fast))
        both_rare(s, pk, qk, c->fast);
    return both_exact(a, *c, pk, qk);
}

static inline lanes both_log(const elem *p, const elem *q)
{
    return classify(v_load(p), v_load(q));
}

/* The products of two vectors, exact in double, into two sets of accumulators (even and odd
 * vectors) so that the adds' latency does not bound the loop. */
static inline void both_pair(both_sums *s, both_accs *a0, both_accs *a1, const lanes *ca,
                             const lanes *cb, const elem *p, const elem *q)
{
    if (all_fast(m_and(ca->fast, cb->fast))) {
        a0->f = acc_fma(a0->f, v_load(p), ca->log_ratio);
        a0->r = acc_fma(a0->r, v_load(q), ca->log_ratio);
        a1->f = acc_fma(a1->f, v_load(p + KLD_LANES), cb->log_ratio);
        a1->r = acc_fma(a1->r, v_load(q + KLD_LANES), cb->log_ratio);
    } else {
        *a0 = both_slow(s, *a0, ca, p, q);
        *a1 = both_slow(s, *a1, cb, p + KLD_LANES, q + KLD_LANES);
    }
}

/* With KLD_BOTH_SPLIT (floats), all of the chunk's logs come first and the products second
 * (chunk_loop.h); without (doubles), each pair of vectors takes its logs just before its
 * products; tuning.h has the measurements. The lanes go by pointer: passed by value, gcc copied
 * them in halves and halved avx2's speed. */
static void both_chunk(void *state, const elem *p, const elem *q, size_t nv)
{
    both_sums *s = state;
    both_accs a0 = {0}, a1 = {0}; /* all-zero bits are 0.0 */
    size_t k = 0;
#if KLD_BOTH_SPLIT
    lanes c[KLD_CHUNK_VECS];
    for (size_t j = 0; j < nv; j++)
        c[j] = both_log(p + j * KLD_LANES, q + j * KLD_LANES);
    for (; k + 2 <= nv; k += 2)
        both_pair(s, &a0, &a1, &c[k], &c[k + 1], p + k * KLD_LANES, q + k * KLD_LANES);
    lanes *tail = &c[k];
#else
    for (; k + 2 <= nv; k += 2) {
        lanes ca = both_log(p + k * KLD_LANES, q + k * KLD_LANES);
        lanes cb = both_log(p + (k + 1) * KLD_LANES, q + (k + 1) * KLD_LANES);
        both_pair(s, &a0, &a1, &ca, &cb, p + k * KLD_LANES, q + k * KLD_LANES);
    }
    lanes tail_lanes, *tail = &tail_lanes;
    if (k < nv)
        tail_lanes = both_log(p + k * KLD_LANES, q + k * KLD_LANES);
#endif
    if (k < nv)
        a0 = both_slow(s, a0, tail, p + k * KLD_LANES, q + k * KLD_LANES);
    s->f += acc_sum(a0.f) + acc_sum(a1.f);
    s->r -= acc_sum(a0.r) + acc_sum(a1.r);
}

void KLD_KERNEL(both)(const elem *p, const elem *q, size_t n, double *forward, double *reverse)
{
    both_sums s = {0};
    kld_run_chunks(&s, p, q, n, KLD_ELEM_ZERO, both_chunk, both_fold);
    *forward = s.f_total + (s.f_inf ? INFINITY : 0.0);
    *reverse = s.r_total + (s.r_inf ? INFINITY : 0.0);
}

/* stats needs log p and log q as well as log(p/q). Two logs per vector serve when p, q <= 1/2:
 * m = max(p, q) has its log taken directly, and the other one's is log m - |log(p/q)|. Both
 * terms of that difference are <= 0, so nothing cancels: its error is at most the two logs'
 * errors plus one rounding, relative. |log m| >= log 2 also keeps the absolute error of the
 * correction's reciprocal estimate (1.5 * 2^-36) negligible against it; near 1 it would not be
 * (confident_rows). A vector with a value above 1/2 (at most a few in a normalised row) or
 * above 1 (unnormalised input, where the difference would cancel) takes the smaller one's log
 * directly instead: a third call. */
typedef struct {
    lanes c;
    vec log_max, log_min; /* of max(p, q) and min(p, q); log_min is valid in fast lanes only */
} stats_lanes;

static inline stats_lanes stats_logs(vec p, vec q)
{
    const vec zero = v_set1(0), one = v_set1(1);
    stats_lanes l;
    l.c = classify(p, q);
    vec mx = v_max(p, q), mn = v_min(p, q);
    l.log_max = v_log(v_select(m_gt(mx, zero), mx, one)); /* 0 where p = q = 0 */
    if (m_bits(m_gt(mx, v_set1(0.5f))))
        l.log_min = v_log(v_select(m_gt(mn, zero), mn, one));
    else
        l.log_min = v_select(m_ge(p, q), v_sub(l.log_max, l.c.log_ratio),
                             v_add(l.log_max, l.c.log_ratio));
    return l;
}

typedef struct {
    kld_terms x, x_total; /* this block (special lanes too), earlier blocks (chunk_loop.h) */
    double sum_p, sum_q, sum_p_total, sum_q_total;
    unsigned f_inf, r_inf; /* also the cross-entropy flags: cross = entropy + KL */
} stats_sums;

static void stats_fold(void *state)
{
    stats_sums *s = state;
    kld_terms_merge(&s->x_total, &s->x);
    s->sum_p_total += s->sum_p;
    s->sum_q_total += s->sum_q;
    s->x = (kld_terms){0};
    s->sum_p = s->sum_q = 0.0;
}

typedef struct {
    acc f, r, hp, hq, cpq, cqp, sp, sq; /* signs as in both_chunk, entropies negated */
} stats_accs;

/* One vector's terms. In fast lanes every term is used. In zero-class lanes ("good" but not fast)
 * only the entropy of the non-zero side is, whose log is log_max; every other term gets a zero
 * weight and a zero log, so 0 * log never makes a NaN. Other lanes go to the scalar definitions. */
static inline void stats_add(stats_sums *s, stats_accs *a, const stats_lanes *l, vec p, vec q)
{
    const vec zero = v_set1(0);
    mask fast = l->c.fast, good = fast;
    vec t = l->c.log_ratio, log_min = l->log_min, pf = p, qf = q, pg = p, qg = q;
    int mixed = !all_fast(fast);
    mask z = fast;
    if (mixed) {
        z = zero_class(p, q);
        good = m_or(fast, z);
        t = v_select(fast, t, zero);
        log_min = v_select(fast, log_min, zero);
        pf = v_select(fast, p, zero);
        qf = v_select(fast, q, zero);
        pg = v_select(good, p, zero);
        qg = v_select(good, q, zero);
    }
    mask p_max = m_ge(p, q);
    vec lp = v_select(p_max, l->log_max, log_min), lq = v_select(p_max, log_min, l->log_max);
    if (mixed) {
        lp = v_select(good, lp, zero);
        lq = v_select(good, lq, zero);
    }
    a->f = acc_fma(a->f, pf, t);
    a->r = acc_fma(a->r, qf, t);
    a->hp = acc_fma(a->hp, pg, lp);
    a->hq = acc_fma(a->hq, qg, lq);
    a->cpq = acc_fma(a->cpq, pf, lq);
    a->cqp = acc_fma(a->cqp, qf, lp);
    a->sp = acc_add(a->sp, p);
    a->sq = acc_add(a->sq, q);
    if (mixed) {
        s->f_inf |= m_bits(m_and(z, m_gt(p, zero)));
        s->r_inf |= m_bits(m_and(z, m_gt(q, zero)));
        unsigned handled = m_bits(good);
        if (handled != KLD_ALL_LANES)
            special_stats(p, q, handled, &s->x);
    }
}

static void stats_chunk(void *state, const elem *p, const elem *q, size_t nv)
{
    stats_sums *s = state;
    stats_lanes l[KLD_CHUNK_VECS];
    for (size_t k = 0; k < nv; k++)
        l[k] = stats_logs(v_load(p + k * KLD_LANES), v_load(q + k * KLD_LANES));
    stats_accs a = {0};
    for (size_t k = 0; k < nv; k++)
        stats_add(s, &a, &l[k], v_load(p + k * KLD_LANES), v_load(q + k * KLD_LANES));
    s->x.forward += acc_sum(a.f);
    s->x.reverse -= acc_sum(a.r);
    s->x.entropy_p -= acc_sum(a.hp);
    s->x.entropy_q -= acc_sum(a.hq);
    s->x.cross_pq -= acc_sum(a.cpq);
    s->x.cross_qp -= acc_sum(a.cqp);
    s->sum_p += acc_sum(a.sp);
    s->sum_q += acc_sum(a.sq);
}

/* The stats of a finished run (also stats_js_tv_template.h's). */
static kld_stats stats_result(const stats_sums *s)
{
    const kld_terms *x = &s->x_total;
    double f_inf = s->f_inf ? INFINITY : 0.0, r_inf = s->r_inf ? INFINITY : 0.0;
    return (kld_stats){x->forward + f_inf, x->reverse + r_inf, x->entropy_p, x->entropy_q,
                       x->cross_pq + f_inf, x->cross_qp + r_inf, s->sum_p_total, s->sum_q_total};
}

void KLD_KERNEL(stats)(const elem *p, const elem *q, size_t n, kld_stats *out)
{
    stats_sums s = {0};
    kld_run_chunks(&s, p, q, n, KLD_ELEM_ZERO, stats_chunk, stats_fold);
    *out = stats_result(&s);
}

