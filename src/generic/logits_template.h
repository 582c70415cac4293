/* logits_template.h - KL and friends of P = softmax(a/T), Q = softmax(b/T) straight from logits,
 * written once over the lane operations of an f32 lanes header (see prob_template.h for the
 * list, plus v_exp) and a storage header (float, f16 or bf16), instantiated by each
 * path's kernels_<type>.c through simd_kernels.h. Parameters: KLD_KERNEL(family), as in
 * prob_template.h, for the two kernels it defines from one body: stats_logits (everything) and
 * both_logits (the two KLs only: no entropy sums, no argmax scans); and KLD_REFERENCE(family),
 * the scalar reference kernel of the same storage type, which takes the rows whose logits are
 * too large for float differences.
 *
 * The kernels take inv_t = fl32(1/T), and scale logits by multiplying by it, as every path does
 * (kernels.h). Pass 1 reads a and b for their maxima, their first argmax, and NaN/+inf. Pass 2
 * computes, with x = (a - max a) inv_t, y = (b - max b) inv_t, w = e^x, v = e^y (p = w/A, q = v/Zq):
 *
 *   t = y - x = ((b - a) - (max b - max a)) inv_t    (b - a first, exact: offset_diff)
 *   KL(P||Q) = log E_p[e^t] - E_p[t] = eta + phi(rho + eta),
 *     rho = E_p[t], eta = E_p[h(t)], h(t) = e^t - 1 - t, phi(u) = log1p(u) - u,
 *
 * and the mirror for KL(Q||P) with -t under Q. The textbook form sum p(x - y) - lse_a + lse_b
 * cancels two terms of size ~10 down to a KL of ~1e-5, so the 1-ulp error of a float exp (6e-8)
 * would dominate. Here the error of each term scales with h(t) ~ t^2/2, the KL's own size: h comes
 * from a degree-11 polynomial (error < 6e-9 relative) for |t| <= 1, and from w*e^t - w - w*t =
 * v - w(1 + t) beyond, where nothing cancels badly. Sums are in double. Pass 2 makes a chunk's
 * exps first and then its arithmetic (see chunk_loop.h).
 * Distributions far apart (|rho| + eta > 1) use log(Zq/A) - rho instead, which is then the form
 * that does not cancel; rows with logits beyond 2^100 or 2^60 / inv_t go to the scalar reference.
 *
 * Masked tokens (-inf): a lane masked in both contributes nothing; masked in b only (p > 0 = q)
 * sets the forward +inf flag and adds its p-mass w to the reverse's h-sum (its e^-t term is w/v
 * with v = 0: exactly the p-mass that Q misses); masked in a only is the mirror. Such lanes take
 * t = 0 and the direct formula, which then gives exactly those masses. Tails pad with -inf. */
#if !defined(KLD_KERNEL) || !defined(KLD_REFERENCE) || !defined(KLD_LANES) || \
    !defined(KLD_ELEM_NEG_INF)
#error "logits_template.h needs KLD_KERNEL, KLD_REFERENCE, a lanes header and a storage header"
#endif

#include <float.h>
#include <math.h>

#include "chunk_loop.h"
#include "kernels.h"
#include "logit_sums.h"
#include "terms.h"

/* for div_logits_template.h, which builds on this file's passes */
#define KLD_LOGITS_PASSES

typedef struct {
    vec max_a, max_b, neg_min; /* neg_min: the largest -x over finite a and b */
    unsigned ok;               /* lanes that never saw NaN or +inf */
} logit_pass1;

static inline void pass1_block(logit_pass1 *s, vec a, vec b)
{
    const vec hi = v_set1(FLT_MAX), ninf = v_set1(-INFINITY), zero = v_set1(0);
    mask fa = m_gt(a, ninf), fb = m_gt(b, ninf);
    s->max_a = v_max(s->max_a, a);
    s->max_b = v_max(s->max_b, b);
    s->neg_min = v_max(s->neg_min, v_max(v_select(fa, v_sub(zero, a), ninf),
                                         v_select(fb, v_sub(zero, b), ninf)));
    s->ok &= m_bits(m_or(m_le(a, hi), m_eq(a, ninf))) & m_bits(m_or(m_le(b, hi), m_eq(b, ninf)));
}

