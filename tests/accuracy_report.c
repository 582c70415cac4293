/* accuracy_report.c - prints each path's measured error on LLM-like rows (n = 151936, KL from
 * ~1e-1 to ~1e-4, worst of 5 seeds) against the long-double reference, and the same for the
 * logits kernels (second row z + N(0, s^2), s from 1 to 0.01), and JS and TV from logits through
 * the fused call (s from 1 to 0.001, also with every 97th token masked), as Markdown tables for
 * docs/accuracy.md. Run: build/tests/accuracy-report */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "support.h"

static double rel(double got, long double want)
{
    return (double)(fabsl((long double)got - want) / fabsl(want));
}

int main(void)
{
    static const double shifts[] = {0.45, 0.14, 0.045, 0.014};
    const size_t n = 151936, seeds = 5;
    printf("| path | KL(P‖Q) | forward f32 | reverse f32 | H(P) f32 (stats) | H(P,Q) f32 (stats) "
           "| forward f64 |\n|---|---|---|---|---|---|---|\n");
    for (int isa = 0; isa < KLD_ISA_COUNT; isa++) {
        if (kld_isa_force((kld_isa)isa) != 0)
            continue;
        for (size_t j = 0; j < sizeof shifts / sizeof *shifts; j++) {
            double ef = 0, er = 0, eh = 0, ec = 0, e64 = 0;
            long double kl = 0;
            for (size_t k = 0; k < seeds; k++) {
                const dataset *d = dataset_get(500 + 10 * j + k, n, 3.0, shifts[j], 0, NULL);
                double f, r, f64, r64;
                kld_stats s;
                kld_both_f32(d->r.p32, d->r.q32, n, &f, &r);
                kld_stats_f32(d->r.p32, d->r.q32, n, &s);
                kld_both_f64(d->r.p64, d->r.q64, n, &f64, &r64);
                ef = fmax(ef, rel(f, d->e32.forward));
                er = fmax(er, rel(r, d->e32.reverse));
                eh = fmax(eh, rel(s.entropy_p, d->e32.entropy_p));
                ec = fmax(ec, rel(s.cross_pq, d->e32.cross_pq));
                e64 = fmax(e64, rel(f64, d->e64.forward));
                kl += d->e32.forward / seeds;
            }
            printf("| %s | %.1Le | %.1e | %.1e | %.1e | %.1e | %.1e |\n",
                   kld_isa_name((kld_isa)isa), kl, ef, er, eh, ec, e64);
        }
    }
    static const double logit_shifts[] = {1.0, 0.3, 0.1, 0.03, 0.01};
    printf("\n| path | KL(softmax a ‖ softmax b) | forward | reverse | H(P) | lse_a |\n"
           "|---|---|---|---|---|---|\n");
    float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    if (!a || !b)
        return 1;
    for (int isa = 0; isa < KLD_ISA_COUNT; isa++) {
        if (kld_isa_force((kld_isa)isa) != 0)
            continue;
        for (size_t j = 0; j < sizeof logit_shifts / sizeof *logit_shifts; j++) {
            double ef = 0, er = 0, eh = 0, el = 0;
            long double kl = 0;
            for (size_t k = 0; k < seeds; k++) {
                rng g = {700 + 10 * j + k};
                for (size_t i = 0; i < n; i++) {
                    double z = 3.0 * rng_normal(&g);
                    a[i] = (float)z;
                    b[i] = (float)(z + logit_shifts[j] * rng_normal(&g));
                }
                exact_logits e = exact_logits_f32(a, b, n, 1.0f);
                kld_logit_stats s;
                kld_stats_logits_f32(a, b, n, 1.0f, &s);
                ef = fmax(ef, rel(s.kl.forward, e.forward));
                er = fmax(er, rel(s.kl.reverse, e.reverse));
                eh = fmax(eh, rel(s.kl.entropy_p, e.entropy_p));
                el = fmax(el, rel(s.lse_a, e.lse_a));
                kl += e.forward / seeds;
            }
            printf("| %s | %.1Le | %.1e | %.1e | %.1e | %.1e |\n", kld_isa_name((kld_isa)isa),
                   kl, ef, er, eh, el);
        }
    }
    static const double div_shifts[] = {1.0, 0.5, 0.1, 0.01, 0.001};
    printf("\n| path | rows | s | JS | TV | JS worst relative error | TV worst relative error |\n"
           "|---|---|---|---|---|---|---|\n");
    for (int isa = 0; isa < KLD_ISA_COUNT; isa++) {
        if (kld_isa_force((kld_isa)isa) != 0)
            continue;
        for (int masked = 0; masked < 2; masked++)
            for (size_t j = 0; j < sizeof div_shifts / sizeof *div_shifts; j++) {
                double ej = 0, et = 0;
                long double js = 0, tv = 0;
                for (size_t k = 0; k < seeds; k++) {
                    logits l = logits_llm(900 + 10 * j + k, n, 3.0, div_shifts[j], 0);
                    for (size_t i = 0; masked && i < n; i += 97)
                        (i % 2 ? l.a : l.b)[i] = -INFINITY;
                    exact_logits e = exact_logits_f32(l.a, l.b, n, 1.0f);
                    kld_logit_stats_js_tv s;
                    kld_stats_js_tv_logits_f32(l.a, l.b, n, 1.0f, &s);
                    ej = fmax(ej, rel(s.js, e.js));
                    et = fmax(et, rel(s.tv, e.tv));
                    js = e.js, tv = e.tv;
                    logits_free(&l);
                }
                printf("| %s | %s | %g | %.1Le | %.1Le | %.1e | %.1e |\n",
                       kld_isa_name((kld_isa)isa), masked ? "masked" : "LLM", div_shifts[j], js, tv,
                       ej, et);
            }
    }
    free(a);
    free(b);
    dataset_free_all();
    return 0;
}
