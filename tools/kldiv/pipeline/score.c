/* score.c - one row of kldiv's comparison (see score.h). */
#include "score.h"

#include <math.h>

#include "input.h"
#include "kld.h"
#include "llama_kl.h"
#include "llama_logits.h"
#include "topk.h"

void score_choose_kernel(score_setup *s)
{
    npy_dtype t = s->type[0];
    int same = t == s->type[1];
    if (s->renormalise) /* the copies: double for float64 pairs, float otherwise */
        s->kernel = same && t == NPY_F64 ? NPY_F64 : NPY_F32;
    else if (same && (t == NPY_F16 || t == NPY_BF16 || (s->probs && t == NPY_F64)))
        s->kernel = t;
    else
        s->kernel = NPY_F32;
}

size_t score_scratch_floats(const score_setup *s)
{
    if (s->renormalise)
        return (s->kernel == NPY_F64 ? 4 : 2) * s->n;
    return s->type[0] == s->kernel && s->type[1] == s->kernel ? 0 : 2 * s->n;
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
        buf[i] = (float)input_element(t, x, i);
    return buf;
}

/* The first index of each row's largest element, both rows in one pass. */
static void argmax2(npy_dtype t, const void *x, const void *y, size_t n, size_t *ix, size_t *iy)
{
    size_t bx = 0, by = 0;
    for (size_t i = 1; i < n; i++) {
        bx = input_element(t, x, i) > input_element(t, x, bx) ? i : bx;
        by = input_element(t, y, i) > input_element(t, y, by) ? i : by;
    }
    *ix = bx, *iy = by;
}

/* The stats of a probability row, and with --js-tv its JS and TV from the same call. */
static kld_stats prob_stats(const score_setup *s, const void *a, const void *b, row_result *out)
{
    const size_t n = s->n;
    kld_stats_js_tv all;
    kld_stats st;
    if (!s->js_tv) {
        switch (s->kernel) {
        case NPY_F64:
            kld_stats_f64(a, b, n, &st);
            break;
        case NPY_F16:
            kld_stats_f16(a, b, n, &st);
            break;
        case NPY_BF16:
            kld_stats_bf16(a, b, n, &st);
            break;
        default:
            kld_stats_f32(a, b, n, &st);
        }
        return st;
    }
    switch (s->kernel) {
    case NPY_F64:
        kld_stats_js_tv_f64(a, b, n, &all);
        break;
    case NPY_F16:
        kld_stats_js_tv_f16(a, b, n, &all);
        break;
    case NPY_BF16:
        kld_stats_js_tv_bf16(a, b, n, &all);
        break;
    default:
        kld_stats_js_tv_f32(a, b, n, &all);
    }
    out->js = all.js, out->tv = all.tv;
    return all.stats;
}

static void prob_row(const score_setup *s, const void *a, const void *b, int64_t target,
                     row_result *out)
{
    const kld_stats st = prob_stats(s, a, b, out);
    argmax2(s->kernel, a, b, s->n, &out->top_base, &out->top_new);
    /* NaN or an infinity makes the sum non-finite; else a negative value the entropy (-inf) */
    const double sum[2] = {st.sum_p, st.sum_q}, entropy[2] = {st.entropy_p, st.entropy_q};
    out->bad = ROW_GOOD;
    for (int side = 1; side >= 0; side--) { /* BASE's reason wins */
        row_bad why = !isfinite(sum[side])                     ? BAD_NAN
                      : !isfinite(entropy[side])               ? BAD_NEGATIVE
                      : fabs(sum[side] - 1) > s->sum_tolerance ? BAD_SUM
                                                               : ROW_GOOD;
        if (why != ROW_GOOD)
            out->bad = why, out->bad_side = side, out->bad_value = sum[side];
    }
    out->forward = st.forward, out->reverse = st.reverse;
    out->entropy_base = st.entropy_p, out->entropy_new = st.entropy_q;
    if (target >= 0) {
        double p = input_element(s->kernel, a, (size_t)target),
               q = input_element(s->kernel, b, (size_t)target);
        out->nll_base = -log(p), out->nll_new = -log(q), out->delta_p = q - p;
    }
}

/* Whether logits row x of lse (at scale s = fl32(1/T)) is a probability vector: at least
 * PROBS_LIKE_MIN_N entries (fewer real logits can fall in [0, 1] and sum to 1 by chance), every
 * value in [0, 1], summing to 1 within the rounding of the type's probabilities (1e-3; bf16 and
 * f16 round each value by up to 2^-9 and 2^-12 of it, so 1e-2 and 2e-3). Such a row has lse in
 * [log n, log(n - 1 + e^s)] (each e^(x s) is in [1, e^s]); that window is checked first, so that
 * the pass over the row runs only for the rare logits rows inside it. */
#define PROBS_LIKE_MIN_N 32
static int probs_like(const score_setup *s, const void *x, double lse, double scale)
{
    const double n = (double)s->n;
    if (s->n < PROBS_LIKE_MIN_N || !(lse >= log(n) - 1e-6 && lse <= log(n - 1 + exp(scale)) + 1e-6))
        return 0;
    double sum = 0.0;
    for (size_t i = 0; i < s->n; i++) {
        double v = input_element(s->kernel, x, i);
        if (!(v >= 0 && v <= 1))
            return 0;
        sum += v;
    }
    const double tolerance = s->kernel == NPY_BF16 ? 1e-2 : s->kernel == NPY_F16 ? 2e-3 : 1e-3;
    return fabs(sum - 1) <= tolerance;
}

