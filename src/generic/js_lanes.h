/* js_lanes.h - the Jensen-Shannon term per lane, s g(d) with s = p + q, d = (p - q)/s and
 * g(d) = ((1 + d) log(1 + d) + (1 - d) log(1 - d))/2, over the operations of a lanes header
 * (KLD_JS_TERMS from its limits_<type>.h). Shared by the probability kernels (js_tv_template.h)
 * and the logits kernels (div_logits_template.h); docs/accuracy.md derives the bounds.
 *
 * For |d| <= 1/2, g = d^2 P(d^2) with the series' first KLD_JS_TERMS coefficients
 * 1/(2k (2k - 1)), all positive: no log, no cancellation. A vector with a lane beyond takes two
 * logs, of a = 2 (p/s) and b = 2 (q/s) (formed directly, so that b never loses digits as d -> 1),
 * and g = (a log a + b log b)/2, which cancels by at most 3.7x at |d| = 1/2 and less beyond. */
#ifndef KLD_JS_LANES_H
#define KLD_JS_LANES_H

/* g(d) for |d| <= 1/2: d^2 (c1 + z (c2 + z (...))), z = d^2, c_k = 1/(2k (2k - 1)). */
static inline vec js_series(vec d)
{
    vec z = v_mul(d, d), r = v_set1((lane)(1.0 / (2.0 * KLD_JS_TERMS * (2.0 * KLD_JS_TERMS - 1))));
    for (int k = KLD_JS_TERMS - 1; k >= 1; k--)
        r = v_fmadd(r, z, v_set1((lane)(1.0 / (2.0 * k * (2.0 * k - 1)))));
    return v_mul(z, r);
}

/* x log x, 0 where x = 0. */
static inline vec xlogx(vec x)
{
    const vec zero = v_set1(0), one = v_set1(1);
    mask pos = m_gt(x, zero);
    return v_select(pos, v_mul(x, v_log(v_select(pos, x, one))), zero);
}

/* For lanes in good (p, q >= 0, s = p + q finite): returns s and sets *g to g(d), both 0 where
 * p = q = 0 or the lane is not good; the caller adds s * g (exact in a double accumulator). */
static inline vec js_sum_and_g(vec p, vec q, vec s, mask good, vec *g)
{
    const vec zero = v_set1(0), half = v_set1((lane)0.5);
    mask nonzero = m_and(good, m_gt(s, zero));
    vec sg = v_select(nonzero, s, v_set1(1));
    vec d = v_div(v_sub(p, q), sg);
    mask small = m_le(v_abs(d), half);
    vec gs = js_series(v_select(small, d, zero));
    if (m_bits(m_and(nonzero, small)) != m_bits(nonzero)) { /* a lane with |d| > 1/2 */
        /* a = 2 (p/s): neither 2p (overflow near the largest float) nor s/2 (a subnormal s loses
         * its last bit) */
        vec two = v_set1(2), ga = xlogx(v_mul(two, v_div(p, sg))),
            gb = xlogx(v_mul(two, v_div(q, sg)));
        gs = v_select(small, gs, v_mul(half, v_add(ga, gb)));
    }
    *g = v_select(nonzero, gs, zero);
    return v_select(nonzero, s, zero);
}

#endif /* KLD_JS_LANES_H */
