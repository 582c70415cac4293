/* call.c - checks a pair of operands, runs a kld_function's kernel on them with the GIL released
 * (the kernel only reads the inputs, which the operands keep alive), and builds the result. */
#include "call.h"

#include <float.h>
#include <math.h>

#include "results.h"

/* The temperature, rounded to float as the C library takes it; beyond float's range it is an
 * infinity, which gives NaN results as every other invalid temperature does (kld.h). */
static int parse_temperature(PyObject *obj, float *t)
{
    double d = PyFloat_AsDouble(obj);
    if (d == -1.0 && PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_OverflowError)) /* an int beyond double: inf too */
            return -1;
        PyErr_Clear();
        PyObject *zero = PyLong_FromLong(0);
        int negative = zero ? PyObject_RichCompareBool(obj, zero, Py_LT) : -1;
        Py_XDECREF(zero);
        if (negative < 0)
            return -1;
        d = negative ? -INFINITY : INFINITY;
    }
    *t = fabs(d) > FLT_MAX ? (float)copysign(INFINITY, d) : (float)d;
    return 0;
}

static int parse_args(const kld_function *fn, PyObject *const *args, Py_ssize_t nargs,
                      PyObject *kwnames, float *t)
{
    PyObject *temperature = fn->logits && nargs == 3 ? args[2] : NULL;
    if (nargs != 2 && !temperature) {
        PyErr_Format(PyExc_TypeError, "%s() takes 2 arrays%s (%zd given)", fn->name,
                     fn->logits ? " and an optional temperature" : "", nargs);
        return -1;
    }
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, i);
        if (!fn->logits || PyUnicode_CompareWithASCIIString(key, "temperature") != 0) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument %R", fn->name,
                         key);
            return -1;
        }
        if (temperature) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument 'temperature'",
                         fn->name);
            return -1;
        }
        temperature = args[nargs + i];
    }
    *t = 1.0f;
    return temperature ? parse_temperature(temperature, t) : 0;
}

/* Same dtype, same shape, and a kernel for that dtype. */
static int check_pair(const kld_function *fn, const operand *a, const operand *b,
                      PyObject *const *args)
{
    const char *na = fn->logits ? "a" : "p", *nb = fn->logits ? "b" : "q";
    if (a->dtype != b->dtype) {
        PyErr_Format(PyExc_TypeError, "kld: %s is %s and %s is %s; %s() needs both of one dtype",
                     na, kld_py_dtype_names[a->dtype], nb, kld_py_dtype_names[b->dtype],
                     fn->name);
        return -1;
    }
    if (!(fn->dtypes & 1u << a->dtype)) {
        PyObject *s = operand_dtype_str(args[0], kld_py_dtype_names[a->dtype]);
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
    if (a->ndim != b->ndim || a->shape[0] != b->shape[0] || a->shape[1] != b->shape[1]) {
        PyObject *sa = operand_shape_str(a), *sb = sa ? operand_shape_str(b) : NULL;
        if (sb)
            PyErr_Format(PyExc_ValueError, "kld: %s has shape %U and %s has shape %U; %s() needs "
                         "the same shape", na, sa, nb, sb, fn->name);
        Py_XDECREF(sa);
        Py_XDECREF(sb);
        return -1;
    }
    return 0;
}

/* Rows of kld_stats or kld_logit_stats go to a scratch array (rows x 64 or 96 bytes, no part
 * of the input), then into one numpy array per field. */
static PyObject *run_records(const kld_function *fn, const operand *a, const operand *b, float t,
                             int arrays)
{
    int logit = fn->result == RESULT_LOGIT_STATS;
    size_t size = logit ? sizeof(kld_logit_stats) : sizeof(kld_stats);
    if (a->rows > PY_SSIZE_T_MAX / size)
        return PyErr_NoMemory();
    void *out = PyMem_Malloc(a->rows ? a->rows * size : 1);
    if (!out)
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS
    if (logit)
        fn->k.logit_stats[a->dtype](a->data, b->data, a->rows, a->n, a->ld, b->ld, t, out);
    else
        fn->k.stats[a->dtype](a->data, b->data, a->rows, a->n, a->ld, b->ld, t, out);
    Py_END_ALLOW_THREADS
    PyObject *result = logit ? result_logit_stats(out, a->rows, arrays)
                             : result_stats(out, a->rows, arrays);
    PyMem_Free(out);
    return result;
}

static PyObject *pair_result(result_kind kind, PyObject *first, PyObject *second)
{
    if (kind == RESULT_PAIR)
        return PyTuple_Pack(2, first, second);
    PyObject *one = kind == RESULT_SECOND ? second : first;
    Py_INCREF(one);
    return one;
}

/* forward, reverse, both, js, tv: one or two float64 values per row. */
static PyObject *run_pair(const kld_function *fn, const operand *a, const operand *b, float t,
                          int arrays)
{
    double first1 = 0, second1 = 0, *first = &first1, *second = &second1;
    PyObject *out1 = NULL, *out2 = NULL, *result = NULL;
    if (arrays) {
        int want1 = fn->result != RESULT_SECOND, want2 = fn->result != RESULT_FIRST;
        if ((want1 && !(out1 = result_array(a->rows, 0, (void **)&first))) ||
            (want2 && !(out2 = result_array(a->rows, 0, (void **)&second))))
            goto done;
        first = want1 ? first : NULL;
        second = want2 ? second : NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    fn->k.pair[a->dtype](a->data, b->data, a->rows, a->n, a->ld, b->ld, t, first, second);
    Py_END_ALLOW_THREADS
    if (!arrays) {
        out1 = PyFloat_FromDouble(first1);
        out2 = out1 ? PyFloat_FromDouble(second1) : NULL;
        if (!out2)
            goto done;
    }
    result = pair_result(fn->result, out1, out2);
done:
    Py_XDECREF(out1);
    Py_XDECREF(out2);
    return result;
}

PyObject *kld_py_call(const kld_function *fn, PyObject *const *args, Py_ssize_t nargs,
                      PyObject *kwnames)
{
    float t;
    if (parse_args(fn, args, nargs, kwnames, &t) < 0)
        return NULL;
    operand a, b;
    if (operand_get(args[0], fn->logits ? "a" : "p", &a) < 0)
        return NULL;
    if (operand_get(args[1], fn->logits ? "b" : "q", &b) < 0) {
        operand_release(&a);
        return NULL;
    }
    PyObject *result = NULL;
    if (check_pair(fn, &a, &b, args) == 0) {
        int arrays = a.ndim == 2;
        int records = fn->result == RESULT_STATS || fn->result == RESULT_LOGIT_STATS;
        result = records ? run_records(fn, &a, &b, t, arrays) : run_pair(fn, &a, &b, t, arrays);
    }
    operand_release(&b);
    operand_release(&a);
    return result;
}
