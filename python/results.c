/* results.c - kld.Stats and kld.LogitStats (named tuples from collections.namedtuple, made in C
 * as tuple.__new__ makes them), filled from kld_stats and kld_logit_stats through one table of
 * fields; float64 and int64 numpy arrays made with numpy.empty, so that the module needs no
 * numpy headers and imports numpy only when an array result is first asked for; out= checked. */
#include "results.h"

#include "operand.h"

#include <stddef.h>

/* name, what it is */
#define KL_FIELDS(X)                                                                           \
    X(forward, "KL(P||Q) = sum p log(p/q), nats")                                              \
    X(reverse, "KL(Q||P) = sum q log(q/p)")                                                    \
    X(entropy_p, "H(P) = -sum p log p")                                                        \
    X(entropy_q, "H(Q)")                                                                       \
    X(cross_pq, "H(P,Q) = -sum p log q = H(P) + KL(P||Q)")                                     \
    X(cross_qp, "H(Q,P) = H(Q) + KL(Q||P)")                                                    \
    X(sum_p, "the sum of p (1 for logits)")                                                    \
    X(sum_q, "the sum of q")
#define LOGIT_FIELDS(X)                                                                        \
    X(lse_a, "log-sum-exp of a/T")                                                             \
    X(lse_b, "log-sum-exp of b/T")
#define INDEX_FIELDS(X)                                                                        \
    X(argmax_a, "the top token of a (lowest index on ties); n for a NaN row")                  \
    X(argmax_b, "the top token of b")

typedef struct field {
    size_t offset;
    int index; /* a size_t index, not a double */
} field;

#define STATS_AT(name, doc) {offsetof(kld_stats, name), 0},
#define KL_AT(name, doc) {offsetof(kld_logit_stats, kl.name), 0},
#define LOGIT_AT(name, doc) {offsetof(kld_logit_stats, name), 0},
#define INDEX_AT(name, doc) {offsetof(kld_logit_stats, name), 1},

#define NAME(name, doc) #name,
#define DOC(name, doc) doc,
static const char *const stats_names[] = {KL_FIELDS(NAME)};
static const char *const logit_stats_names[] = {KL_FIELDS(NAME) LOGIT_FIELDS(NAME)
                                                    INDEX_FIELDS(NAME)};
static const char *const stats_docs[] = {KL_FIELDS(DOC)};
static const char *const logit_stats_docs[] = {KL_FIELDS(DOC) LOGIT_FIELDS(DOC) INDEX_FIELDS(DOC)};
static const field stats_fields[] = {KL_FIELDS(STATS_AT)};
static const field logit_stats_fields[] = {KL_FIELDS(KL_AT) LOGIT_FIELDS(LOGIT_AT)
                                               INDEX_FIELDS(INDEX_AT)};
#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

static const char stats_doc[] =
    "Every sum of one pass over p and q (kld_stats), a named tuple: forward, reverse,\n"
    "entropy_p, entropy_q, cross_pq, cross_qp, sum_p, sum_q; floats for one vector, float64\n"
    "arrays of the leading shape for stacks of vectors. _asdict() gives a dict.";
static const char logit_stats_doc[] =
    "kld.Stats of P = softmax(a/T), Q = softmax(b/T), with lse_a, lse_b, argmax_a, argmax_b\n"
    "(kld_logit_stats), a named tuple; floats and ints for one vector, float64 and int64\n"
    "arrays of the leading shape for stacks of vectors. _asdict() gives a dict.";
static PyTypeObject *stats_type, *logit_stats_type;
static PyObject *numpy_empty;

/* collections.namedtuple(name, fields, module='kld'), with its docstrings. */
static PyTypeObject *named_tuple(PyObject *namedtuple, const char *name, const char *doc,
                                 const char *const *fields, const char *const *docs, int count)
{
    PyObject *names = PyTuple_New(count);
    for (int i = 0; names && i < count; i++)
        PyTuple_SET_ITEM(names, i, PyUnicode_FromString(fields[i]));
    PyObject *args = names ? Py_BuildValue("(sO)", name, names) : NULL;
    PyObject *kwargs = args ? Py_BuildValue("{ss}", "module", "kld") : NULL;
    PyObject *type = kwargs ? PyObject_Call(namedtuple, args, kwargs) : NULL;
    Py_XDECREF(names);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    PyObject *text = type ? PyUnicode_FromString(doc) : NULL;
    int ok = text && PyObject_SetAttrString(type, "__doc__", text) == 0;
    Py_XDECREF(text);
    for (int i = 0; ok && i < count; i++) {
        PyObject *getter = PyObject_GetAttrString(type, fields[i]);
        text = getter ? PyUnicode_FromString(docs[i]) : NULL;
        ok = text && PyObject_SetAttrString(getter, "__doc__", text) == 0;
        Py_XDECREF(getter);
        Py_XDECREF(text);
    }
    if (!ok)
        Py_CLEAR(type);
    return (PyTypeObject *)type;
}