/* The stats of a logits row, and with --js-tv its JS and TV from the same call. */
static kld_logit_stats logit_stats(const score_setup *s, const void *a, const void *b,
                                   row_result *out)
{
    const float T = s->temperature;
    const size_t n = s->n;
    kld_logit_stats_js_tv all;
    kld_logit_stats st;
    if (!s->js_tv) {
        if (s->kernel == NPY_F16)
            kld_stats_logits_f16(a, b, n, T, &st);
        else if (s->kernel == NPY_BF16)
            kld_stats_logits_bf16(a, b, n, T, &st);
        else
            kld_stats_logits_f32(a, b, n, T, &st);
        return st;
    }
    if (s->kernel == NPY_F16)
        kld_stats_js_tv_logits_f16(a, b, n, T, &all);
    else if (s->kernel == NPY_BF16)
        kld_stats_js_tv_logits_bf16(a, b, n, T, &all);
    else
        kld_stats_js_tv_logits_f32(a, b, n, T, &all);
    out->js = all.js, out->tv = all.tv;
    return all.stats;
}

static void logit_row(const score_setup *s, const void *a, const void *b, int64_t target,
                      int bad, row_result *out)
{
    const kld_logit_stats st = logit_stats(s, a, b, out);
    /* NaN or +inf in a row, or a row of all -inf: kld returns NaN for it */
    out->bad = bad ? BAD_SCALE : isnan(st.kl.forward) || isnan(st.kl.reverse) ? BAD_LOGITS
                                                                              : ROW_GOOD;
    out->bad_side = bad ? bad - 1 : isnan(st.lse_a) ? 0 : 1;
    if (!out->bad && !s->llama_rule) {
        const double scale = (float)(1.0 / s->temperature);
        out->probs_like =
            probs_like(s, a, st.lse_a, scale) | probs_like(s, b, st.lse_b, scale) << 1;
    }
    out->forward = st.kl.forward, out->reverse = st.kl.reverse;
    out->entropy_base = st.kl.entropy_p, out->entropy_new = st.kl.entropy_q;
    out->top_base = st.argmax_a, out->top_new = st.argmax_b;
    out->lse_base = st.lse_a;
    /* under the llama rule, a _logits_ NEW's log-probabilities are used as stored, like BASE's */
    const int new_as_stored = s->llama_rule && s->type[1] == NPY_LLAMA_Q16;
    if (s->llama_rule && !out->bad) /* the kernel is float32 here, T = 1 */
        out->forward = llama_kl(a, b, s->n, new_as_stored ? 0.0 : st.lse_b);
    if (target >= 0 && !out->bad) {
        const double scale = (float)(1.0 / s->temperature); /* kld.h: s = 1/T rounded to float */
        const size_t t = (size_t)target;
        out->nll_base = s->llama_rule ? -input_element(NPY_F32, a, t)
                                      : st.lse_a - input_element(s->kernel, a, t) * scale;
        out->nll_new = new_as_stored ? -input_element(NPY_F32, b, t)
                                     : st.lse_b - input_element(s->kernel, b, t) * scale;
        out->delta_p = exp(-out->nll_new) - exp(-out->nll_base);
    }
}

/* Row x of type t (vocab entries) divided by its sum over the first s->n, as the kernel's type in
 * buf; *whole is the sum of the whole row (for the sum check), *part the sum of the first s->n.
 * Both sums in double. */
static const void *renormalised(const score_setup *s, npy_dtype t, const void *x, size_t vocab,
                                void *buf, double *whole, double *part_sum)
{
    double part = 0.0, rest = 0.0;
    for (size_t i = 0; i < s->n; i++)
        part += input_element(t, x, i);
    for (size_t i = s->n; i < vocab; i++)
        rest += input_element(t, x, i);
    *whole = part + rest;
    *part_sum = part;
    for (size_t i = 0; i < s->n; i++) {
        double v = input_element(t, x, i) / part; /* part 0 or not finite: NaN or inf, a bad row */
        if (s->kernel == NPY_F64)
            ((double *)buf)[i] = v;
        else
            ((float *)buf)[i] = (float)v;
    }
    return buf;
}

void score_row(const score_setup *s, const void *a, const void *b, int64_t target, float *scratch,
               row_result *out)
{
    int bad = 0;
    out->probs_like = 0;
    out->bad_value = NAN;
    out->nll_base = out->nll_new = out->delta_p = out->js = out->tv = NAN;
    if (s->renormalise) {
        const size_t half = s->kernel == NPY_F64 ? 2 * s->n : s->n; /* floats a copy takes */
        double whole[2], part[2];
        a = renormalised(s, s->type[0], a, s->vocab[0], scratch, &whole[0], &part[0]);
        b = renormalised(s, s->type[1], b, s->vocab[1], scratch + half, &whole[1], &part[1]);
        prob_row(s, a, b, target, out);
        for (int side = 1; side >= 0; side--) { /* the whole rows' checks, BASE's first */
            if (!isfinite(whole[side]))
                continue; /* NaN or an infinity: prob_row's reason */
            if (!(fabs(whole[side] - 1) <= s->sum_tolerance))
                out->bad = BAD_SUM, out->bad_side = side, out->bad_value = whole[side];
            else if (!(part[side] > 0))
                out->bad = BAD_NO_MASS, out->bad_side = side, out->bad_value = part[side];
        }
        topk_row(s, a, b, target, out);
        return;
    }
    int bad_new = 0;
    a = as_kernel(s, s->type[0], a, scratch, &bad);
    b = as_kernel(s, s->type[1], b, scratch ? scratch + s->n : NULL, &bad_new);
    bad = bad ? 1 : bad_new ? 2 : 0; /* the side of a bad _logits_ scale, BASE's first */
    if (s->probs)
        prob_row(s, a, b, target, out);
    else
        logit_row(s, a, b, target, bad, out);
    topk_row(s, a, b, target, out);
}