static void pass1_chunk(void *state, const elem *a, const elem *b, size_t nv)
{
    logit_pass1 *s = state;
    for (size_t k = 0; k < nv; k++)
        pass1_block(s, v_load(a + k * KLD_LANES), v_load(b + k * KLD_LANES));
}

static void pass1_fold(void *state) /* maxima need no folding */
{
    (void)state;
}

static float max_lane(vec v)
{
    lane lanes[KLD_LANES];
    v_store(lanes, v);
    float m = lanes[0];
    for (unsigned k = 1; k < KLD_LANES; k++)
        m = lanes[k] > m ? lanes[k] : m;
    return m;
}

/* The first index whose value is m (m occurs: it is the maximum of x). */
static size_t first_index_of(const elem *x, size_t n, float m)
{
    const vec target = v_set1(m);
    size_t i = 0;
    for (; i + KLD_LANES <= n; i += KLD_LANES) {
        unsigned hit = m_bits(m_eq(v_load(x + i), target));
        if (hit)
            return i + (size_t)__builtin_ctz(hit);
    }
    for (; i < n; i++)
        if (elem_to_lane(x[i]) == m)
            break;
    return i;
}

typedef struct {
    vec amax, bmax, shift, inv_t; /* shift = max b - max a, moved by centre / inv_t */
    vec exp_neg_c, exp_pos_c;     /* e^-centre and e^centre: v e^-t = w e^centre */
    kld_logit_sums sum;   /* this block's (logit_sums.h) */
    kld_logit_sums total; /* earlier blocks (chunk_loop.h) */
    unsigned f_inf, r_inf;
} logit_sums;

typedef struct {
    acc w, v, wt, vt, wh, vh, wx, vy; /* one chunk's share of each field of kld_logit_sums */
} logit_accs;

/* h(t) = e^t - 1 - t = t^2 (E(t^2) + t O(t^2)) and h(-t) = t^2 (E - t O): the Taylor series of
 * (e^t - 1 - t)/t^2 split into even and odd parts, through t^9; the next term is below
 * 2.1e-9 * t^10 while h(t)/t^2 >= 0.36 on |t| <= 1. */
typedef struct {
    vec u, e, to; /* t^2, E(t^2), t O(t^2); h(t) = u (e + to), also div_logits_template.h's */
} h_parts;

static inline h_parts h_series(vec t)
{
    vec u = v_mul(t, t);
    vec e = v_fmadd(u, v_set1(1.0f / 3628800), v_set1(1.0f / 40320));
    e = v_fmadd(u, e, v_set1(1.0f / 720));
    e = v_fmadd(u, e, v_set1(1.0f / 24));
    e = v_fmadd(u, e, v_set1(1.0f / 2));
    vec o = v_fmadd(u, v_set1(1.0f / 39916800), v_set1(1.0f / 362880));
    o = v_fmadd(u, o, v_set1(1.0f / 5040));
    o = v_fmadd(u, o, v_set1(1.0f / 120));
    o = v_fmadd(u, o, v_set1(1.0f / 6));
    return (h_parts){u, e, v_mul(t, o)};
}

static inline void h_pair(vec t, vec *hp, vec *hm)
{
    h_parts h = h_series(t);
    *hp = v_mul(h.u, v_add(h.e, h.to));
    *hm = v_mul(h.u, v_sub(h.e, h.to));
}

/* One vector's exps: w = e^x, v = e^y (0 where masked). */
typedef struct {
    vec w, v;
} logit_exps;

/* (b - a) - shift with b - a exact: its float d and d's rounding error (Knuth's TwoSum, five
 * adds). Without it, b - a is exact only for nearby logits; raw logits against log-probabilities
 * (b ~ a - 14) lose ~ulp(14) per token, 1e-5 of a small KL. d - shift is then exact too where
 * the offset dominates (Sterbenz: d and shift within a factor 2). NaN where a or b is -inf. */
