/* div_logits_template.h - the Jensen-Shannon divergence and the total variation distance of
 * P = softmax(a/T) and Q = softmax(b/T), straight from logits. Included after logits_template.h
 * in the same translation unit (simd_kernels.h), whose pass 1 (maxima, NaN/+inf), series for h
 * and exps it uses. Parameters: KLD_KERNEL(div_logits), the name of the kernel it defines, and
 * KLD_REFERENCE(div_logits), the scalar reference kernel of the same storage type, for rows whose
 * logits are too large for float differences (as in logits_template.h).
 *
 * Three passes: pass 1 of logits_template.h; sums A = sum e^x and B = sum e^y (x, y as there),
 * summed as that file's pass 2 sums them, so that the fused kernel (stats_js_tv_logits_template.h)
 * can take them from there; then the terms (div_logits_terms). Both divergences are sums over
 * p - q, which cancels when P and Q are close: a float p = e^x / A off by an ulp would leave an
 * error of p 2^-24 in a term of size p |d|. So the terms come from the log-ratio of each pair,
 *
 *   u = log(q/p) = ((b - a) - shift) inv_t,  shift = (max b - max a) + log(B/A) / inv_t,
 *
 * in float, with shift's rounding carried as a float constant subtracted after the product. Then,
 * for |u| <= 2, e1 = q/p - 1 = e^u - 1 = e (e + 2) with e = e^(u/2) - 1 = u/2 + h(u/2)
 * (logits_template.h's series for h, valid for |u/2| <= 1), and
 *   TV term: |p - q| = p |e1|,
 *   JS term: s kappa(u/2), s = p + q = p (2 + e1), kappa(v) = v tanh v - log cosh v, which is
 *            g(d) (terms.h) at d = (p - q)/s = -tanh(u/2): a fit in v^2 (js_kappa).
 * p comes in units of A, w = e^x, by an inline exp (exp_lanes.h). Lanes with |u| > 2, where p and
 * q differ by a factor e^2 or more and nothing cancels, and masked lanes (-inf logits: p or q
 * exactly 0) are gathered per chunk and take the probability forms on A p = w and A q = e^y A/B
 * (js_lanes.h). Every term is summed in units of e^x, four vectors in float and then in double,
 * and divided by A once. docs/accuracy.md derives the bounds. */
#if !defined(KLD_KERNEL) || !defined(KLD_REFERENCE) || !defined(KLD_LOGITS_PASSES)
#error "div_logits_template.h needs KLD_KERNEL, KLD_REFERENCE, after logits_template.h"
#endif

#include "exp_lanes.h"
#include "js_lanes.h"

/* The sums of the terms pass, all in units of e^x (divided by A at the end), with
 * diff = A (q - p) per token: sum |diff| and sum diff (2 TV and the offset delta below), the e^x
 * of tokens with q > p and of tokens with |q/p - 1| <= KLD_DIV_NEAR, and sum s g (2 JS). */
typedef struct {
    double abs, diff, pos, near, js;
} div_logit_sums;

#define KLD_DIV_NEAR 0x1p-20f

typedef struct {
    logit_sums frame;         /* amax, bmax, inv_t; shift as above */
    vec resid, ratio;         /* shift's rounding times inv_t; A/B */
    double w, v, total_w, total_v; /* A and B: this block's, earlier blocks' */
    div_logit_sums sum, total;     /* likewise */
} div_logits;

static void softmax_sums_chunk(void *state, const elem *a, const elem *b, size_t nv)
{
    div_logits *s = state;
    acc w = {0}, v = {0};
    for (size_t k = 0; k < nv; k++) {
        logit_exps e = pass2_exps(&s->frame, v_load(a + k * KLD_LANES), v_load(b + k * KLD_LANES));
        w = acc_add(w, e.w);
        v = acc_add(v, e.v);
    }
    s->w += acc_sum(w);
    s->v += acc_sum(v);
}

static void softmax_sums_fold(void *state)
{
    div_logits *s = state;
    s->total_w += s->w;
    s->total_v += s->v;
    s->w = s->v = 0.0;
}

/* Phase 1 of a chunk (chunk_loop.h): each vector's u and w = e^x, the latter in line (exp_lanes.h:
 * the terms only need w to a few ulps, relative). */
typedef struct {
    vec w, u;
} div_lanes;

static inline div_lanes div_logit_lanes(const div_logits *s, vec a, vec b)
{
    vec u = v_sub(v_mul(offset_diff(b, a, s->frame.shift), s->frame.inv_t), s->resid);
    return (div_lanes){v_exp_nonpositive(scaled_x(&s->frame, a)), u};
}

/* A chunk's accumulators: in double the sums that carry the TV, the offset delta and the JS;
 * in float, widened once per chunk, the two that only steer the TV's correction (pos, whose
 * error is multiplied by delta <= ~2^-20, and near, which only decides a second run). */
