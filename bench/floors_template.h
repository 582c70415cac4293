/* floors_template.h - the physical floors of a KL kernel on one ISA, stamped from the library's
 * own lanes header: a loop that only reads p and q, a loop that only sums one SLEEF log of each
 * element, and one that only sums one SLEEF exp of each element of both rows (the exps a logits
 * kernel must take: e^x and e^y). Include after a lanes header and definitions of FLOOR_READ,
 * FLOOR_LOG and FLOOR_EXP2, the full names of the three functions. */
#include <stddef.h>

/* Four independent accumulators, so the loop is bound by loads, not by add latency. */
double FLOOR_READ(const elem *p, const elem *q, size_t n)
{
    vec a = v_set1(0), b = v_set1(0), c = v_set1(0), d = v_set1(0);
    size_t i = 0;
    for (; i + 2 * KLD_LANES <= n; i += 2 * KLD_LANES) {
        a = v_add(a, v_load(p + i));
        b = v_add(b, v_load(q + i));
        c = v_add(c, v_load(p + i + KLD_LANES));
        d = v_add(d, v_load(q + i + KLD_LANES));
    }
    elem out[KLD_LANES];
    v_store(out, v_add(v_add(a, b), v_add(c, d)));
    double s = 0;
    for (size_t k = 0; k < KLD_LANES; k++)
        s += out[k];
    for (; i < n; i++)
        s += p[i] + q[i];
    return s;
}

/* One log per element of p (q is not read): what any kernel calling SLEEF once per element
 * cannot beat. */
double FLOOR_LOG(const elem *p, const elem *q, size_t n)
{
    (void)q;
    vec a = v_set1(0);
    size_t i = 0;
    for (; i + KLD_LANES <= n; i += KLD_LANES)
        a = v_add(a, v_log(v_load(p + i)));
    elem out[KLD_LANES];
    v_store(out, a);
    double s = 0;
    for (size_t k = 0; k < KLD_LANES; k++)
        s += out[k];
    return s;
}

/* One exp per element of a and one of b, the lanes' own v_exp (SLEEF u10, as the logits kernels
 * call it), summed: what a logits kernel, which needs e^x and e^y of every token, cannot beat. */
double FLOOR_EXP2(const elem *a, const elem *b, size_t n)
{
    vec s = v_set1(0), t = v_set1(0);
    size_t i = 0;
    for (; i + KLD_LANES <= n; i += KLD_LANES) {
        s = v_add(s, v_exp(v_load(a + i)));
        t = v_add(t, v_exp(v_load(b + i)));
    }
    elem out[KLD_LANES];
    v_store(out, v_add(s, t));
    double sum = 0;
    for (size_t k = 0; k < KLD_LANES; k++)
        sum += out[k];
    return sum;
}

#undef FLOOR_READ
#undef FLOOR_LOG
#undef FLOOR_EXP2
