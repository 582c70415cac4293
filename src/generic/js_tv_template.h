/* js_tv_template.h - the Jensen-Shannon divergence and the total variation distance of two
 * probability vectors, written once over a lanes header and a storage header (the contract of
 * prob_template.h) and instantiated with it (simd_kernels.h).
 *
 * Parameters: KLD_KERNEL(family), as in prob_template.h; KLD_JS_TERMS (limits_<type>.h).
 *
 * TV = (1/2) sum |p - q|: one subtraction per element (exact when p and q are within a factor 2,
 * else rounded once), pairs of vectors added in lanes (one more rounding), summed in double:
 * <= 2^-23 relative + the double sum's; NaN and inf - inf propagate as NaN by themselves.
 *
 * JS = sum m g(d), m = (p + q)/2, d = (p - q)/(p + q), g(d) = ((1+d) log(1+d) + (1-d) log(1-d))/2
 * (terms.h). Lanes with p, q >= 0 and p + q finite are computed here, by js_lanes.h; others
 * (NaN, infinities, negatives) go to terms.h one lane at a time. Products s g (s = p + q) are
 * exact in double; the sum is halved at the end. docs/accuracy.md derives the bounds. */
#if !defined(KLD_KERNEL) || !defined(KLD_LANES) || !defined(KLD_ELEM_ZERO) || !defined(KLD_JS_TERMS)
#error "js_tv_template.h needs KLD_KERNEL, a lanes header and a storage header"
#endif

#include <float.h>
#include <math.h>

#include "chunk_loop.h"
#include "js_lanes.h"
#include "kernels.h"
#include "terms.h"

typedef struct {
    double sum, total; /* this block's sum, earlier blocks' (chunk_loop.h) */
} div_sums;

typedef struct {
    acc a;
} div_acc;

static void div_fold(void *state)
{
    div_sums *s = state;
    s->total += s->sum;
    s->sum = 0.0;
}

/* |p - q| of two vectors, added in lanes (one more rounding, 2^-24 relative in float), then
 * widened and summed in double: half the widening work, four accumulators so that the adds'
 * latency does not bound the loop. Every term is >= 0, so a chunk whose sum is not finite had
 * NaN or an infinity in the input, or a p - q or pair sum that overflowed the lane type (which
 * the double reference does not: a fuzz finding); such a chunk is summed again in double through
 * terms.h. The check costs nothing per element. */
static KLD_NOINLINE double tv_special(const elem *p, const elem *q, size_t count)
{
    double sum = 0.0;
    for (size_t k = 0; k < count; k++)
        sum += kld_term_tv(elem_to_lane(p[k]), elem_to_lane(q[k]));
    return sum;
}

static inline vec tv_abs_diff(const elem *p, const elem *q)
{
    return v_abs(v_sub(v_load(p), v_load(q)));
}

static void tv_chunk(void *state, const elem *p, const elem *q, size_t nv)
{
    div_sums *s = state;
    div_acc a[4];
    for (size_t j = 0; j < 4; j++)
        a[j] = (div_acc){0};
    size_t k = 0;
    for (; k + 8 <= nv; k += 8)
        for (size_t j = 0; j < 4; j++) {
            const elem *pj = p + (k + 2 * j) * KLD_LANES, *qj = q + (k + 2 * j) * KLD_LANES;
            a[j].a = acc_add(a[j].a, v_add(tv_abs_diff(pj, qj),
                                           tv_abs_diff(pj + KLD_LANES, qj + KLD_LANES)));
        }
    for (; k < nv; k++)
        a[0].a = acc_add(a[0].a, tv_abs_diff(p + k * KLD_LANES, q + k * KLD_LANES));
    double sum = (acc_sum(a[0].a) + acc_sum(a[1].a)) + (acc_sum(a[2].a) + acc_sum(a[3].a));
    s->sum += sum <= DBL_MAX ? sum : tv_special(p, q, nv * KLD_LANES);
}

double KLD_KERNEL(tv)(const elem *p, const elem *q, size_t n)
{
    div_sums s = {0};
    kld_run_chunks(&s, p, q, n, KLD_ELEM_ZERO, tv_chunk, div_fold);
    return 0.5 * s.total;
}

/* The lanes that are neither handled here, through terms.h; their s g is 2 * term. */
static KLD_NOINLINE double js_special(vec p, vec q, unsigned handled)
{
    lane ps[KLD_LANES], qs[KLD_LANES];
    double sum = 0.0;
    v_store(ps, p);
    v_store(qs, q);
    for (unsigned k = 0; k < KLD_LANES; k++)
        if (!(handled >> k & 1u))
            sum += 2.0 * kld_term_js(ps[k], qs[k]);
    return sum;
}

static void js_chunk(void *state, const elem *p, const elem *q, size_t nv)
{
    div_sums *s = state;
    const vec zero = v_set1(0), hi = v_set1(KLD_RATIO_MAX);
    div_acc a = {0};
    for (size_t k = 0; k < nv; k++) {
        vec pk = v_load(p + k * KLD_LANES), qk = v_load(q + k * KLD_LANES), sk = v_add(pk, qk);
        /* p, q >= 0 and p + q finite (so both finite); p = q = 0 adds 0 */
        mask good = m_and(m_and(m_ge(pk, zero), m_ge(qk, zero)), m_le(sk, hi));
        vec g;
        sk = js_sum_and_g(pk, qk, sk, good, &g);
        a.a = acc_fma(a.a, sk, g);
        unsigned handled = m_bits(good);
        if (handled != KLD_ALL_LANES)
            s->sum += js_special(pk, qk, handled);
    }
    s->sum += acc_sum(a.a);
}

double KLD_KERNEL(js)(const elem *p, const elem *q, size_t n)
{
    div_sums s = {0};
    kld_run_chunks(&s, p, q, n, KLD_ELEM_ZERO, js_chunk, div_fold);
    return 0.5 * s.total;
}