static inline vec offset_diff(vec b, vec a, vec shift)
{
    vec d = v_sub(b, a), bv = v_add(d, a);
    vec err = v_add(v_sub(b, bv), v_sub(v_sub(bv, d), a));
    return v_add(v_sub(d, shift), err);
}

static inline vec scaled_x(const logit_sums *s, vec a) { return v_mul(v_sub(a, s->amax), s->inv_t); }
static inline vec scaled_y(const logit_sums *s, vec b) { return v_mul(v_sub(b, s->bmax), s->inv_t); }

static inline logit_exps pass2_exps(const logit_sums *s, vec a, vec b)
{
    return (logit_exps){v_exp(scaled_x(s, a)), v_exp(scaled_y(s, b))};
}

/* One vector's terms, from its exps, into the chunk's accumulators; the entropies' sums (w*x,
 * v*y) only when full, and v e^-centre, w e^centre only when t was moved (logits_kernel). */
static inline void pass2_add(logit_sums *s, logit_accs *c, const logit_exps *e, vec a, vec b,
                             int full, int moved)
{
    const vec zero = v_set1(0), one = v_set1(1), ninf = v_set1(-INFINITY);
    mask fa = m_gt(a, ninf), fb = m_gt(b, ninf), both = m_and(fa, fb);
    vec t = v_select(both, v_mul(offset_diff(b, a, s->shift), s->inv_t), zero);
    mask small = m_and(both, m_and(m_le(t, one), m_ge(t, v_set1(-1))));
    vec hp, hm;
    h_pair(t, &hp, &hm);
    vec w_et = moved ? v_mul(e->v, s->exp_neg_c) : e->v;  /* w e^t */
    vec v_emt = moved ? v_mul(e->w, s->exp_pos_c) : e->w; /* v e^-t */
    vec wh = v_select(small, v_mul(e->w, hp), v_fnmadd(e->w, v_add(one, t), w_et));
    vec vh = v_select(small, v_mul(e->v, hm), v_fnmadd(e->v, v_sub(one, t), v_emt));
    c->w = acc_add(c->w, e->w);
    c->v = acc_add(c->v, e->v);
    c->wt = acc_fma(c->wt, e->w, t);
    c->vt = acc_fma(c->vt, e->v, t);
    c->wh = acc_add(c->wh, wh);
    c->vh = acc_add(c->vh, vh);
    if (full) {
        c->wx = acc_fma(c->wx, e->w, v_select(fa, scaled_x(s, a), zero));
        c->vy = acc_fma(c->vy, e->v, v_select(fb, scaled_y(s, b), zero));
    }
    unsigned masked = ~m_bits(both) & KLD_ALL_LANES;
    if (masked) {
        s->f_inf |= m_bits(fa) & masked;
        s->r_inf |= m_bits(fb) & masked;
    }
}

/* Always inlined, so that each of the three variants below is compiled for its own flags. */
static inline __attribute__((always_inline)) void
pass2_chunk(logit_sums *s, const elem *a, const elem *b, size_t nv, int full, int moved)
{
    logit_exps e[KLD_CHUNK_VECS];
    for (size_t k = 0; k < nv; k++)
        e[k] = pass2_exps(s, v_load(a + k * KLD_LANES), v_load(b + k * KLD_LANES));
    logit_accs c = {0};
    for (size_t k = 0; k < nv; k++)
        pass2_add(s, &c, &e[k], v_load(a + k * KLD_LANES), v_load(b + k * KLD_LANES), full, moved);
    s->sum.w += acc_sum(c.w);
    s->sum.v += acc_sum(c.v);
    s->sum.wt += acc_sum(c.wt);
    s->sum.vt += acc_sum(c.vt);
    s->sum.wh += acc_sum(c.wh);
    s->sum.vh += acc_sum(c.vh);
    s->sum.wx += acc_sum(c.wx);
    s->sum.vy += acc_sum(c.vy);
}

static void pass2_fold(void *state)
{
    logit_sums *s = state;
    kld_logit_sums_add(&s->total, &s->sum);
    s->sum = (kld_logit_sums){0};
}

/* The three pass 2 variants: everything, the KLs only, and the KLs with t moved. */
static void pass2_chunk_full(void *state, const elem *a, const elem *b, size_t nv)
{
    pass2_chunk(state, a, b, nv, 1, 0);
}

