/* call.c - checks a pair of operands, runs a kld_function's kernel on their vectors with the GIL
 * released (the kernel only reads the inputs, which the operands keep alive), leaves out the
 * vectors that mask= or labels= drop, reduces as torch's losses do, and builds the result. */
#include "call.h"

#include <math.h>

#include "args.h"
#include "keep.h"
#include "results.h"
#include "rows.h"

/* Same dtype, same shape (no broadcasting), and a kernel for that dtype. */
static int check_pair(const kld_function *fn, const operand *a, const operand *b, PyObject *obj)
{
    const char *na = fn->logits ? "a" : "p", *nb = fn->logits ? "b" : "q";
    if (a->dtype != b->dtype) {
        PyErr_Format(PyExc_TypeError, "kld: %s is %s and %s is %s; %s() needs both of one dtype",
                     na, kld_py_dtype_names[a->dtype], nb, kld_py_dtype_names[b->dtype],
                     fn->name);
        return -1;
    }
    if (!(fn->dtypes & 1u << a->dtype)) {
        PyObject *s = operand_dtype_str(obj, kld_py_dtype_names[a->dtype]);
        if (s)
            PyErr_Format(PyExc_TypeError,
                         "kld: %s() reads float32, float16 and bfloat16 logits, not %U: kld has "
                         "no float64 logits kernel and never narrows silently (pass "
                         "a.astype(numpy.float32), or a.float() for torch, to accept the "
                         "rounding)",
                         fn->name, s);
        Py_XDECREF(s);
        return -1;
    }
    int same = a->ndim == b->ndim;
    for (int d = 0; same && d < a->ndim; d++)
        same = a->shape[d] == b->shape[d];
    if (!same) {
        PyObject *sa = shape_str(a->ndim, a->shape), *sb = sa ? shape_str(b->ndim, b->shape)
                                                              : NULL;
        if (sb)
            PyErr_Format(PyExc_ValueError, "kld: %s has shape %U and %s has shape %U; %s() needs "
                         "the same shape (kld does not broadcast)", na, sa, nb, sb, fn->name);
        Py_XDECREF(sa);
        Py_XDECREF(sb);
        return -1;
    }
    return 0;
}

typedef struct pair_ctx {
    pair_kernel k;
    size_t n;
    float t;
    double *first, *second;
} pair_ctx;

static void pair_block(void *ctx, const void *a, const void *b, size_t rows, size_t lda,
                       size_t ldb, size_t at)
{
    const pair_ctx *c = ctx;
    c->k(a, b, rows, c->n, lda, ldb, c->t, c->first ? c->first + at : NULL,
         c->second ? c->second + at : NULL);
}

typedef struct records_ctx {
    const kld_function *fn;
    kld_py_dtype dtype;
    size_t n, size;
    float t;
    char *out;
} records_ctx;

static void records_block(void *ctx, const void *a, const void *b, size_t rows, size_t lda,
                          size_t ldb, size_t at)
{
    const records_ctx *c = ctx;
    void *out = c->out + at * c->size;
    if (c->fn->result == RESULT_LOGIT_STATS)
        c->fn->k.logit_stats[c->dtype](a, b, rows, c->n, lda, ldb, c->t, out);
    else
        c->fn->k.stats[c->dtype](a, b, rows, c->n, lda, ldb, c->t, out);
}

/* Rows of kld_stats or kld_logit_stats go to a scratch array (rows x 64 or 96 bytes, no part
 * of the input), then into one numpy array per field. */
static PyObject *run_records(const kld_function *fn, const operand *a, const operand *b, float t)
{
    int logit = fn->result == RESULT_LOGIT_STATS;
    records_ctx c = {fn, a->dtype, a->n, logit ? sizeof(kld_logit_stats) : sizeof(kld_stats), t,
                     NULL};
    if (a->rows > PY_SSIZE_T_MAX / c.size)
        return PyErr_NoMemory();
    c.out = PyMem_Malloc(a->rows ? a->rows * c.size : 1);
    if (!c.out)
        return PyErr_NoMemory();
    int walked;
    Py_BEGIN_ALLOW_THREADS
    walked = rows_walk(a, b, NULL, records_block, &c);
    Py_END_ALLOW_THREADS
    PyObject *result = walked < 0 ? PyErr_NoMemory()
                       : logit    ? result_logit_stats((void *)c.out, a->lead_ndim, a->lead_shape)
                                  : result_stats((void *)c.out, a->lead_ndim, a->lead_shape);
    PyMem_Free(c.out);
    return result;
}

/* The reduction of one value per vector (left-out vectors hold 0): a compensated sum (Neumaier;
 * an infinite or NaN sum as it is), divided as torch's losses divide; kept == 0 gives 0 for
 * 'sum', NaN (0/0) for the means. */
static double reduce(const double *v, size_t rows, size_t kept, size_t n, reduction how)
{
    double sum = 0, c = 0;
    for (size_t r = 0; r < rows; r++) {
        double s = sum + v[r];
        c += fabs(sum) >= fabs(v[r]) ? (sum - s) + v[r] : (v[r] - s) + sum;
        sum = s;
    }
    sum = isfinite(sum) ? sum + c : sum;
    if (how == REDUCE_SUM)
        return sum;
    return sum / ((double)kept * (how == REDUCE_MEAN ? (double)n : 1.0));
}

/* Where one value per vector goes: out= (held in view), a new array (vectors), a scratch
 * array (reductions) or a local double (one vector). */
typedef struct dest {
    double *data, one;
    PyObject *obj; /* the result object (out=, or a new array), new reference */
    Py_buffer view;
    void *scratch;
} dest;

