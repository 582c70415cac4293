/* rows.c - rows_walk(): an odometer over the outer leading axes, and per position one block of
 * the innermost merged axis, cut into runs of kept vectors; or, where an operand is strided,
 * chunks of vectors gathered into contiguous scratch. */
#include "rows.h"

/* A chunk of gathered vectors: about this many bytes per operand (L2-sized, reused). */
#define CHUNK_BYTES (256u << 10)

typedef struct walk {
    block_fn fn;
    void *ctx;
    const unsigned char *keep;
    size_t n, item;
    ptrdiff_t lda, ldb; /* the block's strides, in elements */
    int batched;        /* lda, ldb >= n: a run is one rows call */
} walk;

/* rows vectors from a and b: every run of kept ones. */
static void block(const walk *w, const char *a, const char *b, size_t rows, size_t at)
{
    for (size_t r = 0; r < rows;) {
        if (w->keep && !w->keep[at + r]) {
            r++;
            continue;
        }
        size_t end = r + 1;
        while (end < rows && (!w->keep || w->keep[at + end]) && w->batched)
            end++;
        size_t lda = w->batched ? (size_t)w->lda : w->n, ldb = w->batched ? (size_t)w->ldb : w->n;
        w->fn(w->ctx, a + (ptrdiff_t)r * w->lda * (ptrdiff_t)w->item,
              b + (ptrdiff_t)r * w->ldb * (ptrdiff_t)w->item, end - r, lda, ldb, at + r);
        r = end;
    }
}

/* Strided operands: both gathered, chunk by chunk, into scratch (chunks without a kept vector
 * are not read). */
static int walk_chunks(const operand *a, const operand *b, walk *w)
{
    size_t vector = a->n * w->item; /* > 0: an operand with n == 0 is never strided */
    size_t chunk = CHUNK_BYTES / vector ? CHUNK_BYTES / vector : 1;
    chunk = chunk < a->rows ? chunk : a->rows;
    char *sa = PyMem_RawMalloc(chunk * vector), *sb = sa ? PyMem_RawMalloc(chunk * vector) : NULL;
    if (!sb) {
        PyMem_RawFree(sa);
        return -1;
    }
    w->lda = w->ldb = (ptrdiff_t)a->n;
    w->batched = 1;
    for (size_t r0 = 0; r0 < a->rows; r0 += chunk) {
        size_t count = a->rows - r0 < chunk ? a->rows - r0 : chunk, any = !w->keep;
        for (size_t r = 0; !any && r < count; r++)
            any = w->keep[r0 + r];
        if (!any)
            continue;
        operand_gather(a, r0, count, sa);
        operand_gather(b, r0, count, sb);
        block(w, sa, sb, count, r0);
    }
    PyMem_RawFree(sb);
    PyMem_RawFree(sa);
    return 0;
}

int rows_walk(const operand *a, const operand *b, const unsigned char *keep, block_fn fn,
              void *ctx)
{
    walk w = {fn, ctx, keep, a->n, (size_t)kld_py_itemsizes[a->dtype],
              (ptrdiff_t)a->n, (ptrdiff_t)b->n, 1};
    if (a->rows == 0)
        return 0;
    if (a->strided || b->strided)
        return walk_chunks(a, b, &w);
    Py_ssize_t shape[KLD_PY_MAXDIM], index[KLD_PY_MAXDIM] = {0};
    ptrdiff_t sa[KLD_PY_MAXDIM], sb[KLD_PY_MAXDIM]; /* in elements */
    int nd = 0;
    for (int d = 0; d < a->lead_ndim; d++) /* axes of extent 1 do not move */
        if (a->lead_shape[d] != 1) {
            shape[nd] = a->lead_shape[d];
            sa[nd] = a->lead_strides[d] / (ptrdiff_t)w.item;
            sb[nd++] = b->lead_strides[d] / (ptrdiff_t)w.item;
        }
    size_t inner = 1;
    if (nd > 0) {
        inner = (size_t)shape[--nd];
        w.lda = sa[nd];
        w.ldb = sb[nd];
        while (nd > 0 && sa[nd - 1] == w.lda * (ptrdiff_t)inner &&
               sb[nd - 1] == w.ldb * (ptrdiff_t)inner)
            inner *= (size_t)shape[--nd];
        w.batched = w.lda >= (ptrdiff_t)a->n && w.ldb >= (ptrdiff_t)a->n;
    }
    const char *pa = a->data, *pb = b->data;
    for (size_t at = 0;;) {
        block(&w, pa, pb, inner, at);
        at += inner;
        if (at >= a->rows)
            break;
        for (int d = nd - 1; d >= 0; d--) { /* the next block, C order */
            pa += sa[d] * (ptrdiff_t)w.item;
            pb += sb[d] * (ptrdiff_t)w.item;
            if (++index[d] < shape[d])
                break;
            pa -= sa[d] * shape[d] * (ptrdiff_t)w.item;
            pb -= sb[d] * shape[d] * (ptrdiff_t)w.item;
            index[d] = 0;
        }
    }
    return 0;
}
