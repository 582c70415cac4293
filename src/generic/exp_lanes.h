/* exp_lanes.h - e^x for x <= 0 in line, over the lane operations of an f32 lanes header (v_pow2i
 * among them), for the JS and TV terms pass (div_logits_template.h), whose weights only need a
 * few ulps and whose SLEEF call, with the registers it forces out, was a third of the pass.
 *
 * x = k ln2 + r with k = round(x / ln2) (the 1.5 * 2^23 rounding constant), r by Cody and Waite's
 * two-part ln2 (the high part, 0.693359375, has 9 bits, so k * high is exact), |r| <= ln2 / 2;
 * e^r by its Taylor series through r^7 (remainder < 5.6e-9 / e^-0.35 = 8e-9 relative), Horner
 * in float (< 1.5 ulp); times 2^k. Relative error < 2 ulp for -87 <= x <= 0 (docs/accuracy.md);
 * below -87, where 2^k would leave the normal range, and at -inf, 0: an error of at most
 * e^-87 = 1.6e-38 per element, absolute. */
#ifndef KLD_EXP_LANES_H
#define KLD_EXP_LANES_H

static inline vec v_exp_nonpositive(vec x)
{
    const vec lowest = v_set1(-87.0f), round = v_set1(12582912.0f), one = v_set1(1);
    vec xc = v_max(x, lowest);
    vec k = v_sub(v_fmadd(xc, v_set1(1.44269504f), round), round);
    vec r = v_fmadd(k, v_set1(-0.693359375f), xc);
    r = v_fmadd(k, v_set1(2.12194440e-4f), r);
    vec p = v_fmadd(r, v_set1(1.0f / 5040), v_set1(1.0f / 720));
    p = v_fmadd(r, p, v_set1(1.0f / 120));
    p = v_fmadd(r, p, v_set1(1.0f / 24));
    p = v_fmadd(r, p, v_set1(1.0f / 6));
    p = v_fmadd(r, p, v_set1(0.5f));
    p = v_fmadd(r, p, one);
    p = v_fmadd(r, p, one);
    return v_select(m_ge(x, lowest), v_mul(p, v_pow2i(k)), v_set1(0));
}

#endif /* KLD_EXP_LANES_H */
