/* distill_template.h - the distillation kernel of a SIMD path: the loss of one divergence between
 * the teacher's P = softmax(teacher/T) and the student's Q = softmax(student/T), and its gradient
 * with respect to the student's logits (kld.h's kld_distill_*; the reference,
 * distill_ref_template.h, defines the semantics). Included after logits_template.h and
 * div_logits_template.h in the same translation unit (simd_kernels.h): it uses their pass 1
 * (maxima, NaN/+inf), their softmax sums pass, h_pair, kl_from_moments and the JS terms.
 * Parameters: KLD_KERNEL(distill), KLD_REFERENCE(distill) and KLD_TYPE. For f64 (no SIMD logits
 * kernels) the path's kernel is the reference.
 *
 * The teacher is div_logits' a (P, weights w = e^x, A = sum w) and the student its b (Q, v = e^y,
 * B = sum v); every sum is in units of e^x, as there, with A q = v A/B (vr). Passes:
 *   1. maxima, NaN/+inf (logits_template.h);
 *   2. A and B (div_logits_template.h's softmax sums): the gradient needs normalised p and q;
 *   3. u = log(q/p) = ((b - a) - shift) inv_t - resid, centred by log(B/A) (as div_logits), and
 *      e1 = q/p - 1 = u + h(u) for |u| <= 1 (no cancellation when P and Q are close), then
 *        forward  loss from E_p[u] and E_p[h(u)] (kl_from_moments), gradient inv_t (q - p) =
 *                 (inv_t/A) w e1 (or vr - w where |u| > 1 or a side is masked), written here;
 *        reverse  loss from E_q[-u] and E_q[h(-u)]; the gradient's constant K = E_q[u];
 *        JS       loss as div_logits'; K = E_q[L], L = log(q/m) = log(2q/(p + q));
 *   4. (reverse, JS) the gradient, (inv_t/A) vr (u - K) or (inv_t/(2A)) vr (L - K).
 * The reverse's and the JS's K is the plain mean of the u (or L) the write pass uses, so the
 * gradient sums to 0 but for rounding, and the constant error of u (log(B/A) from float sums)
 * cancels in u - K. The loss uses the moment form, which that constant does not move. */
#if !defined(KLD_KERNEL) || !defined(KLD_REFERENCE) || !defined(KLD_TYPE)
#error "distill_template.h needs KLD_KERNEL, KLD_REFERENCE and KLD_TYPE"
#endif

#if !KLD_CAT(KLD_LOGITS_, KLD_TYPE)
void KLD_KERNEL(distill)(const elem *student, const elem *teacher, size_t n, float inv_t,
                         int kind, double *loss, float *grad, elem *grad_native)
{
    KLD_REFERENCE(distill)(student, teacher, n, inv_t, kind, loss, grad, grad_native);
}
#else
#if !defined(KLD_LOGITS_PASSES)
#error "distill_template.h needs logits_template.h and div_logits_template.h first"
#endif

#include "generic/grad_store.h"

/* Pass 3's sums, in units of e^x: w, w u, w h(u) (forward); vr, vr u, vr h(-u) (reverse); vr L
 * (JS's K); div_logits' JS sum. */
typedef struct {
    double w, wu, wh, vr, vru, vrh, vrl, js;
} distill_sums;

typedef struct {
    acc w, wu, wh, vr, vru, vrh, vrl;
} distill_accs;

typedef struct {
    div_logits d;               /* frame, resid, ratio = A/B, A and B (total_w, total_v) */
    vec scale, k;               /* the gradient's factor inv_t/A (halved for JS) and constant K */
    float inv_t;
    distill_sums sum, total;    /* this block's, earlier blocks' */
    unsigned p_only, q_only;    /* lanes with p > 0 = q (forward +inf), q > 0 = p (reverse +inf) */
    float *grad;                /* the write cursor: float gradient, or */
    elem *native;               /* the input's type; elements left to write */
    size_t left;
} distill;

/* One vector's shared values; u = 0 and small = 0 where a side is masked. */
typedef struct {
    vec w, vr, u, e1, hp, hm;
    mask small, fa, fb;
} distill_lanes;

/* The float gradient buffer's next vector (pass 2 stored the teacher's e^x there), read at
 * the write cursor; a partial tail is padded with 0 (the padded lanes are masked). */
static inline vec distill_kept_w(const distill *s)
{
    if (s->left >= KLD_LANES)
        return v_load_lanes(s->grad);
    lane w[KLD_LANES] = {0};
    memcpy(w, s->grad, s->left * sizeof *w);
    return v_load_lanes(w);
}

/* The cursor past one vector, without writing (the passes that only read the buffer). */
static inline void distill_advance(distill *s)
{
    size_t k = s->left < KLD_LANES ? s->left : KLD_LANES;
    s->grad += k;
    s->left -= k;
}