typedef struct {
    acc abs, diff, js;
    vec pos, near;
} div_logit_accs;

/* kappa(v) = v tanh v - log cosh v = v^2 K(v^2) is g(d) at d = tanh v (terms.h), so the JS term
 * per unit of s = p + q at v = -u/2. K: the float coefficients of its degree-7 Chebyshev fit on
 * [0, 1] (|u| <= 2): 2.1e-8 relative, 1.2e-7 with float Horner's rounding (docs/accuracy.md). */
static inline vec js_kappa(vec v2)
{
    vec k = v_fmadd(v2, v_set1(-3.291171452e-04f), v_set1(2.110922709e-03f));
    k = v_fmadd(v2, k, v_set1(-7.244810928e-03f));
    k = v_fmadd(v2, k, v_set1(1.930819079e-02f));
    k = v_fmadd(v2, k, v_set1(-4.713276401e-02f));
    k = v_fmadd(v2, k, v_set1(1.111004129e-01f));
    k = v_fmadd(v2, k, v_set1(-2.499995083e-01f));
    k = v_fmadd(v2, k, v_set1(5.000000000e-01f));
    return v_mul(v2, k);
}

/* One vector's TV and JS terms in units of e^x, from lanes with |u| <= 2 (w = 0 in the others):
 * |diff| and diff = w e1 (A (q - p)), and s kappa = w (2 + e1) kappa(u/2) (2 A times the JS
 * term). e1 = q/p - 1 = e^u - 1 = e(e + 2) with e = e^(u/2) - 1 = u/2 + h(u/2), whose |u/2| <= 1
 * is the range of logits_template.h's series for h; the series' square of u/2 is kappa's v^2. */
typedef struct {
    vec abs, diff, js;
} div_terms;

static inline __attribute__((always_inline)) div_terms
div_small_terms(div_logit_accs *c, vec w, vec u, int js, int tv)
{
    const vec zero = v_set1(0), two = v_set1(2);
    vec half_u = v_mul(u, v_set1(0.5f));
    h_parts h = h_series(half_u);
    vec e = v_add(half_u, v_mul(h.u, v_add(h.e, h.to)));
    vec e1 = v_mul(e, v_add(e, two)); /* q/p - 1 */
    div_terms t = {zero, zero, zero};
    if (tv) {
        vec ae1 = v_abs(e1);
        t.abs = v_mul(w, ae1);
        t.diff = v_mul(w, e1);
        c->pos = v_add(c->pos, v_select(m_gt(e1, zero), w, zero));
        c->near = v_add(c->near, v_select(m_le(ae1, v_set1(KLD_DIV_NEAR)), w, zero));
    }
    if (js)
        t.js = v_mul(v_mul(w, v_add(two, e1)), js_kappa(h.u));
    return t;
}

/* The lanes of a chunk with |u| > 2 or a mask, gathered (their w, and y = (b - max b) inv_t) so
 * that their exps, divisions and logs run on full vectors: p and q differ by a factor e^2 or
 * more there, rare in an LLM row. */
typedef struct {
    lane w[KLD_CHUNK_VECS * KLD_LANES], y[KLD_CHUNK_VECS * KLD_LANES];
    size_t count;
} div_rare;

static KLD_NOINLINE void div_gather(const div_logits *s, div_rare *r, vec w, vec b,
                                    unsigned rare)
{
    lane wl[KLD_LANES], yl[KLD_LANES];
    v_store(wl, w);
    v_store(yl, scaled_y(&s->frame, b));
    for (unsigned k = 0; k < KLD_LANES; k++)
        if (rare >> k & 1u) {
            r->w[r->count] = wl[k];
            r->y[r->count++] = yl[k];
        }
}

/* The gathered lanes, through the probability forms on A p = w and A q = e^y A/B: p and q differ
 * by a factor e^2 or more, or one is 0, so nothing cancels. Padding lanes (w = 0, y = -inf) add
 * 0. Their sums are returned, not added into the chunk's accumulators by pointer, so that those
 * never leave registers. */
static KLD_NOINLINE div_logit_accs div_rare_terms(const div_logits *s, div_rare *r, int js,
                                                  int tv)
{
    const vec zero = v_set1(0);
    div_logit_accs sums = {.pos = zero, .near = zero}, *c = &sums;
    while (r->count % KLD_LANES) {
        r->w[r->count] = 0;
        r->y[r->count++] = -INFINITY;
    }
    for (size_t i = 0; i < r->count; i += KLD_LANES) {
        vec w = v_load_lanes(r->w + i), vr = v_mul(v_exp(v_load_lanes(r->y + i)), s->ratio);
        if (tv) {
            vec diff = v_sub(vr, w);
            c->abs = acc_add(c->abs, v_abs(diff));
            c->diff = acc_add(c->diff, diff);
            c->pos = v_add(c->pos, v_select(m_gt(diff, zero), w, zero));
        }
        if (js) {
            vec g, sum = js_sum_and_g(w, vr, v_add(w, vr), m_ge(w, zero), &g);
            c->js = acc_fma(c->js, sum, g);
        }
    }
    r->count = 0;
    return sums;
}

