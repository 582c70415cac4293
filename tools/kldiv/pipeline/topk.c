/* topk.c - the per-row top-k diagnostics (see topk.h). One pass over each row: its elements a
 * block at a time as double (exact for every input type), the top list kept sorted by insertion
 * (an element enters only when it beats the list's last: rare after the first blocks), and the
 * counts of the elements ahead of one or two given tokens. */
#include "topk.h"

#include <math.h>
#include <string.h>

#include "input.h"

#define BLOCK 64

typedef struct {
    double val[TOPK_MAX];
    uint64_t id[TOPK_MAX];
    int n;
} top_list;

/* Element i of row x of type t as double (t a kernel type: f16, bf16, f32, f64). */
static double value(npy_dtype t, const void *x, size_t i)
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

/* Elements [from, from + n) of x as double into buf; the type's switch outside the loops. */
static void load(npy_dtype t, const void *x, size_t from, size_t n, double *buf)
{
    if (t == NPY_F32) {
        const float *f = (const float *)x + from;
        for (size_t i = 0; i < n; i++)
            buf[i] = f[i];
    } else if (t == NPY_F64) {
        memcpy(buf, (const double *)x + from, n * sizeof *buf);
    } else {
        for (size_t i = 0; i < n; i++)
            buf[i] = value(t, x, from + i);
    }
}

/* v (token id) into the list, after the equal values already there (their ids are lower: the
 * row is scanned in id order). */
static void insert(top_list *l, double v, uint64_t id)
{
    int at = l->n < TOPK_MAX ? l->n : TOPK_MAX - 1;
    while (at > 0 && l->val[at - 1] < v) {
        if (at < TOPK_MAX)
            l->val[at] = l->val[at - 1], l->id[at] = l->id[at - 1];
        at--;
    }
    l->val[at] = v, l->id[at] = id;
    l->n += l->n < TOPK_MAX;
}

/* A token whose rank is counted: its id and value; count gets the elements ahead of it. */
typedef struct {
    uint64_t id;
    double v;
    uint64_t count;
} ranked;

/* Row x (n elements of type t): its top list and the ranks of r[0..nr). */
static void scan(npy_dtype t, const void *x, size_t n, top_list *l, ranked *r, int nr)
{
    double buf[BLOCK];
    l->n = 0;
    for (int k = 0; k < nr; k++)
        r[k].count = 0;
    for (size_t from = 0; from < n; from += BLOCK) {
        const size_t m = n - from < BLOCK ? n - from : BLOCK;
        load(t, x, from, m, buf);
        for (int k = 0; k < nr; k++) {
            uint64_t c = 0;
            for (size_t i = 0; i < m; i++) /* ahead: larger, or equal with a lower id */
                c += buf[i] > r[k].v || (buf[i] == r[k].v && from + i < r[k].id);
            r[k].count += c;
        }
        double least = l->n == TOPK_MAX ? l->val[TOPK_MAX - 1] : -INFINITY;
        for (size_t i = 0; i < m; i++)
            if (buf[i] > least || (l->n < TOPK_MAX && buf[i] == least)) {
                insert(l, buf[i], from + i);
                least = l->n == TOPK_MAX ? l->val[TOPK_MAX - 1] : -INFINITY;
            }
    }
}

void topk_row(const score_setup *s, const void *a, const void *b, int64_t target,
              row_result *out)
{
    out->target = target;
    out->topk_same = 0;
    out->base_top_rank = out->target_rank_base = out->target_rank_new = UINT64_MAX;
    out->base_top_p = NAN;
    if (out->bad)
        return;
    const npy_dtype t = s->kernel;
    top_list lb, ln;
    ranked rb[1], rn[2];
    const int known = target >= 0;
    if (known)
        rb[0] = (ranked){(uint64_t)target, value(t, a, (size_t)target), 0};
    scan(t, a, s->n, &lb, rb, known);
    rn[0] = (ranked){lb.id[0], value(t, b, (size_t)lb.id[0]), 0};
    if (known)
        rn[1] = (ranked){(uint64_t)target, value(t, b, (size_t)target), 0};
    scan(t, b, s->n, &ln, rn, 1 + known);
    while (out->topk_same < lb.n && lb.id[out->topk_same] == ln.id[out->topk_same])
        out->topk_same++;
    out->base_top_rank = rn[0].count;
    if (known)
        out->target_rank_base = rb[0].count, out->target_rank_new = rn[1].count;
    /* BASE's top-1 probability: as stored, or softmax(x / T) at its largest logit */
    const double scale = (float)(1.0 / s->temperature); /* kld.h: s = 1/T rounded to float */
    out->base_top_p = s->probs ? lb.val[0] : exp(lb.val[0] * scale - out->lse_base);
}
