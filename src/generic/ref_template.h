/* ref_template.h - the reference probability kernels (both, stats, js, tv, stats_js_tv): every
 * element through terms.h in double, summed in blocks of KLD_REF_FOLD elements that are folded
 * into the totals, so that rounding grows with KLD_REF_FOLD + n/KLD_REF_FOLD additions, not n.
 * Instantiated per element type by arch/scalar/kernels_<type>.c through ref_kernels.h.
 *
 * Parameters: KLD_KERNEL(family), the full name of the scalar kernel of a family for this type
 * (ref_kernels.h: KLD_KERNEL(both) is kld_both_f32_scalar in scalar/kernels_f32.c); and, from an
 * arch/scalar/load_<type>.h included first, the elem typedef and elem_value. */
#if !defined(KLD_KERNEL)
#error "ref_template.h needs KLD_KERNEL and an arch/scalar/load_<type>.h"
#endif

#include "kernels.h"
#include "terms.h"
#include "tuning.h"

void KLD_KERNEL(both)(const elem *p, const elem *q, size_t n, double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    for (size_t start = 0; start < n; start += KLD_REF_FOLD) {
        size_t stop = n - start < KLD_REF_FOLD ? n : start + KLD_REF_FOLD;
        double bf = 0.0, br = 0.0;
        for (size_t i = start; i < stop; i++) {
            double pi = elem_value(p[i]), qi = elem_value(q[i]);
            bf += kld_term_forward(pi, qi);
            br += kld_term_forward(qi, pi);
        }
        f += bf;
        r += br;
    }
    *forward = f;
    *reverse = r;
}

void KLD_KERNEL(stats)(const elem *p, const elem *q, size_t n, kld_stats *out)
{
    kld_terms t = {0};
    double sp = 0.0, sq = 0.0;
    for (size_t start = 0; start < n; start += KLD_REF_FOLD) {
        size_t stop = n - start < KLD_REF_FOLD ? n : start + KLD_REF_FOLD;
        kld_terms b = {0};
        double bp = 0.0, bq = 0.0;
        for (size_t i = start; i < stop; i++) {
            double pi = elem_value(p[i]), qi = elem_value(q[i]);
            kld_terms_add(&b, pi, qi);
            bp += pi;
            bq += qi;
        }
        kld_terms_merge(&t, &b);
        sp += bp;
        sq += bq;
    }
    *out = (kld_stats){t.forward, t.reverse, t.entropy_p, t.entropy_q,
                       t.cross_pq, t.cross_qp, sp, sq};
}

/* sum of term(p, q) over the elements, in blocks like the others */
static double ref_sum(const elem *p, const elem *q, size_t n, double (*term)(double, double))
{
    double total = 0.0;
    for (size_t start = 0; start < n; start += KLD_REF_FOLD) {
        size_t stop = n - start < KLD_REF_FOLD ? n : start + KLD_REF_FOLD;
        double block = 0.0;
        for (size_t i = start; i < stop; i++)
            block += term(elem_value(p[i]), elem_value(q[i]));
        total += block;
    }
    return total;
}

double KLD_KERNEL(js)(const elem *p, const elem *q, size_t n)
{
    return ref_sum(p, q, n, kld_term_js);
}

double KLD_KERNEL(tv)(const elem *p, const elem *q, size_t n)
{
    return 0.5 * ref_sum(p, q, n, kld_term_tv);
}


/* The three above on one pair: the fused entry point's reference is the separate kernels'. */
void KLD_KERNEL(stats_js_tv)(const elem *p, const elem *q, size_t n, kld_stats_js_tv *out)
{
    KLD_KERNEL(stats)(p, q, n, &out->stats);
    out->js = KLD_KERNEL(js)(p, q, n);
    out->tv = KLD_KERNEL(tv)(p, q, n);
}