static void pass2_chunk_kl(void *state, const elem *a, const elem *b, size_t nv)
{
    pass2_chunk(state, a, b, nv, 0, 0);
}

static void pass2_chunk_moved(void *state, const elem *a, const elem *b, size_t nv)
{
    pass2_chunk(state, a, b, nv, 0, 1);
}

/* KL = log E[e^t] - E[t] = eta + phi(rho + eta), phi(u) = log1p(u) - u, which loses nothing when
 * the distributions are close. Far apart (|rho| + eta > 1: large deviations, where the float
 * terms of eta and rho are large and cancel), log(Zq/A) - rho is the form that does not cancel. */
static double kl_from_moments(double rho, double eta, double log_ratio_of_sums)
{
    double u = rho + eta;
    return fabs(rho) + eta > 1 ? log_ratio_of_sums - rho : eta + (log1p(u) - u);
}

/* Pass 2 with t moved down by centre (0 for the first run), so that w e^t = v e^-centre. */
static void pass2_run(logit_sums *s, const elem *a, const elem *b, size_t n, float am, float bm,
                      double centre, float inv_t, int full)
{
    *s = (logit_sums){0};
    s->amax = v_set1(am);
    s->bmax = v_set1(bm);
    s->shift = v_set1((float)((double)bm - am + centre / inv_t));
    s->inv_t = v_set1(inv_t);
    s->exp_neg_c = v_set1((float)exp(-centre));
    s->exp_pos_c = v_set1((float)exp(centre));
    if (centre != 0)
        kld_run_chunks(s, a, b, n, KLD_ELEM_NEG_INF, pass2_chunk_moved, pass2_fold);
    else if (full)
        kld_run_chunks(s, a, b, n, KLD_ELEM_NEG_INF, pass2_chunk_full, pass2_fold);
    else
        kld_run_chunks(s, a, b, n, KLD_ELEM_NEG_INF, pass2_chunk_kl, pass2_fold);
}

static void kls_from_sums(const logit_sums *s, double centre, double *fwd, double *rev)
{
    const kld_logit_sums *z = &s->total;
    double la = log(z->w), lq = log(z->v);
    *fwd = s->f_inf ? INFINITY : kl_from_moments(z->wt / z->w, z->wh / z->w, lq - la - centre);
    *rev = s->r_inf ? INFINITY : kl_from_moments(-z->vt / z->v, z->vh / z->v, la - lq + centre);
}

/* The centre that the float shift will carry when asked to move t down by want (in t's units),
 * or 0 where moving does not serve: e^+-centre must stay in range, and the move must register. */
static double carried_centre(float am, float bm, double want, float inv_t)
{
    double exact = (double)bm - am;
    double centre = ((double)(float)(exact + want / inv_t) - exact) * inv_t;
    return fabs(centre) <= 16 ? centre : 0.0;
}

/* How a row goes (logits_pass1): NaN or +inf in it, or a row of all -inf (NaN results); logits
 * too large for float differences (the reference kernel); or the SIMD passes. */
typedef enum { LOGITS_NAN, LOGITS_REFERENCE, LOGITS_SIMD } logits_route;

/* What the JS and TV terms pass (div_logits_template.h) needs of a row that took the SIMD
 * passes: the maxima, and A = sum e^x and B = sum e^y as pass 2 summed them. */
typedef struct {
    float am, bm;
    double w, v;
} logits_frame;

/* Pass 1: the maxima into *am and *bm, and the route the row takes. */
static logits_route logits_pass1(const elem *a, const elem *b, size_t n, float inv_t, float *am,
                                 float *bm)
{
    logit_pass1 p1 = {v_set1(-INFINITY), v_set1(-INFINITY), v_set1(-INFINITY), KLD_ALL_LANES};
    kld_run_chunks(&p1, a, b, n, KLD_ELEM_NEG_INF, pass1_chunk, pass1_fold);
    *am = max_lane(p1.max_a);
    *bm = max_lane(p1.max_b);
    if (p1.ok != KLD_ALL_LANES || *am == -INFINITY || *bm == -INFINITY)
        return LOGITS_NAN;
    /* Logits beyond 2^100 would overflow the float differences a - max a, b - a, and beyond
     * 2^60 / inv_t their scaled values: such rows (no model produces them) go to the reference
     * kernel, which works in double. */
    double span = fmax(fmax(fabs(*am), fabs(*bm)), max_lane(p1.neg_min));
    return span <= 0x1p100 && span * inv_t <= 0x1p60 ? LOGITS_SIMD : LOGITS_REFERENCE;
}