int results_init(PyObject *module)
{
    PyObject *collections = PyImport_ImportModule("collections");
    PyObject *namedtuple = collections ? PyObject_GetAttrString(collections, "namedtuple") : NULL;
    Py_XDECREF(collections);
    if (!namedtuple)
        return -1;
    stats_type = named_tuple(namedtuple, "Stats", stats_doc, stats_names, stats_docs,
                             COUNT(stats_fields));
    logit_stats_type = stats_type ? named_tuple(namedtuple, "LogitStats", logit_stats_doc,
                                                logit_stats_names, logit_stats_docs,
                                                COUNT(logit_stats_fields))
                                  : NULL;
    Py_DECREF(namedtuple);
    if (!logit_stats_type || PyModule_AddObjectRef(module, "Stats", (PyObject *)stats_type) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "LogitStats", (PyObject *)logit_stats_type);
}

PyObject *result_array(int ndim, const Py_ssize_t *shape, int index, void **data)
{
    if (!numpy_empty) {
        PyObject *numpy = PyImport_ImportModule("numpy");
        if (!numpy)
            return NULL;
        numpy_empty = PyObject_GetAttrString(numpy, "empty");
        Py_DECREF(numpy);
        if (!numpy_empty)
            return NULL;
    }
    const char *dtype = index ? "int64" : "float64";
    PyObject *array;
    if (ndim == 1) { /* (rows,): no shape tuple to build */
        array = PyObject_CallFunction(numpy_empty, "ns", shape[0], dtype);
    } else {
        PyObject *dims = shape_tuple(ndim, shape);
        array = dims ? PyObject_CallFunction(numpy_empty, "Os", dims, dtype) : NULL;
        Py_XDECREF(dims);
    }
    Py_buffer view;
    if (!array || PyObject_GetBuffer(array, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) {
        Py_XDECREF(array);
        return NULL;
    }
    *data = view.buf; /* the array owns its memory; the view was only for the pointer */
    PyBuffer_Release(&view);
    return array;
}

int result_out(PyObject *out, const char *name, int ndim, const Py_ssize_t *shape,
               Py_buffer *view)
{
    if (aux_buffer(out, name, PyBUF_RECORDS_RO, view) < 0)
        return -1;
    const char *f = view->format ? view->format : "B";
    f += *f == '@' || *f == '=' || (*f == '<' && PY_LITTLE_ENDIAN);
    int same = view->ndim == ndim;
    for (int d = 0; same && d < ndim; d++)
        same = view->shape[d] == shape[d];
    PyObject *got = NULL, *want = NULL;
    if (strcmp(f, "d") != 0 || view->itemsize != 8) {
        PyObject *s = operand_dtype_str(out, view->format ? view->format : "B");
        if (s)
            PyErr_Format(PyExc_TypeError, "kld: %s has dtype %U; it must be float64", name, s);
        Py_XDECREF(s);
    } else if (!same) {
        got = shape_str(view->ndim, view->shape);
        want = got ? shape_str(ndim, shape) : NULL;
        if (want)
            PyErr_Format(PyExc_ValueError, "kld: %s has shape %U; the result has shape %U (the "
                         "inputs' shape without the vocabulary axis)", name, got, want);
    } else if (!PyBuffer_IsContiguous(view, 'C')) {
        PyErr_Format(PyExc_ValueError, "kld: %s is not C-contiguous", name);
    } else if (view->readonly) {
        PyErr_Format(PyExc_ValueError, "kld: %s is read-only", name);
    } else {
        return 0;
    }
    Py_XDECREF(got);
    Py_XDECREF(want);
    PyBuffer_Release(view);
    return -1;
}

/* One field of rows records size bytes apart, as a Python number or a numpy array. */
static PyObject *field_value(const char *base, size_t size, int ndim, const Py_ssize_t *shape,
                             size_t rows, field f)
{
    if (ndim == 0) {
        return f.index ? PyLong_FromSize_t(*(const size_t *)(base + f.offset))
                       : PyFloat_FromDouble(*(const double *)(base + f.offset));
    }
    void *data;
    PyObject *array = result_array(ndim, shape, f.index, &data);
    for (size_t r = 0; array && r < rows; r++) {
        const char *at = base + r * size + f.offset;
        if (f.index)
            ((int64_t *)data)[r] = (int64_t)*(const size_t *)at;
        else
            ((double *)data)[r] = *(const double *)at;
    }
    return array;
}

/* A named tuple of type, made as tuple.__new__ makes one (tp_alloc, then the items). */
static PyObject *record(PyTypeObject *type, const field *fields, int count, const void *base,
                        size_t size, int ndim, const Py_ssize_t *shape)
{
    size_t rows = 1;
    for (int d = 0; d < ndim; d++)
        rows *= (size_t)shape[d];
    PyObject *rec = type->tp_alloc(type, count);
    for (int i = 0; rec && i < count; i++) {
        PyObject *v = field_value(base, size, ndim, shape, rows, fields[i]);
        if (!v) {
            Py_CLEAR(rec);
            break;
        }
        PyTuple_SET_ITEM(rec, i, v);
    }
    return rec;
}

PyObject *result_stats(const kld_stats *s, int ndim, const Py_ssize_t *shape)
{
    return record(stats_type, stats_fields, COUNT(stats_fields), s, sizeof *s, ndim, shape);
}

PyObject *result_logit_stats(const kld_logit_stats *s, int ndim, const Py_ssize_t *shape)
{
    return record(logit_stats_type, logit_stats_fields, COUNT(logit_stats_fields), s, sizeof *s,
                  ndim, shape);
}