static int dest_open(dest *d, PyObject *out, const char *name, const operand *a, reduction how)
{
    memset(d, 0, sizeof *d);
    d->data = &d->one;
    if (out) {
        if (result_out(out, name, a->lead_ndim, a->lead_shape, &d->view) < 0)
            return -1;
        d->data = d->view.buf;
        Py_INCREF(out);
        d->obj = out;
    } else if (how == REDUCE_NONE && a->lead_ndim > 0) {
        d->obj = result_array(a->lead_ndim, a->lead_shape, 0, (void **)&d->data);
        if (!d->obj)
            return -1;
    } else if (a->rows > 1) {
        if (a->rows > PY_SSIZE_T_MAX / sizeof(double)) {
            PyErr_NoMemory();
            return -1;
        }
        d->data = d->scratch = PyMem_Malloc(a->rows * sizeof(double));
        if (!d->scratch) {
            PyErr_NoMemory();
            return -1;
        }
    }
    return 0;
}

/* The result: out= or the array; a float for a reduction or one vector. Closes d. */
static PyObject *dest_close(dest *d, int ok, const operand *a, size_t kept, reduction how)
{
    PyObject *result = NULL;
    if (ok && how != REDUCE_NONE)
        result = PyFloat_FromDouble(reduce(d->data, a->rows, kept, a->n, how));
    else if (ok && d->obj)
        result = d->obj, d->obj = NULL;
    else if (ok)
        result = PyFloat_FromDouble(d->one);
    if (d->view.obj)
        PyBuffer_Release(&d->view);
    Py_XDECREF(d->obj);
    PyMem_Free(d->scratch);
    return result;
}

/* forward, reverse, both, js, tv: one or two values per vector, or their reductions. */
static PyObject *run_pair(const kld_function *fn, const operand *a, const operand *b,
                          const kld_args *args)
{
    unsigned char *keep = NULL;
    Py_ssize_t kept = keep_rows(args->mask, args->labels, args->ignore_index, a, &keep);
    if (kept < 0)
        return NULL;
    int want[2] = {fn->result != RESULT_SECOND, fn->result != RESULT_FIRST}, ok = 1;
    dest d[2];
    PyObject *outs[2] = {args->out, args->out};
    if (args->out && fn->result == RESULT_PAIR) {
        outs[0] = PyTuple_GET_ITEM(args->out, 0);
        outs[1] = PyTuple_GET_ITEM(args->out, 1);
    }
    const char *out_names[2] = {fn->result == RESULT_PAIR ? "out[0]" : "out",
                                fn->result == RESULT_PAIR ? "out[1]" : "out"};
    int opened = 0;
    for (; ok && opened < 2; opened++)
        ok = !want[opened] ||
             dest_open(&d[opened], outs[opened], out_names[opened], a, args->reduce) == 0;
    /* out= sharing memory with an input, or out[0] with out[1], would be read after written */
    for (int k = 0; ok && k < 2; k++) {
        size_t bytes = want[k] && d[k].view.obj ? (size_t)d[k].view.len : 0;
        const char *clash = operand_overlaps(a, d[k].data, bytes)   ? "the first input"
                            : operand_overlaps(b, d[k].data, bytes) ? "the second input"
                            : k == 1 && want[0] && d[0].view.obj && bytes &&
                                    (char *)d[0].data < (char *)d[1].data + bytes &&
                                    (char *)d[1].data < (char *)d[0].data + d[0].view.len
                                ? "out[0]"
                                : NULL;
        if (clash) {
            PyErr_Format(PyExc_ValueError, "kld: %s shares memory with %s; give it its own array",
                         out_names[k], clash);
            ok = 0;
        }
    }
    if (ok) {
        pair_ctx c = {fn->k.pair[a->dtype], a->n, args->t, want[0] ? d[0].data : NULL,
                      want[1] ? d[1].data : NULL};
        int walked;
        Py_BEGIN_ALLOW_THREADS
        walked = rows_walk(a, b, keep, pair_block, &c);
        for (size_t r = 0; keep && r < a->rows; r++) /* left out: 0, as torch's ignore_index */
            if (!keep[r]) {
                if (c.first)
                    c.first[r] = 0;
                if (c.second)
                    c.second[r] = 0;
            }
        Py_END_ALLOW_THREADS
        if (walked < 0) {
            PyErr_NoMemory();
            ok = 0;
        }
    }
    PyObject *v[2] = {NULL, NULL};
    for (int i = 0; i < opened; i++)
        if (want[i])
            v[i] = dest_close(&d[i], ok, a, (size_t)kept, args->reduce);
    PyMem_Free(keep);
    if (fn->result != RESULT_PAIR) /* the one value wanted */
        return want[0] ? v[0] : v[1];
    PyObject *result = v[0] && v[1] ? PyTuple_Pack(2, v[0], v[1]) : NULL;
    Py_XDECREF(v[0]);
    Py_XDECREF(v[1]);
    return result;
}

PyObject *kld_py_call(const kld_function *fn, PyObject *const *argv, Py_ssize_t nargs,
                      PyObject *kwnames)
{
    kld_args args;
    if (args_parse(fn, argv, nargs, kwnames, &args) < 0)
        return NULL;
    operand a, b;
    if (operand_get(args.a, fn->logits ? "a" : "p", args.axis, &a) < 0)
        return NULL;
    if (operand_get(args.b, fn->logits ? "b" : "q", args.axis, &b) < 0) {
        operand_release(&a);
        return NULL;
    }
    PyObject *result = NULL;
    if (check_pair(fn, &a, &b, args.a) == 0) {
        int records = fn->result == RESULT_STATS || fn->result == RESULT_LOGIT_STATS;
        result = records ? run_records(fn, &a, &b, args.t) : run_pair(fn, &a, &b, &args);
    }
    operand_release(&b);
    operand_release(&a);
    return result;
}
