/* summary.c - kld.summarize: kldiv's summary of per-row results computed elsewhere (blocks of rows
 * scored by kld on Dask workers, say), by kldiv's own code (tools/kldiv/summary/, the kld_summary
 * library): the rows are folded in order as kldiv folds them, the percentiles come from the same
 * sort and interpolation, and the dict has the keys of kldiv --json. */
#include "summary.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "run_summary.h"

/* The per-row arguments, in summarize's order: the first four and the last five are float64,
 * the top tokens integers; js, tv and the token columns may be None. */
enum { FORWARD, REVERSE, ENTROPY_BASE, ENTROPY_NEW, TOP_BASE, TOP_NEW, JS, TV, NLL_BASE, NLL_NEW,
       DELTA_P, COLUMNS };
static const char *const names[COLUMNS] = {
    "forward", "reverse", "entropy_base", "entropy_new", "top_base", "top_new", "js", "tv",
    "nll_base", "nll_new", "delta_p"};

/* One argument: its values, rows of them stride bytes apart. */
typedef struct {
    Py_buffer view; /* held while view.obj is set */
    char type;      /* the struct format's letter: 'd', or an integer's */
    Py_ssize_t rows, stride;
} column;

/* obj as a column: float64 values, or integers when integer; any shape in C order (kld's
 * per-row arrays of a (..., vocab) input), or 1-D with any stride (a column of a 2-D array).
 * 0, or -1 with TypeError or ValueError. */
static int column_get(PyObject *obj, const char *name, int integer, column *c)
{
    const char *want = integer ? "integers (numpy.int64, as kld's argmax)" : "float64";
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError, "kld.summarize: %s must be an array of %s, not %.80s",
                     name, want, Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyObject_GetBuffer(obj, &c->view, PyBUF_RECORDS_RO) < 0)
        return -1;
    const char *f = c->view.format ? c->view.format : "B";
    if (*f == '@' || *f == '=' || (*f == '<' && PY_LITTLE_ENDIAN))
        f++;
    c->type = f[0] && !f[1] ? f[0] : '?';
    Py_ssize_t size = c->view.itemsize;
    int ok = integer ? strchr("bhilqBHILQ", c->type) && (size == 1 || size == 2 || size == 4 ||
                                                          size == 8)
                     : c->type == 'd' && size == 8;
    if (!ok) {
        PyErr_Format(PyExc_TypeError, "kld.summarize: %s has struct format '%.20s'; it must be "
                     "%s", name, c->view.format ? c->view.format : "B", want);
        return -1;
    }
    c->rows = c->view.len / size;
    c->stride = size;
    if (c->view.ndim == 1 && c->view.strides)
        c->stride = c->view.strides[0];
    else if (!PyBuffer_IsContiguous(&c->view, 'C')) {
        PyErr_Format(PyExc_ValueError, "kld.summarize: %s is neither 1-D nor C-contiguous "
                     "(numpy.ascontiguousarray)", name);
        return -1;
    }
    return 0;
}

static double value_at(const column *c, Py_ssize_t i)
{
    double v;
    memcpy(&v, (const char *)c->view.buf + i * c->stride, sizeof v);
    return v;
}