/* One vector's values. The teacher's weights w = e^x are recomputed, or read back from the
 * float gradient buffer, where pass 2 left them (kept): the same bits either way. The student's
 * A q is w (1 + e1) on close lanes (A q = A p q/p: no exp), and v A/B elsewhere, whose exp runs
 * only for a vector with a far or masked lane. */
static inline distill_lanes distill_lanes_of(const distill *s, vec a, vec b, int kept)
{
    const vec zero = v_set1(0), one = v_set1(1), ninf = v_set1(-INFINITY);
    distill_lanes l;
    l.fa = m_gt(a, ninf);
    l.fb = m_gt(b, ninf);
    mask both = m_and(l.fa, l.fb);
    l.u = v_sub(v_mul(offset_diff(b, a, s->d.frame.shift), s->d.frame.inv_t), s->d.resid);
    l.u = v_select(both, l.u, zero);
    l.small = m_and(both, m_le(v_abs(l.u), one));
    h_pair(l.u, &l.hp, &l.hm);
    l.e1 = v_add(l.u, l.hp);
    l.w = kept ? distill_kept_w(s) : v_exp(scaled_x(&s->d.frame, a));
    l.vr = v_fmadd(l.w, l.e1, l.w);
    if (m_bits(l.small) != KLD_ALL_LANES)
        l.vr = v_select(l.small, l.vr, v_mul(v_exp(scaled_y(&s->d.frame, b)), s->d.ratio));
    return l;
}

/* L = log(q/m) = log(2q/(p + q)) where q > 0 (0 elsewhere). Close (|u| <= 1): log1p(-d) with
 * d = (p - q)/(p + q) = -e1/(2 + e1), as log(y) - ((y - 1) + d)/y, y = 1 - d, which corrects the
 * rounding of y to first order (Goldberg's log1p): no cancellation as P and Q meet. Elsewhere
 * the quotient, floored at FLT_MIN (below, q < 2^-126 p and q L is below 2^-119 p). */
static inline vec distill_js_log(const distill_lanes *l)
{
    const vec zero = v_set1(0), one = v_set1(1), two = v_set1(2);
    mask q_pos = m_gt(l->vr, zero);
    vec d = v_div(v_sub(zero, l->e1), v_add(two, l->e1));
    vec y = v_select(l->small, v_sub(one, d), one);
    vec close = v_sub(v_log(y), v_div(v_add(v_sub(y, one), d), y));
    vec ratio = v_div(v_mul(two, l->vr), v_select(q_pos, v_add(l->w, l->vr), one));
    vec far = v_log(v_max(ratio, v_set1(FLT_MIN)));
    return v_select(q_pos, v_select(l->small, close, far), zero);
}

/* One vector's gradient, before the factor. */
static inline vec distill_grad_of(const distill *s, const distill_lanes *l, int kind)
{
    if (kind == KLD_DISTILL_FORWARD)
        return v_select(l->small, v_mul(l->w, l->e1), v_sub(l->vr, l->w));
    vec term = kind == KLD_DISTILL_REVERSE ? l->u : distill_js_log(l);
    return v_mul(l->vr, v_sub(term, s->k));
}

static inline void distill_store(distill *s, vec g)
{
    size_t k = s->left < KLD_LANES ? s->left : KLD_LANES;
    if (s->grad && k == KLD_LANES) {
        v_store(s->grad, g);
        s->grad += KLD_LANES;
    } else {
        lane out[KLD_LANES];
        v_store(out, g);
        if (s->grad) {
            memcpy(s->grad, out, k * sizeof *out);
            s->grad += k;
        } else {
            for (size_t i = 0; i < k; i++)
                s->native[i] = KLD_GRAD_ELEM(out[i]);
            s->native += k;
        }
    }
    s->left -= k;
}