/* Everything when full; otherwise only the two KLs and the lse are set (the entropies, crosses
 * and argmaxes are not computed, and read NaN and n).
 * KL = eta + phi(rho + eta) cancels about rho^2 / (2 KL) of eta's size, so its error grows with
 * how far t is from centred: t's constant comes from the two maxima, and a row where all but the
 * top token move together (a fuzz finding: 1.1e-5 relative) has rho^2 / KL ~ 200. A direction
 * with rho^2 > 16 KL is computed again, by a KL-only pass 2 with t moved down by its own rho
 * (E_p[t] for the forward, E_q[t] for the reverse). One shared centre would not do: when the
 * distributions are far apart the two means differ widely, and the direction that was fine
 * would then carry float t's rounding, |t - centre| * 2^-24, into a small KL (the fuzzer found
 * that too). w and v do not depend on the centre, so the lse and entropies come from run one. */
static logits_route logits_kernel(const elem *a, const elem *b, size_t n, float inv_t, int full,
                                  kld_logit_stats *out, logits_frame *frame)
{
    float am, bm;
    logits_route route = logits_pass1(a, b, n, inv_t, &am, &bm);
    if (route == LOGITS_NAN) {
        kld_logits_nan(out, n);
        return route;
    }
    if (route == LOGITS_REFERENCE) {
        KLD_REFERENCE(stats_logits)(a, b, n, inv_t, out);
        return route;
    }
    logit_sums s, moved;
    double fwd, rev, unused;
    pass2_run(&s, a, b, n, am, bm, 0.0, inv_t, full);
    kls_from_sums(&s, 0.0, &fwd, &rev);
    double rho_p = s.total.wt / s.total.w, rho_q = s.total.vt / s.total.v;
    double centre = carried_centre(am, bm, rho_p, inv_t);
    if (rho_p * rho_p > 16 * fwd && centre != 0) {
        pass2_run(&moved, a, b, n, am, bm, centre, inv_t, 0);
        kls_from_sums(&moved, centre, &fwd, &unused);
    }
    centre = carried_centre(am, bm, rho_q, inv_t);
    if (rho_q * rho_q > 16 * rev && centre != 0) {
        pass2_run(&moved, a, b, n, am, bm, centre, inv_t, 0);
        kls_from_sums(&moved, centre, &unused, &rev);
    }
    const kld_logit_sums *z = &s.total;
    double la = log(z->w), lq = log(z->v);
    double hp = full ? la - z->wx / z->w : NAN, hq = full ? lq - z->vy / z->v : NAN;
    *out = (kld_logit_stats){{fwd, rev, hp, hq, hp + fwd, hq + rev, 1.0, 1.0},
                             am * (double)inv_t + la,
                             bm * (double)inv_t + lq,
                             full ? first_index_of(a, n, am) : n,
                             full ? first_index_of(b, n, bm) : n};
    *frame = (logits_frame){am, bm, z->w, z->v};
    return LOGITS_SIMD;
}

void KLD_KERNEL(stats_logits)(const elem *a, const elem *b, size_t n, float inv_t,
                                kld_logit_stats *out)
{
    logits_frame unused;
    logits_kernel(a, b, n, inv_t, 1, out, &unused);
}

void KLD_KERNEL(both_logits)(const elem *a, const elem *b, size_t n, float inv_t,
                               double *forward, double *reverse)
{
    kld_logit_stats s;
    logits_frame unused;
    logits_kernel(a, b, n, inv_t, 0, &s, &unused);
    *forward = s.kl.forward;
    *reverse = s.kl.reverse;
}