/* An integer column's value i, as uint64 (signed values sign-extended first). */
static uint64_t index_at(const column *c, Py_ssize_t i)
{
    const char *p = (const char *)c->view.buf + i * c->stride;
    int is_signed = c->type >= 'a';
    switch (c->view.itemsize) {
    case 1: {
        uint8_t v;
        memcpy(&v, p, 1);
        return is_signed ? (uint64_t)(int64_t)(int8_t)v : v;
    }
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return is_signed ? (uint64_t)(int64_t)(int16_t)v : v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return is_signed ? (uint64_t)(int64_t)(int32_t)v : v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

/* Folds every row into sums (the per-row arrays fwd and dp filled as it goes), as kldiv does.
 * Runs without the GIL. Returns -1, or the first row whose forward or reverse KL is NaN. */
static Py_ssize_t fold(const column *c, const int *given, summary_sums *sums, double *fwd,
                       double *dp)
{
    for (Py_ssize_t i = 0; i < c[FORWARD].rows; i++) {
        double v[COLUMNS];
        for (int k = 0; k < COLUMNS; k++)
            v[k] = given[k] && k != TOP_BASE && k != TOP_NEW ? value_at(&c[k], i) : NAN;
        if (isnan(v[FORWARD]) || isnan(v[REVERSE]))
            return i;
        const summary_row row = {
            .forward = v[FORWARD], .reverse = v[REVERSE], .entropy_base = v[ENTROPY_BASE],
            .entropy_new = v[ENTROPY_NEW], .top_base = index_at(&c[TOP_BASE], i),
            .top_new = index_at(&c[TOP_NEW], i), .js = v[JS], .tv = v[TV],
            .nll_base = v[NLL_BASE], .nll_new = v[NLL_NEW], .delta_p = v[DELTA_P]};
        summary_add(sums, &row, fwd, dp);
    }
    return -1;
}

/* The summary as kldiv --json's keys: {"forward": {"mean": ...}, ..., "top_agreement": ...}. */
static PyObject *as_dict(const summary *s)
{
    PyObject *out = PyDict_New();
    for (size_t i = 0; out && i < summary_key_count; i++) {
        const summary_key *k = &summary_keys[i];
        PyObject *into = k->group ? PyDict_GetItemString(out, k->group) : out; /* borrowed */
        if (!into) { /* the group's first key */
            PyObject *group = PyDict_New();
            int bad = !group || PyDict_SetItemString(out, k->group, group) < 0;
            Py_XDECREF(group); /* out holds it */
            if (bad)
                goto fail;
            into = group;
        }
        PyObject *v = PyFloat_FromDouble(summary_value(s, k));
        int bad = !v || PyDict_SetItemString(into, k->key, v) < 0;
        Py_XDECREF(v);
        if (bad)
            goto fail;
    }
    return out;
fail:
    Py_XDECREF(out);
    return NULL;
}

/* Checks the columns against each other: as many rows as forward, optional ones in their pairs
 * (js with tv, the three token columns together). 0, or -1 with an exception. */
static int check_columns(const column *c, const int *given)
{
    for (int k = 0; k < COLUMNS; k++)
        if (given[k] && c[k].rows != c[FORWARD].rows) {
            PyErr_Format(PyExc_ValueError, "kld.summarize: %s has %zd rows and forward %zd",
                         names[k], c[k].rows, c[FORWARD].rows);
            return -1;
        }
    if (given[JS] != given[TV]) {
        PyErr_SetString(PyExc_TypeError, "kld.summarize: js and tv go together (kldiv --js-tv)");
        return -1;
    }
    if (given[NLL_BASE] != given[NLL_NEW] || given[NLL_BASE] != given[DELTA_P]) {
        PyErr_SetString(PyExc_TypeError, "kld.summarize: nll_base, nll_new and delta_p go "
                                         "together (the token statistics of kldiv --targets)");
        return -1;
    }
    return 0;
}

PyObject *kld_py_summarize(PyObject *module, PyObject *args, PyObject *kwargs)
{
    (void)module;
    static char *keywords[COLUMNS + 1] = {"forward", "reverse", "entropy_base", "entropy_new",
                                          "top_base", "top_new", "js", "tv", "nll_base",
                                          "nll_new", "delta_p", NULL};
    PyObject *obj[COLUMNS] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOOOOO|$OOOOO:summarize", keywords, &obj[0],
                                     &obj[1], &obj[2], &obj[3], &obj[4], &obj[5], &obj[6],
                                     &obj[7], &obj[8], &obj[9], &obj[10]))
        return NULL;
    column c[COLUMNS];
    int given[COLUMNS];
    memset(c, 0, sizeof c);
    double *fwd = NULL, *dp = NULL;
    PyObject *result = NULL;
    for (int k = 0; k < COLUMNS; k++) {
        given[k] = obj[k] && obj[k] != Py_None;
        if (given[k] && column_get(obj[k], names[k], k == TOP_BASE || k == TOP_NEW, &c[k]) < 0)
            goto done;
    }
    if (check_columns(c, given) < 0)
        goto done;
    size_t rows = (size_t)c[FORWARD].rows, room = rows ? rows : 1;
    fwd = PyMem_RawMalloc(room * sizeof *fwd);
    dp = given[DELTA_P] ? PyMem_RawMalloc(room * sizeof *dp) : NULL;
    if (!fwd || (given[DELTA_P] && !dp)) {
        PyErr_NoMemory();
        goto done;
    }
    summary_sums sums = {0};
    summary s;
    Py_ssize_t nan_row;
    Py_BEGIN_ALLOW_THREADS
    nan_row = fold(c, given, &sums, fwd, dp);
    if (nan_row < 0)
        summary_of(&sums, fwd, dp, &s);
    Py_END_ALLOW_THREADS
    if (nan_row >= 0)
        PyErr_Format(PyExc_ValueError, "kld.summarize: row %zd's %s KL is NaN: a bad row, which "
                     "kldiv leaves out of its summary; pass the good rows only", nan_row,
                     isnan(value_at(&c[FORWARD], nan_row)) ? "forward" : "reverse");
    else
        result = as_dict(&s);
done:
    PyMem_RawFree(dp);
    PyMem_RawFree(fwd);
    for (int k = 0; k < COLUMNS; k++)
        if (c[k].view.obj)
            PyBuffer_Release(&c[k].view);
    return result;
}

const char kld_py_summarize_doc[] =
    "summarize($module, forward, reverse, entropy_base, entropy_new, top_base, top_new, *,\n"
    "          js=None, tv=None, nll_base=None, nll_new=None, delta_p=None)\n--\n\n"
    "kldiv's summary of per-row results, computed by kldiv's own code: a dict with the keys\n"
    "of kldiv --json from 'forward' to 'delta_p' (forward {mean, stderr, median, p01 ... p999,\n"
    "min, max}, reverse {mean, max}, top_agreement, entropy_base_mean, entropy_new_mean,\n"
    "js_mean, tv_mean, same_top {fraction, stderr}, ppl {...}, delta_p {...}) and its values,\n"
    "float('nan') where kldiv --json writes null (no rows; js and tv not given; no targets).\n\n"
    "The arguments are the good rows' values, in row order, as kld.stats_logits gives them:\n"
    "float64 arrays forward, reverse (KL(base||new), KL(new||base)), entropy_base,\n"
    "entropy_new, and integer arrays top_base, top_new (argmax_a, argmax_b); with --js-tv,\n"
    "js and tv; with targets, nll_base and nll_new (-log p(target)) and delta_p\n"
    "(p_new(target) - p_base(target)), NaN for a row whose target is not known. Rows whose\n"
    "forward or reverse KL is NaN are bad rows, which kldiv leaves out: ValueError. Arrays of\n"
    "any shape are read in C order; a 1-D array may be strided. The GIL is released.";
