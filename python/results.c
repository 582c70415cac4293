/* results.c - kld.Stats and kld.LogitStats (struct sequences, as os.stat_result), filled from
 * kld_stats and kld_logit_stats through one table of fields; float64 and int64 numpy arrays made
 * with numpy.empty, so that the module needs no numpy headers and imports numpy only when a
 * rows result is first asked for. */
#include "results.h"

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

#define NAME_DOC(name, doc) {#name, doc},
#define STATS_AT(name, doc) {offsetof(kld_stats, name), 0},
#define KL_AT(name, doc) {offsetof(kld_logit_stats, kl.name), 0},
#define LOGIT_AT(name, doc) {offsetof(kld_logit_stats, name), 0},
#define INDEX_AT(name, doc) {offsetof(kld_logit_stats, name), 1},

static PyStructSequence_Field stats_names[] = {KL_FIELDS(NAME_DOC){NULL, NULL}};
static PyStructSequence_Field logit_stats_names[] = {
    KL_FIELDS(NAME_DOC) LOGIT_FIELDS(NAME_DOC) INDEX_FIELDS(NAME_DOC){NULL, NULL}};
static const field stats_fields[] = {KL_FIELDS(STATS_AT)};
static const field logit_stats_fields[] = {KL_FIELDS(KL_AT) LOGIT_FIELDS(LOGIT_AT)
                                               INDEX_FIELDS(INDEX_AT)};
#define COUNT(a) (int)(sizeof(a) / sizeof((a)[0]))

static PyStructSequence_Desc stats_desc = {
    "kld.Stats",
    "Every sum of one pass over p and q (kld_stats): forward, reverse, entropy_p, entropy_q,\n"
    "cross_pq, cross_qp, sum_p, sum_q; floats for a vector, float64 arrays for rows.",
    stats_names, COUNT(stats_fields)};
static PyStructSequence_Desc logit_stats_desc = {
    "kld.LogitStats",
    "kld.Stats of P = softmax(a/T), Q = softmax(b/T), with lse_a, lse_b, argmax_a, argmax_b\n"
    "(kld_logit_stats); floats and ints for a vector, float64 and int64 arrays for rows.",
    logit_stats_names, COUNT(logit_stats_fields)};
static PyTypeObject *stats_type, *logit_stats_type;
static PyObject *numpy_empty;

int results_init(PyObject *module)
{
    stats_type = PyStructSequence_NewType(&stats_desc);
    logit_stats_type = stats_type ? PyStructSequence_NewType(&logit_stats_desc) : NULL;
    if (!logit_stats_type || PyModule_AddObjectRef(module, "Stats", (PyObject *)stats_type) < 0)
        return -1;
    return PyModule_AddObjectRef(module, "LogitStats", (PyObject *)logit_stats_type);
}

PyObject *result_array(size_t rows, int index, void **data)
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
    PyObject *array = PyObject_CallFunction(numpy_empty, "ns", (Py_ssize_t)rows,
                                            index ? "int64" : "float64");
    Py_buffer view;
    if (!array || PyObject_GetBuffer(array, &view, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) {
        Py_XDECREF(array);
        return NULL;
    }
    *data = view.buf; /* the array owns its memory; the view was only for the pointer */
    PyBuffer_Release(&view);
    return array;
}

/* One field of rows records size bytes apart, as a Python number or a numpy array. */
static PyObject *field_value(const char *base, size_t size, size_t rows, field f, int arrays)
{
    if (!arrays) {
        return f.index ? PyLong_FromSize_t(*(const size_t *)(base + f.offset))
                       : PyFloat_FromDouble(*(const double *)(base + f.offset));
    }
    void *data;
    PyObject *array = result_array(rows, f.index, &data);
    for (size_t r = 0; array && r < rows; r++) {
        const char *at = base + r * size + f.offset;
        if (f.index)
            ((int64_t *)data)[r] = (int64_t)*(const size_t *)at;
        else
            ((double *)data)[r] = *(const double *)at;
    }
    return array;
}

static PyObject *record(PyTypeObject *type, const field *fields, int count, const void *base,
                        size_t size, size_t rows, int arrays)
{
    PyObject *rec = PyStructSequence_New(type);
    for (int i = 0; rec && i < count; i++) {
        PyObject *v = field_value(base, size, rows, fields[i], arrays);
        if (!v) {
            Py_CLEAR(rec);
            break;
        }
        PyStructSequence_SetItem(rec, i, v);
    }
    return rec;
}

PyObject *result_stats(const kld_stats *s, size_t rows, int arrays)
{
    return record(stats_type, stats_fields, COUNT(stats_fields), s, sizeof *s, rows, arrays);
}

PyObject *result_logit_stats(const kld_logit_stats *s, size_t rows, int arrays)
{
    return record(logit_stats_type, logit_stats_fields, COUNT(logit_stats_fields), s, sizeof *s,
                  rows, arrays);
}
