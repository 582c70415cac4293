/* topk.c - the per-row top-k diagnostics (see topk.h). One pass over each row, a block of BLOCK
 * elements at a time, float32 and float64 rows as they are, float16 and bfloat16 rows as 16-bit
 * keys in the order of their values (order_key: no conversion, 16 compares a vector): the
 * counts of the elements ahead of one or two given tokens, and the top list, kept sorted by
 * insertion (an element enters only when it beats the list's last: rare after the first
 * blocks). */
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

/* A float16 or bfloat16 value's bits (sign, then a magnitude whose bits rise with it) as a signed
 * key in the order of the values: equal values, -0 and +0 too, get equal keys. NaN rows are bad
 * rows and never scanned. */
static int16_t order_key(uint16_t h)
{
    return (h & 0x8000u) ? (int16_t)-(int16_t)(h & 0x7fffu) : (int16_t)h;
}

/* What the scan compares: the value, or for 16-bit types its key. */
static double rank_value(npy_dtype t, const void *x, size_t i)
{
    if (t == NPY_F16 || t == NPY_BF16)
        return order_key(((const uint16_t *)x)[i]);
    return input_element(t, x, i);
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

/* One block of m elements x[0..m) of type T, the row's elements from on: the ranks' counts
 * (larger, or equal with a lower id) and the list. The counting loops are plain compares summed,
 * which the compiler vectorises; the list is touched only where some element beats its last
 * (after the first blocks, rarely). */
#define SCAN_BLOCK(name, T)                                                                       \
    static void name(const T *x, size_t m, size_t from, top_list *l, ranked *r, int nr)           \
    {                                                                                             \
        for (int k = 0; k < nr; k++) {                                                            \
            const T v = (T)r[k].v;                                                                \
            const size_t below = r[k].id <= from ? 0 : r[k].id - from < m ? r[k].id - from : m;   \
            uint32_t c = 0; /* m <= BLOCK: 32-bit lanes vectorise */                              \
            for (size_t i = 0; i < below; i++)                                                    \
                c += x[i] >= v;                                                                   \
            for (size_t i = below; i < m; i++)                                                    \
                c += x[i] > v;                                                                    \
            r[k].count += c;                                                                      \
        }                                                                                         \
        if (l->n == TOPK_MAX) {                                                                   \
            const T least = (T)l->val[TOPK_MAX - 1];                                              \
            int any = 0;                                                                          \
            for (size_t i = 0; i < m; i++)                                                        \
                any |= x[i] > least;                                                              \
            if (!any)                                                                             \
                return;                                                                           \
        }                                                                                         \
        for (size_t i = 0; i < m; i++)                                                            \
            if (l->n < TOPK_MAX || x[i] > l->val[TOPK_MAX - 1])                                   \
                insert(l, x[i], from + i);                                                        \
    }
SCAN_BLOCK(scan_float, float)
SCAN_BLOCK(scan_double, double)
SCAN_BLOCK(scan_key, int16_t)

/* Row x (n elements of type t): its top list and the ranks of r[0..nr) (values, or keys for
 * 16-bit types: rank_value). float32 and float64 rows in place; float16 and bfloat16 a block at
 * a time as keys. */
static void scan(npy_dtype t, const void *x, size_t n, top_list *l, ranked *r, int nr)
{
    int16_t buf[BLOCK];
    l->n = 0;
    for (int k = 0; k < nr; k++)
        r[k].count = 0;
    for (size_t from = 0; from < n; from += BLOCK) {
        const size_t m = n - from < BLOCK ? n - from : BLOCK;
        if (t == NPY_F64) {
            scan_double((const double *)x + from, m, from, l, r, nr);
        } else if (t == NPY_F32) {
            scan_float((const float *)x + from, m, from, l, r, nr);
        } else {
            const uint16_t *h = (const uint16_t *)x + from;
            for (size_t i = 0; i < m; i++)
                buf[i] = order_key(h[i]);
            scan_key(buf, m, from, l, r, nr);
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
        rb[0] = (ranked){(uint64_t)target, rank_value(t, a, (size_t)target), 0};
    scan(t, a, s->n, &lb, rb, known);
    rn[0] = (ranked){lb.id[0], rank_value(t, b, (size_t)lb.id[0]), 0};
    if (known)
        rn[1] = (ranked){(uint64_t)target, rank_value(t, b, (size_t)target), 0};
    scan(t, b, s->n, &ln, rn, 1 + known);
    while (out->topk_same < lb.n && lb.id[out->topk_same] == ln.id[out->topk_same])
        out->topk_same++;
    out->base_top_rank = rn[0].count;
    if (known)
        out->target_rank_base = rb[0].count, out->target_rank_new = rn[1].count;
    /* BASE's top-1 probability: as stored, or softmax(x / T) at its largest logit */
    const double scale = (float)(1.0 / s->temperature); /* kld.h: s = 1/T rounded to float */
    const double top = input_element(t, a, (size_t)lb.id[0]);
    out->base_top_p = s->probs ? top : exp(top * scale - out->lse_base);
}