/* One chunk: the loss's sums when sums, the gradient when write. */
static inline __attribute__((always_inline)) void
distill_chunk(distill *s, const elem *a, const elem *b, size_t nv, int kind, int sums, int write,
              int kept)
{
    const vec one = v_set1(1);
    distill_accs c = {0};
    for (size_t k = 0; k < nv; k++) {
        vec va = v_load(a + k * KLD_LANES), vb = v_load(b + k * KLD_LANES);
        distill_lanes l = distill_lanes_of(s, va, vb, kept);
        if (sums && kind == KLD_DISTILL_FORWARD) {
            c.w = acc_add(c.w, l.w);
            c.vr = acc_add(c.vr, l.vr);
            c.wu = acc_fma(c.wu, l.w, l.u);
            c.wh = acc_add(c.wh, v_select(l.small, v_mul(l.w, l.hp),
                                          v_fnmadd(l.w, v_add(one, l.u), l.vr)));
        }
        if (sums && kind == KLD_DISTILL_REVERSE) {
            c.w = acc_add(c.w, l.w);
            c.vr = acc_add(c.vr, l.vr);
            c.vru = acc_fma(c.vru, l.vr, l.u);
            c.vrh = acc_add(c.vrh, v_select(l.small, v_mul(l.vr, l.hm),
                                            v_fnmadd(l.vr, v_sub(one, l.u), l.w)));
        }
        if (sums && kind == KLD_DISTILL_JS) {
            c.vr = acc_add(c.vr, l.vr);
            c.vrl = acc_fma(c.vrl, l.vr, distill_js_log(&l));
        }
        if (sums) {
            unsigned masked = ~m_bits(m_and(l.fa, l.fb)) & KLD_ALL_LANES;
            s->p_only |= m_bits(l.fa) & masked;
            s->q_only |= m_bits(l.fb) & masked;
        }
        if (write)
            distill_store(s, v_mul(s->scale, distill_grad_of(s, &l, kind)));
        else if (kept)
            distill_advance(s);
    }
    if (sums) {
        s->sum.w += acc_sum(c.w);
        s->sum.wu += acc_sum(c.wu);
        s->sum.wh += acc_sum(c.wh);
        s->sum.vr += acc_sum(c.vr);
        s->sum.vru += acc_sum(c.vru);
        s->sum.vrh += acc_sum(c.vrh);
        s->sum.vrl += acc_sum(c.vrl);
    }
    if (sums && kind == KLD_DISTILL_JS) { /* the JS itself: the JS kernel's terms of this chunk */
        s->d.sum.js = 0;
        div_logits_chunk(&s->d, a, b, nv, 1, 0);
        s->sum.js += s->d.sum.js;
    }
}

static void distill_fold(void *state)
{
    distill *s = state;
    s->total.w += s->sum.w;
    s->total.wu += s->sum.wu;
    s->total.wh += s->sum.wh;
    s->total.vr += s->sum.vr;
    s->total.vru += s->sum.vru;
    s->total.vrh += s->sum.vrh;
    s->total.vrl += s->sum.vrl;
    s->total.js += s->sum.js;
    s->sum = (distill_sums){0};
}

/* The variants: forward's sums with (or without) the gradient; the reverse's and the JS's sums,
 * then their gradient; the forward's and the reverse's with w kept in the gradient buffer. */
#define KLD_DISTILL_CHUNK(name, kind, sums, write, kept)                                       \
    static void distill_chunk_##name(void *state, const elem *a, const elem *b, size_t nv)     \
    {                                                                                          \
        distill_chunk(state, a, b, nv, kind, sums, write, kept);                               \
    }
KLD_DISTILL_CHUNK(forward_write, KLD_DISTILL_FORWARD, 1, 1, 0)
KLD_DISTILL_CHUNK(forward_sums, KLD_DISTILL_FORWARD, 1, 0, 0)
KLD_DISTILL_CHUNK(js_sums, KLD_DISTILL_JS, 1, 0, 0)
KLD_DISTILL_CHUNK(js_write, KLD_DISTILL_JS, 0, 1, 0)
KLD_DISTILL_CHUNK(reverse_sums, KLD_DISTILL_REVERSE, 1, 0, 0)
KLD_DISTILL_CHUNK(reverse_write, KLD_DISTILL_REVERSE, 0, 1, 0)
KLD_DISTILL_CHUNK(forward_write_kept, KLD_DISTILL_FORWARD, 1, 1, 1)
KLD_DISTILL_CHUNK(reverse_sums_kept, KLD_DISTILL_REVERSE, 1, 0, 1)
KLD_DISTILL_CHUNK(reverse_write_kept, KLD_DISTILL_REVERSE, 0, 1, 1)
#undef KLD_DISTILL_CHUNK

/* Pass 2 that also keeps the teacher's e^x in the float gradient buffer, for pass 3 (and 4)
 * to read back instead of recomputing: div_logits' softmax sums, plus the store. */
static void distill_sums_keep_chunk(void *state, const elem *a, const elem *b, size_t nv)
{
    distill *s = state;
    acc w = {0}, v = {0}; /* summed as softmax_sums_chunk sums them */
    for (size_t k = 0; k < nv; k++) {
        logit_exps e =
            pass2_exps(&s->d.frame, v_load(a + k * KLD_LANES), v_load(b + k * KLD_LANES));
        w = acc_add(w, e.w);
        v = acc_add(v, e.v);
        distill_store(s, e.w);
    }
    s->d.w += acc_sum(w);
    s->d.v += acc_sum(v);
}

static void distill_sums_keep_fold(void *state)
{
    softmax_sums_fold(&((distill *)state)->d);
}

