/* score.c - one row of kldiv's comparison (see score.h). */
#include "score.h"

#include <math.h>

#include "input.h"
#include "kld.h"
#include "llama_kl.h"
#include "llama_logits.h"

void score_choose_kernel(score_setup *s)
{
    npy_dtype t = s->type[0];
    int same = t == s->type[1];
    if (same && (t == NPY_F16 || t == NPY_BF16 || (s->probs && t == NPY_F64)))
        s->kernel = t;
    else
        s->kernel = NPY_F32;
}

size_t score_scratch_floats(const score_setup *s)
{
    return s->type[0] == s->kernel && s->type[1] == s->kernel ? 0 : 2 * s->n;
}

static double at(npy_dtype t, const void *x, size_t i)
{
    switch (t) {
    case NPY_F16:
        return input_half_to_float(((const uint16_t *)x)[i]);
    case NPY_BF16:
        return input_bf16_to_float(((const uint16_t *)x)[i]);
    case NPY_F64:
        return ((const double *)x)[i];
    default:
        return ((const float *)x)[i];
    }
}

/* Row x of type t as the kernel's type: in place, or converted or decoded into buf. Sets *bad for
 * a _logits_ row with a NaN or infinite scale or minimum. */
static const void *as_kernel(const score_setup *s, npy_dtype t, const void *x, float *buf,
                             int *bad)
{
    if (t == s->kernel)
        return x;
    if (t == NPY_LLAMA_Q16) {
        *bad |= llama_decode(x, s->n, buf) != 0;
        return buf;
    }
    for (size_t i = 0; i < s->n; i++) /* to float; the switch is hoisted out of the loop */
        buf[i] = (float)at(t, x, i);
    return buf;
}

/* The first index of each row's largest element, both rows in one pass. */
static void argmax2(npy_dtype t, const void *x, const void *y, size_t n, size_t *ix, size_t *iy)
{
    size_t bx = 0, by = 0;
    for (size_t i = 1; i < n; i++) {
        bx = at(t, x, i) > at(t, x, bx) ? i : bx;
        by = at(t, y, i) > at(t, y, by) ? i : by;
    }
    *ix = bx, *iy = by;
}

static void prob_row(const score_setup *s, const void *a, const void *b, int64_t target,
                     row_result *out)
{
    kld_stats st;
    const size_t n = s->n;
    const int js_tv = s->js_tv;
    switch (s->kernel) {
    case NPY_F64:
        kld_stats_f64(a, b, n, &st);
        if (js_tv)
            out->js = kld_js_f64(a, b, n), out->tv = kld_tv_f64(a, b, n);
        break;
    case NPY_F16:
        kld_stats_f16(a, b, n, &st);
        if (js_tv)
            out->js = kld_js_f16(a, b, n), out->tv = kld_tv_f16(a, b, n);
        break;
    case NPY_BF16:
        kld_stats_bf16(a, b, n, &st);
        if (js_tv)
            out->js = kld_js_bf16(a, b, n), out->tv = kld_tv_bf16(a, b, n);
        break;
    default:
        kld_stats_f32(a, b, n, &st);
        if (js_tv)
            out->js = kld_js_f32(a, b, n), out->tv = kld_tv_f32(a, b, n);
    }
    argmax2(s->kernel, a, b, s->n, &out->top_base, &out->top_new);
    /* NaN, an infinity or a negative value on either side make a sum or an entropy non-finite */
    out->bad = !isfinite(st.sum_p) || !isfinite(st.sum_q) || !isfinite(st.entropy_p) ||
               !isfinite(st.entropy_q) || fabs(st.sum_p - 1) > s->sum_tolerance ||
               fabs(st.sum_q - 1) > s->sum_tolerance;
    out->forward = st.forward, out->reverse = st.reverse;
    out->entropy_base = st.entropy_p, out->entropy_new = st.entropy_q;
    if (target >= 0) {
        double p = at(s->kernel, a, (size_t)target), q = at(s->kernel, b, (size_t)target);
        out->nll_base = -log(p), out->nll_new = -log(q), out->delta_p = q - p;
    }
}

static void logit_row(const score_setup *s, const void *a, const void *b, int64_t target, int bad,
                      row_result *out)
{
    kld_logit_stats st;
    const float T = s->temperature;
    const size_t n = s->n;
    if (s->kernel == NPY_F16) {
        kld_stats_logits_f16(a, b, n, T, &st);
        if (s->js_tv)
            out->js = kld_js_logits_f16(a, b, n, T), out->tv = kld_tv_logits_f16(a, b, n, T);
    } else if (s->kernel == NPY_BF16) {
        kld_stats_logits_bf16(a, b, n, T, &st);
        if (s->js_tv)
            out->js = kld_js_logits_bf16(a, b, n, T), out->tv = kld_tv_logits_bf16(a, b, n, T);
    } else {
        kld_stats_logits_f32(a, b, n, T, &st);
        if (s->js_tv)
            out->js = kld_js_logits_f32(a, b, n, T), out->tv = kld_tv_logits_f32(a, b, n, T);
    }
    /* NaN or +inf in a row, or a row of all -inf: kld returns NaN for it */
    out->bad = bad || isnan(st.kl.forward) || isnan(st.kl.reverse);
    out->forward = st.kl.forward, out->reverse = st.kl.reverse;
    out->entropy_base = st.kl.entropy_p, out->entropy_new = st.kl.entropy_q;
    out->top_base = st.argmax_a, out->top_new = st.argmax_b;
    /* under the llama rule, a _logits_ NEW's log-probabilities are used as stored, like BASE's */
    const int new_as_stored = s->llama_rule && s->type[1] == NPY_LLAMA_Q16;
    if (s->llama_rule && !out->bad) /* the kernel is float32 here, T = 1 */
        out->forward = llama_kl(a, b, s->n, new_as_stored ? 0.0 : st.lse_b);
    if (target >= 0 && !out->bad) {
        const double scale = (float)(1.0 / s->temperature); /* kld.h: s = 1/T rounded to float */
        const size_t t = (size_t)target;
        out->nll_base = s->llama_rule ? -at(NPY_F32, a, t) : st.lse_a - at(s->kernel, a, t) * scale;
        out->nll_new = new_as_stored ? -at(NPY_F32, b, t) : st.lse_b - at(s->kernel, b, t) * scale;
        out->delta_p = exp(-out->nll_new) - exp(-out->nll_base);
    }
}

void score_row(const score_setup *s, const void *a, const void *b, int64_t target, float *scratch,
               row_result *out)
{
    int bad = 0;
    out->nll_base = out->nll_new = out->delta_p = out->js = out->tv = NAN;
    a = as_kernel(s, s->type[0], a, scratch, &bad);
    b = as_kernel(s, s->type[1], b, scratch ? scratch + s->n : NULL, &bad);
    if (s->probs)
        prob_row(s, a, b, target, out);
    else
        logit_row(s, a, b, target, bad, out);
}
