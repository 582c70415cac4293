/* args.c - parses fn(p, q, *, axis, dim, reduction, mask, labels, ignore_index, out) and
 * fn(a, b, temperature, *, ...) (the logits functions) from METH_FASTCALL | METH_KEYWORDS
 * arguments: a table of names, the first two or three positional too. */
#include "args.h"

#include <float.h>
#include <math.h>

enum { A, B, TEMPERATURE, AXIS, DIM, REDUCTION, MASK, LABELS, IGNORE_INDEX, OUT, SLOTS };
static const char *const names[SLOTS] = {"p", "q", "temperature", "axis", "dim", "reduction",
                                         "mask", "labels", "ignore_index", "out"};
static const char *const reductions[] = {"none", "sum", "mean", "batchmean"};

static const char *slot_name(const kld_function *fn, int slot)
{
    if (fn->logits && slot <= B)
        return slot == A ? "a" : "b";
    return names[slot];
}

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

/* An int argument (an index: int, numpy integer, not float or bool). */
static int parse_int(const kld_function *fn, int slot, PyObject *obj, long long *value)
{
    if (PyBool_Check(obj) || !PyIndex_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s(): %s must be an int, not %s", fn->name, names[slot],
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyObject *index = PyNumber_Index(obj);
    *value = index ? PyLong_AsLongLong(index) : -1;
    Py_XDECREF(index);
    return *value == -1 && PyErr_Occurred() ? -1 : 0;
}

static int parse_reduction(const kld_function *fn, PyObject *obj, reduction *reduce)
{
    for (size_t i = 0; PyUnicode_Check(obj) && i < sizeof reductions / sizeof *reductions; i++)
        if (PyUnicode_CompareWithASCIIString(obj, reductions[i]) == 0) {
            *reduce = (reduction)i;
            return 0;
        }
    PyErr_Format(PyUnicode_Check(obj) ? PyExc_ValueError : PyExc_TypeError,
                 "%s(): reduction is 'none', 'sum', 'mean' or 'batchmean' (per vector), not %R",
                 fn->name, obj);
    return -1;
}

/* Each argument into its slot: positional ones first, then by name; None is an absent one. */
static int fill_slots(const kld_function *fn, PyObject *const *argv, Py_ssize_t nargs,
                      PyObject *kwnames, PyObject **slot)
{
    Py_ssize_t positional = fn->logits ? 3 : 2;
    if (nargs > positional) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %zd positional arguments (%zd given); "
                     "the others are keyword-only", fn->name, positional, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        slot[i] = argv[i];
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        int s = 0;
        while (s < SLOTS && (PyUnicode_CompareWithASCIIString(key, slot_name(fn, s)) != 0 ||
                             (s == TEMPERATURE && !fn->logits)))
            s++;
        if (s == SLOTS) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument %R",
                         fn->name, key);
            return -1;
        }
        if (slot[s]) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'",
                         fn->name, slot_name(fn, s));
            return -1;
        }
        slot[s] = argv[nargs + k];
    }
    for (int s = A; s <= B; s++)
        if (!slot[s]) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", fn->name,
                         slot_name(fn, s));
            return -1;
        }
    for (int s = TEMPERATURE; s < SLOTS; s++)
        slot[s] = slot[s] == Py_None ? NULL : slot[s];
    return 0;
}

static int refuse(const kld_function *fn, const char *why)
{
    PyErr_Format(PyExc_TypeError, "%s(): %s", fn->name, why);
    return -1;
}

int args_parse(const kld_function *fn, PyObject *const *argv, Py_ssize_t nargs,
               PyObject *kwnames, kld_args *args)
{
    PyObject *slot[SLOTS] = {0};
    if (fill_slots(fn, argv, nargs, kwnames, slot) < 0)
        return -1;
    *args = (kld_args){.a = slot[A], .b = slot[B], .t = 1.0f, .axis = -1,
                       .mask = slot[MASK], .labels = slot[LABELS], .ignore_index = -100,
                       .out = slot[OUT]};
    long long value;
    if (slot[AXIS] && slot[DIM])
        return refuse(fn, "axis and dim are one argument (dim is torch's name): pass one");
    PyObject *axis = slot[AXIS] ? slot[AXIS] : slot[DIM];
    if (axis) {
        if (parse_int(fn, axis == slot[AXIS] ? AXIS : DIM, axis, &value) < 0)
            return -1;
        args->axis = value < -KLD_PY_MAXDIM ? -KLD_PY_MAXDIM - 1
                     : value > KLD_PY_MAXDIM ? KLD_PY_MAXDIM : (int)value; /* out of bounds */
    }
    if (slot[TEMPERATURE] && parse_temperature(slot[TEMPERATURE], &args->t) < 0)
        return -1;
    if (slot[REDUCTION] && parse_reduction(fn, slot[REDUCTION], &args->reduce) < 0)
        return -1;
    if (slot[IGNORE_INDEX] && parse_int(fn, IGNORE_INDEX, slot[IGNORE_INDEX],
                                        &args->ignore_index) < 0)
        return -1;
    int records = fn->result == RESULT_STATS || fn->result == RESULT_LOGIT_STATS;
    if (records && (args->reduce || args->mask || args->labels || slot[IGNORE_INDEX] ||
                    args->out))
        return refuse(fn, "takes no reduction, mask, labels, ignore_index or out: it returns "
                          "every vector's fields");
    if (args->mask && args->labels)
        return refuse(fn, "pass mask= or labels= (with ignore_index=), not both");
    if (slot[IGNORE_INDEX] && !args->labels)
        return refuse(fn, "ignore_index= needs labels= (the label of each vector)");
    if (args->out && args->reduce)
        return refuse(fn, "out= holds one value per vector: it goes with reduction='none'");
    if (args->out && fn->result == RESULT_PAIR &&
        (!PyTuple_Check(args->out) || PyTuple_GET_SIZE(args->out) != 2))
        return refuse(fn, "out= is a tuple of two arrays (forward, reverse)");
    return 0;
}