/* Pass 3 (and 4): the loss, and the gradient when asked. */
static double distill_run(distill *s, const elem *a, const elem *b, size_t n, int kind,
                          int write, int kept)
{
    const distill_sums *z = &s->total;
    double a_sum = s->d.total_w;
    float *start = s->grad;
    if (kind == KLD_DISTILL_FORWARD) {
        s->scale = v_set1((float)(s->inv_t / a_sum));
        kld_run_chunks(s, a, b, n, KLD_ELEM_NEG_INF,
                       kept    ? distill_chunk_forward_write_kept
                       : write ? distill_chunk_forward_write
                               : distill_chunk_forward_sums,
                       distill_fold);
        return s->p_only ? INFINITY
                         : kl_from_moments(z->wu / z->w, z->wh / z->w, log(z->vr / z->w));
    }
    int reverse = kind == KLD_DISTILL_REVERSE;
    kld_run_chunks(s, a, b, n, KLD_ELEM_NEG_INF,
                   kept      ? distill_chunk_reverse_sums_kept
                   : reverse ? distill_chunk_reverse_sums
                             : distill_chunk_js_sums,
                   distill_fold);
    double loss = reverse ? kl_from_moments(-z->vru / z->vr, z->vrh / z->vr, log(z->w / z->vr))
                          : 0.5 * z->js / a_sum;
    if (reverse && s->q_only)
        return INFINITY; /* the caller writes NaN */
    if (write) {
        s->k = v_set1((float)((reverse ? z->vru : z->vrl) / z->vr));
        s->scale = v_set1((float)((reverse ? 1.0 : 0.5) * s->inv_t / a_sum));
        s->grad = start;
        s->left = n;
        kld_run_chunks(s, a, b, n, KLD_ELEM_NEG_INF,
                       kept      ? distill_chunk_reverse_write_kept
                       : reverse ? distill_chunk_reverse_write
                                 : distill_chunk_js_write,
                       distill_fold);
    }
    return loss;
}

void KLD_KERNEL(distill)(const elem *student, const elem *teacher, size_t n, float inv_t,
                         int kind, double *loss, float *grad, elem *grad_native)
{
    const elem *a = teacher, *b = student;
    logit_pass1 p1 = {v_set1(-INFINITY), v_set1(-INFINITY), v_set1(-INFINITY), KLD_ALL_LANES};
    kld_run_chunks(&p1, a, b, n, KLD_ELEM_NEG_INF, pass1_chunk, pass1_fold);
    float am = max_lane(p1.max_a), bm = max_lane(p1.max_b);
    if (p1.ok != KLD_ALL_LANES || am == -INFINITY || bm == -INFINITY) {
        distill_nan_row(n, loss, grad, grad_native);
        return;
    }
    double span = fmax(fmax(fabs(am), fabs(bm)), max_lane(p1.neg_min));
    if (!(span <= 0x1p100 && span * inv_t <= 0x1p60)) { /* as in logits_template.h */
        KLD_REFERENCE(distill)(student, teacher, n, inv_t, kind, loss, grad, grad_native);
        return;
    }
    distill s = {0};
    s.d.frame.amax = v_set1(am);
    s.d.frame.bmax = v_set1(bm);
    s.d.frame.inv_t = v_set1(inv_t);
    s.inv_t = inv_t;
    /* the float gradient buffer holds the teacher's exps from pass 2 to pass 3 (4), which read
     * them back instead of recomputing them (not for JS, whose terms recompute their own) */
    int kept = grad && kind != KLD_DISTILL_JS;
    s.grad = grad;
    s.native = grad ? NULL : grad_native;
    s.left = n;
    if (kept)
        kld_run_chunks(&s, a, b, n, KLD_ELEM_NEG_INF, distill_sums_keep_chunk,
                       distill_sums_keep_fold);
    else
        kld_run_chunks(&s.d, a, b, n, KLD_ELEM_NEG_INF, softmax_sums_chunk, softmax_sums_fold);
    s.grad = grad;
    s.left = n;
    /* u's frame, as div_logits_terms_run's: the shift in float, its rounding times inv_t apart */
    double shift = ((double)bm - am) + log(s.d.total_v / s.d.total_w) / inv_t;
    float shift_f = (float)shift;
    s.d.frame.shift = v_set1(shift_f);
    s.d.resid = v_set1((float)((shift - shift_f) * inv_t));
    s.d.ratio = v_set1((float)(s.d.total_w / s.d.total_v));
    *loss = distill_run(&s, a, b, n, kind, grad || grad_native, kept);
    if (*loss == INFINITY && kind == KLD_DISTILL_REVERSE) {
        distill_nan_row(n, loss, grad, grad_native);
        *loss = INFINITY;
    }
}
#endif