/* One vector of phase 2: its lanes with |u| <= 2 computed, its other lanes gathered. */
static inline __attribute__((always_inline)) div_terms
div_vector(const div_logits *s, div_logit_accs *c, div_rare *r, const div_lanes *l,
           const elem *b, int js, int tv)
{
    const vec zero = v_set1(0);
    mask small = m_le(v_abs(l->u), v_set1(2)); /* never where masked: u is NaN or infinite */
    unsigned rare = ~m_bits(small) & KLD_ALL_LANES;
    if (!rare)
        return div_small_terms(c, l->w, l->u, js, tv);
    div_gather(s, r, l->w, v_load(b), rare);
    return div_small_terms(c, v_select(small, l->w, zero), v_select(small, l->u, zero), js, tv);
}

/* Adds a group's terms into the double accumulators (for the tail, one vector). */
static inline __attribute__((always_inline)) void
div_add(div_logit_accs *c, div_terms t, int js, int tv)
{
    if (tv) {
        c->abs = acc_add(c->abs, t.abs);
        c->diff = acc_add(c->diff, t.diff);
    }
    if (js)
        c->js = acc_add(c->js, t.js);
}

/* Phase 2 takes vectors in fours, whose terms (all >= 0, but for diff) are added in float lanes,
 * two roundings, before the widening to double: a quarter of the widening work. */
static inline __attribute__((always_inline)) void
div_logits_chunk(div_logits *s, const elem *a, const elem *b, size_t nv, int js, int tv)
{
    div_lanes l[KLD_CHUNK_VECS];
    for (size_t k = 0; k < nv; k++)
        l[k] = div_logit_lanes(s, v_load(a + k * KLD_LANES), v_load(b + k * KLD_LANES));
    div_logit_accs c = {.pos = v_set1(0), .near = v_set1(0)};
    div_rare r;
    r.count = 0;
    size_t k = 0;
    for (; k + 4 <= nv; k += 4) {
        div_terms t[4];
        for (size_t j = 0; j < 4; j++)
            t[j] = div_vector(s, &c, &r, &l[k + j], b + (k + j) * KLD_LANES, js, tv);
        div_add(&c,
                (div_terms){v_add(v_add(t[0].abs, t[1].abs), v_add(t[2].abs, t[3].abs)),
                            v_add(v_add(t[0].diff, t[1].diff), v_add(t[2].diff, t[3].diff)),
                            v_add(v_add(t[0].js, t[1].js), v_add(t[2].js, t[3].js))},
                js, tv);
    }
    for (; k < nv; k++)
        div_add(&c, div_vector(s, &c, &r, &l[k], b + k * KLD_LANES, js, tv), js, tv);
    const acc none = {0};
    s->sum.abs += acc_sum(c.abs);
    s->sum.diff += acc_sum(c.diff);
    s->sum.pos += acc_sum(acc_add(none, c.pos));
    s->sum.near += acc_sum(acc_add(none, c.near));
    s->sum.js += acc_sum(c.js);
    if (r.count) {
        div_logit_accs f = div_rare_terms(s, &r, js, tv);
        s->sum.abs += acc_sum(f.abs);
        s->sum.diff += acc_sum(f.diff);
        s->sum.pos += acc_sum(acc_add(none, f.pos));
        s->sum.js += acc_sum(f.js);
    }
}

static void div_logits_fold(void *state)
{
    div_logits *s = state;
    s->total.abs += s->sum.abs;
    s->total.diff += s->sum.diff;
    s->total.pos += s->sum.pos;
    s->total.near += s->sum.near;
    s->total.js += s->sum.js;
    s->sum = (div_logit_sums){0};
}

/* The three variants: both divergences, JS only, TV only. */
static void div_logits_chunk_both(void *state, const elem *a, const elem *b, size_t nv)
{
    div_logits_chunk(state, a, b, nv, 1, 1);
}

static void div_logits_chunk_js(void *state, const elem *a, const elem *b, size_t nv)
{
    div_logits_chunk(state, a, b, nv, 1, 0);
}

static void div_logits_chunk_tv(void *state, const elem *a, const elem *b, size_t nv)
{
    div_logits_chunk(state, a, b, nv, 0, 1);
}

