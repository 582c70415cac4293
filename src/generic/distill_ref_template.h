/* distill_ref_template.h - the reference distillation kernel: the semantics of kld_distill_*
 * (kld.h), in double with libm. With x = (student - max student) inv_t, y = (teacher - max
 * teacher) inv_t, log q = x - log sum e^x and log p = y - log sum e^y, it sums the loss's terms
 * (terms.h's, for the forward and JS) and writes the gradient
 *   forward  inv_t (q - p)
 *   reverse  inv_t q (log(q/p) - K),      K = KL(Q||P) = sum q log(q/p)
 *   JS       inv_t/2 q (log(q/m) - K),    K = KL(Q||M) = sum q log(q/m), m = (p + q)/2
 * rounded once to the gradient's type (through float for f16 and bf16). Instantiated per storage
 * type by arch/scalar/kernels_<type>.c through ref_kernels.h; the SIMD paths hand it the rows
 * whose logits are too large for float differences, and run it for f64.
 *
 * Parameters: KLD_KERNEL(family), and from an arch/scalar/load_<type>.h included first, elem and
 * elem_value. */
#if !defined(KLD_KERNEL) || !defined(KLD_TYPE)
#error "distill_ref_template.h needs KLD_KERNEL, KLD_TYPE and an arch/scalar/load_<type>.h"
#endif

#include <math.h>

#include "generic/grad_store.h"
#include "kernels.h"
#include "terms.h"

/* log p and log q of one token (-inf where masked); lse_* are the log-sum-exps of the scaled,
 * max-shifted logits. */
typedef struct {
    double lp, lq;
} distill_ref_logs;

typedef struct {
    double ms, mt, st, lse_s, lse_t;
} distill_ref_frame;

static distill_ref_logs distill_ref_logs_of(const distill_ref_frame *f, elem s, elem t)
{
    double vs = elem_value(s), vt = elem_value(t);
    return (distill_ref_logs){vt > -INFINITY ? (vt - f->mt) * f->st - f->lse_t : -INFINITY,
                              vs > -INFINITY ? (vs - f->ms) * f->st - f->lse_s : -INFINITY};
}

/* The loss term of one token and its part of the gradient's constant K. */
static double distill_ref_term(int kind, distill_ref_logs l, double *k_term)
{
    double p = exp(l.lp), q = exp(l.lq);
    int p_on = l.lp > -INFINITY, q_on = l.lq > -INFINITY; /* masked is -inf, not underflow */
    *k_term = 0.0;
    if (kind == KLD_DISTILL_FORWARD)
        return p_on ? (q_on ? p * (l.lp - l.lq) : INFINITY) : 0.0;
    if (kind == KLD_DISTILL_REVERSE) {
        *k_term = q_on ? (p_on ? q * (l.lq - l.lp) : INFINITY) : 0.0;
        return *k_term;
    }
    if (q > 0)
        *k_term = q * kld_log_ratio(2 * q, p + q);
    return kld_term_js(p, q);
}

static double distill_ref_grad(int kind, distill_ref_logs l, double st, double k)
{
    double p = exp(l.lp), q = exp(l.lq);
    if (kind == KLD_DISTILL_FORWARD)
        return st * (q - p);
    if (q == 0)
        return 0.0;
    if (kind == KLD_DISTILL_REVERSE)
        return st * q * (l.lq - l.lp - k);
    return 0.5 * st * q * (kld_log_ratio(2 * q, p + q) - k);
}

void KLD_KERNEL(distill)(const elem *student, const elem *teacher, size_t n, float inv_t,
                         int kind, double *loss, float *grad, elem *grad_native)
{
    distill_ref_frame f = {-INFINITY, -INFINITY, inv_t, 0.0, 0.0};
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        double vs = elem_value(student[i]), vt = elem_value(teacher[i]);
        bad |= isnan(vs) || isnan(vt) || vs == INFINITY || vt == INFINITY;
        f.ms = vs > f.ms ? vs : f.ms;
        f.mt = vt > f.mt ? vt : f.mt;
    }
    if (bad || f.ms == -INFINITY || f.mt == -INFINITY) {
        distill_nan_row(n, loss, grad, grad_native);
        return;
    }
    double sum_s = 0.0, sum_t = 0.0;
    for (size_t i = 0; i < n; i++) {
        double vs = elem_value(student[i]), vt = elem_value(teacher[i]);
        sum_s += vs > -INFINITY ? exp((vs - f.ms) * f.st) : 0.0;
        sum_t += vt > -INFINITY ? exp((vt - f.mt) * f.st) : 0.0;
    }
    f.lse_s = log(sum_s);
    f.lse_t = log(sum_t);
    double total = 0.0, k = 0.0;
    for (size_t i = 0; i < n; i++) {
        double k_term;
        total += distill_ref_term(kind, distill_ref_logs_of(&f, student[i], teacher[i]), &k_term);
        k += k_term;
    }
    *loss = total;
    if (kind == KLD_DISTILL_REVERSE && total == INFINITY) { /* p = 0 < q: no derivative */
        distill_nan_row(n, loss, grad, grad_native);
        *loss = INFINITY;
        return;
    }
    for (size_t i = 0; (grad || grad_native) && i < n; i++) {
        double g = distill_ref_grad(kind, distill_ref_logs_of(&f, student[i], teacher[i]), f.st, k);
        if (grad)
            grad[i] = (float)g;
        else
            grad_native[i] = KLD_GRAD_ELEM(g);
    }
}
