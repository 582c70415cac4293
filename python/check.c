/* check.c - kld.check(p, q, kind, tolerance): the first bad element or row of a pair of inputs,
 * before the user trusts a number computed from them. Probabilities go through the C library's
 * kld_check_<type>; logits are checked here for what makes a logits row give NaN (NaN, +inf, all
 * -inf) and for the easiest mistake there is, probabilities passed as logits. */
#include "check.h"

#include <math.h>
#include <string.h>

#include <kld.h>

#include "generic/half.h"

static double element(const operand *op, const void *base, size_t at)
{
    switch (op->dtype) {
    case DTYPE_F64:
        return ((const double *)(const void *)base)[at];
    case DTYPE_F16:
        return kld_f16_to_float(((const uint16_t *)(const void *)base)[at]);
    case DTYPE_BF16:
        return kld_bf16_to_float(((const uint16_t *)(const void *)base)[at]);
    default:
        return ((const float *)(const void *)base)[at];
    }
}

/* A probability row: kld_check of its type. Returns NULL (fine) or the reason, *index set. */
static const char *check_probs(const operand *op, const void *x, double tolerance,
                               size_t *index)
{
    kld_status s;
    switch (op->dtype) {
    case DTYPE_F64:
        s = kld_check_f64(x, op->n, tolerance, index);
        break;
    case DTYPE_F16:
        s = kld_check_f16(x, op->n, tolerance, index);
        break;
    case DTYPE_BF16:
        s = kld_check_bf16(x, op->n, tolerance, index);
        break;
    default:
        s = kld_check_f32(x, op->n, tolerance, index);
    }
    return s == KLD_OK ? NULL : kld_status_str(s);
}

/* A logits row: NaN or +inf (the element), all -inf or probabilities (the row: index n). */
static const char *check_logits(const operand *op, const void *x, size_t *index)
{
    double sum = 0.0;
    int unit = 1, masked = 1;
    for (size_t i = 0; i < op->n; i++) {
        double v = element(op, x, i);
        *index = i;
        if (isnan(v))
            return "element is NaN";
        if (v == INFINITY)
            return "element is +inf";
        masked &= v == -INFINITY;
        unit &= v >= 0 && v <= 1;
        sum += v;
    }
    *index = op->n;
    if (op->n && masked)
        return "every element is -inf (no token left)";
    if (op->n && unit && fabs(sum - 1) <= 1e-3)
        return "the row looks like probabilities (every value in [0, 1], sum 1), not logits: "
               "use the probability functions (kind='probs')";
    return NULL;
}

PyObject *kld_py_check(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[] = {"p", "q", "kind", "tolerance", "axis", "dim", NULL};
    PyObject *objs[2], *axis = NULL, *dim = NULL;
    const char *kind = "probs";
    double tolerance = 1e-3;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|$sdOO:check", keywords, &objs[0],
                                     &objs[1], &kind, &tolerance, &axis, &dim))
        return NULL;
    axis = axis == Py_None ? NULL : axis;
    dim = dim == Py_None ? NULL : dim;
    if (axis && dim)
        return PyErr_Format(PyExc_TypeError, "check(): axis and dim are one argument (dim is "
                                             "torch's name): pass one");
    long ax = -1;
    if ((axis || dim) && ((ax = PyLong_AsLong(axis ? axis : dim)) == -1 && PyErr_Occurred()))
        return NULL;
    ax = ax < -KLD_PY_MAXDIM ? -KLD_PY_MAXDIM - 1 : ax > KLD_PY_MAXDIM ? KLD_PY_MAXDIM : ax;
    int logits = strcmp(kind, "logits") == 0;
    if (!logits && strcmp(kind, "probs") != 0)
        return PyErr_Format(PyExc_ValueError,
                            "kld.check: kind is 'probs' or 'logits', not '%s'", kind);
    if (!(tolerance >= 0))
        return PyErr_Format(PyExc_ValueError, "kld.check: tolerance must be >= 0 (or inf)");
    const char *names[2] = {logits ? "a" : "p", logits ? "b" : "q"};
    operand op[2] = {{0}, {0}};
    PyObject *result = NULL;
    if (operand_get(objs[0], names[0], (int)ax, &op[0]) < 0 ||
        operand_get(objs[1], names[1], (int)ax, &op[1]) < 0)
        goto done;
    if (op[0].dtype != op[1].dtype) { /* as every other function refuses them */
        PyErr_Format(PyExc_TypeError, "kld: %s is %s and %s is %s; check() needs both of one dtype",
                     names[0], kld_py_dtype_names[op[0].dtype], names[1],
                     kld_py_dtype_names[op[1].dtype]);
        goto done;
    }
    int same = op[0].ndim == op[1].ndim;
    for (int d = 0; same && d < op[0].ndim; d++)
        same = op[0].shape[d] == op[1].shape[d];
    if (!same) {
        PyObject *sa = shape_str(op[0].ndim, op[0].shape);
        PyObject *sb = sa ? shape_str(op[1].ndim, op[1].shape) : NULL;
        if (sb)
            PyErr_Format(PyExc_ValueError, "kld: %s has shape %U and %s has shape %U; check() "
                         "needs the same shape", names[0], sa, names[1], sb);
        Py_XDECREF(sa);
        Py_XDECREF(sb);
        goto done;
    }
    for (int k = 0; k < 2 && !result && !PyErr_Occurred(); k++) {
        size_t bytes = op[k].n * (size_t)kld_py_itemsizes[op[k].dtype];
        void *scratch = op[k].strided ? PyMem_Malloc(bytes ? bytes : 1) : NULL;
        if (op[k].strided && !scratch)
            PyErr_NoMemory();
        for (size_t row = 0; row < op[k].rows && !result && !PyErr_Occurred(); row++) {
            size_t index = 0;
            const void *x = operand_row(&op[k], row);
            if (scratch) /* a strided vector, gathered (operand.h) */
                operand_gather(&op[k], row, 1, scratch), x = scratch;
            const char *why = logits ? check_logits(&op[k], x, &index)
                                     : check_probs(&op[k], x, tolerance, &index);
            if (why)
                result = Py_BuildValue("(snns)", names[k], (Py_ssize_t)row, (Py_ssize_t)index,
                                       why);
        }
        PyMem_Free(scratch);
    }
    if (!result && !PyErr_Occurred()) {
        Py_INCREF(Py_None);
        result = Py_None;
    }
done:
    operand_release(&op[1]);
    operand_release(&op[0]);
    return result;
}