/* The terms pass with u = t - c, c = log(B/A) + correction. */
static void div_logits_terms_run(div_logits *s, const elem *a, const elem *b, size_t n, float am,
                                 float bm, float inv_t, double correction, int js, int tv)
{
    double shift = ((double)bm - am) + (log(s->total_v / s->total_w) + correction) / inv_t;
    float shift_f = (float)shift;
    s->frame.shift = v_set1(shift_f);
    s->resid = v_set1((float)((shift - shift_f) * inv_t));
    s->ratio = v_set1((float)(s->total_w / s->total_v));
    s->sum = s->total = (div_logit_sums){0};
    if (js && tv)
        kld_run_chunks(s, a, b, n, KLD_ELEM_NEG_INF, div_logits_chunk_both, div_logits_fold);
    else if (js)
        kld_run_chunks(s, a, b, n, KLD_ELEM_NEG_INF, div_logits_chunk_js, div_logits_fold);
    else
        kld_run_chunks(s, a, b, n, KLD_ELEM_NEG_INF, div_logits_chunk_tv, div_logits_fold);
}

/* A and B come from float exps (1 ulp each), so c = log(B/A) is off by up to ~2^-22: a constant
 * delta added to every u. The JS moves by about delta JS / 2 (second order in the distance), but
 * the TV by delta itself, which matters when the TV is small. The terms pass measures it,
 * delta = sum p (q/p - 1) = sum q - 1 (0 for the exact c, to the terms' own rounding), and
 * corrects to first order: TV = (T - delta (M + T))/2, T = sum p |q/p - 1|, M = sum p sign(q - p).
 * That is exact but for tokens whose sign flips (|q/p - 1| <= |delta|), each off by at most
 * 2 |delta| p; when those (bounded by the tokens within KLD_DIV_NEAR) or delta^2 could exceed
 * 2^-25 TV, the pass runs again with c corrected by log1p(delta). */
static double tv_corrected(const div_logits *s, double *delta, int *again)
{
    const div_logit_sums *z = &s->total;
    /* M = 2 P(q > p) - 1 + P(q = p); the last, at most the mass within KLD_DIV_NEAR, is left
     * out: its share of the TV, delta P(q = p) / 2, is within the rule's 2 |delta| near */
    double big_a = s->total_w, t = z->abs / big_a, m = 2 * z->pos / big_a - 1;
    *delta = z->diff / big_a;
    double tv = 0.5 * (t - *delta * (m + t));
    *again = 2 * fabs(*delta) * (z->near / big_a) + *delta * *delta > 0x1p-25 * tv;
    return tv;
}

/* The terms pass, and the TV's second run when tv_corrected asks for it, on a row whose frame
 * (maxima, A and B) is known; also the fused kernel's (stats_js_tv_logits_template.h). The JS
 * comes from the first run: the second one is for the TV alone. */
static void div_logits_terms(const elem *a, const elem *b, size_t n, float inv_t,
                             const logits_frame *f, double *js, double *tv)
{
    div_logits s = {0};
    s.frame.amax = v_set1(f->am);
    s.frame.bmax = v_set1(f->bm);
    s.frame.inv_t = v_set1(inv_t);
    s.total_w = f->w;
    s.total_v = f->v;
    div_logits_terms_run(&s, a, b, n, f->am, f->bm, inv_t, 0.0, js != NULL, tv != NULL);
    if (js)
        *js = 0.5 * s.total.js / s.total_w;
    if (tv) {
        double delta;
        int again;
        *tv = tv_corrected(&s, &delta, &again);
        if (again) {
            div_logits_terms_run(&s, a, b, n, f->am, f->bm, inv_t, log1p(delta), 0, 1);
            *tv = tv_corrected(&s, &delta, &again);
        }
    }
}

void KLD_KERNEL(div_logits)(const elem *a, const elem *b, size_t n, float inv_t, double *js, double *tv)
{
    float am, bm;
    logits_route route = logits_pass1(a, b, n, inv_t, &am, &bm);
    if (route == LOGITS_NAN) {
        if (js)
            *js = NAN;
        if (tv)
            *tv = NAN;
        return;
    }
    if (route == LOGITS_REFERENCE) { /* as in logits_template.h */
        KLD_REFERENCE(div_logits)(a, b, n, inv_t, js, tv);
        return;
    }
    /* A and B summed as pass 2 of logits_template.h sums them, so that the fused kernel, which
     * takes them from there, gets the same bits */
    div_logits s = {0};
    s.frame.amax = v_set1(am);
    s.frame.bmax = v_set1(bm);
    s.frame.inv_t = v_set1(inv_t);
    kld_run_chunks(&s, a, b, n, KLD_ELEM_NEG_INF, softmax_sums_chunk, softmax_sums_fold);
    logits_frame f = {am, bm, s.total_w, s.total_v};
    div_logits_terms(a, b, n, inv_t, &f, js, tv);
}
