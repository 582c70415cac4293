/* module.c - the extension module kld._kld (re-exported by python/kld/__init__.py): its functions and their docstrings, the path (ISA)
 * controls, __version__. The work is in call.c; arguments are read in place by operand.c. */
#include "call.h"
#include "check.h"
#include "distill.h"
#include "results.h"
#include "summary.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define KLD_PY_VERSION STR(KLD_VERSION_MAJOR) "." STR(KLD_VERSION_MINOR) "." STR(KLD_VERSION_PATCH)

/* The Python functions: name, the family of entry points they run (kernel_list.h), result. */
#define PY_FUNCTIONS(X)                                                                        \
    X(forward, both, RESULT_FIRST)                                                             \
    X(reverse, both, RESULT_SECOND)                                                            \
    X(both, both, RESULT_PAIR)                                                                 \
    X(stats, stats, RESULT_STATS)                                                              \
    X(js, js, RESULT_FIRST)                                                                    \
    X(tv, tv, RESULT_FIRST)                                                                    \
    X(forward_logits, both_logits, RESULT_FIRST)                                               \
    X(reverse_logits, both_logits, RESULT_SECOND)                                              \
    X(both_logits, both_logits, RESULT_PAIR)                                                   \
    X(stats_logits, stats_logits, RESULT_LOGIT_STATS)                                          \
    X(js_logits, js_logits, RESULT_FIRST)                                                      \
    X(tv_logits, tv_logits, RESULT_FIRST)

#define PY_KLD(py_name, family_name, returns)                                                  \
    static kld_function fn_##py_name = {                                                       \
        .name = #py_name, .family = #family_name, .result = returns};                          \
    static PyObject *py_##py_name(PyObject *module, PyObject *const *args, Py_ssize_t nargs,   \
                                  PyObject *kwnames)                                           \
    {                                                                                          \
        (void)module;                                                                          \
        return kld_py_call(&fn_##py_name, args, nargs, kwnames);                               \
    }
PY_FUNCTIONS(PY_KLD)

#define SHAPES                                                                                 \
    "vectors of n elements along the last axis\n"                                               \
    "(axis= or dim=, torch's name, for another): (n,), (rows, n), (batch, seq, n), ... of\n"  \
    "one dtype and exactly one shape (no broadcasting); numpy arrays, buffers, or __dlpack__\n"\
    "CPU tensors. Read in place when the vocabulary axis is contiguous, whatever the other\n"  \
    "strides; otherwise copied in chunks of ~256 KiB. One vector gives Python floats; more\n"  \
    "give float64 arrays of the leading shape (the shape without the vocabulary axis)."
#define KEYWORDS                                                                               \
    "reduction: 'none' (default: a value per vector), 'sum', 'mean' (torch's: the sum over\n"  \
    "the elements' count, vectors x n) or 'batchmean' (the sum over the number of vectors,\n"\
    "torch's batchmean for (rows, n); for (batch, seq, n) torch divides by batch only):\n"   \
    "a float. mask (booleans of the leading shape, True keeps the vector) or labels (ints of\n"\
    "the leading shape) with ignore_index (default -100, torch's): left-out vectors are not\n" \
    "read, count in no reduction and are 0 in 'none'. out: a float64 C-contiguous array of\n"  \
    "the leading shape to write the values into (returned), with reduction='none'."
#define INPUTS                                                                                 \
    "p and q: " SHAPES "\nDtypes float32, float64, float16 or bfloat16. Terms follow\n"        \
    "scipy.special.rel_entr and entr (kld.h); nothing is renormalised.\n\n" KEYWORDS
#define LOGIT_INPUTS                                                                           \
    "P = softmax(a/T), Q = softmax(b/T), without a softmax in memory.\na and b: " SHAPES "\n"  \
    "Dtypes float32, float16 or bfloat16 (no float64 logits kernel exists: TypeError).\n"      \
    "Log-probabilities (log_softmax output) are valid logits: softmax(log_softmax(x)/T) =\n"   \
    "softmax(x/T). A -inf logit is a masked token; NaN or +inf in a vector, or one of all\n"   \
    "-inf, gives NaN for it. T is rounded to float32 and must lie in [1/FLT_MAX, FLT_MAX];\n"  \
    "any other T (0, negative, NaN, inf) gives NaN, as the C library does.\n\n" KEYWORDS
#define RECORD_INPUTS(in)                                                                      \
    in "\n(stats functions: no reduction, mask, labels or out.)"
#define SIG(name) #name "($module, p, q, *, axis=-1, dim=None, reduction='none', mask=None,\n" \
    "labels=None, ignore_index=-100, out=None)\n--\n\n"
#define LOGIT_SIG(name) #name "($module, a, b, temperature=1.0, *, axis=-1, dim=None,\n"      \
    "reduction='none', mask=None, labels=None, ignore_index=-100, out=None)\n--\n\n"

PyDoc_STRVAR(forward_doc, SIG(forward) "KL(P||Q) = sum p*log(p/q), in nats.\n\n" INPUTS);
PyDoc_STRVAR(reverse_doc, SIG(reverse) "KL(Q||P) = sum q*log(q/p), in nats: forward(q, p).\n\n"
                          INPUTS);
PyDoc_STRVAR(both_doc, SIG(both)
             "(forward, reverse): both directions from one pass and one log per element\n"
             "(out: a tuple of two arrays).\n\n" INPUTS);
PyDoc_STRVAR(stats_doc, "stats($module, p, q, *, axis=-1, dim=None)\n--\n\n"
                        "kld.Stats (a named tuple): forward, reverse, entropy_p, entropy_q,\n"
                        "cross_pq, cross_qp, sum_p, sum_q from one pass (floats, or float64\n"
                        "arrays of the leading shape).\n\n" RECORD_INPUTS(INPUTS));
PyDoc_STRVAR(js_doc, SIG(js)
             "Jensen-Shannon divergence KL(P||M)/2 + KL(Q||M)/2, M = (P+Q)/2, in nats\n"
             "(between 0 and log 2; scipy's jensenshannon is its square root).\n\n" INPUTS);
PyDoc_STRVAR(tv_doc, SIG(tv)
             "Total variation (1/2) sum |p - q|; for distributions 1 - sum min(p, q),\n"
             "one minus speculative decoding's acceptance rate.\n\n" INPUTS);
PyDoc_STRVAR(forward_logits_doc, LOGIT_SIG(forward_logits) "KL(P||Q) from logits.\n\n"
                                 LOGIT_INPUTS);
PyDoc_STRVAR(reverse_logits_doc, LOGIT_SIG(reverse_logits) "KL(Q||P) from logits.\n\n"
                                 LOGIT_INPUTS);
PyDoc_STRVAR(both_logits_doc, LOGIT_SIG(both_logits)
             "(forward, reverse) from logits (out: a tuple of two arrays).\n\n" LOGIT_INPUTS);
PyDoc_STRVAR(stats_logits_doc,
             "stats_logits($module, a, b, temperature=1.0, *, axis=-1, dim=None)\n--\n\n"
             "kld.LogitStats (a named tuple): the kld.Stats fields of P and Q (sum_p = sum_q\n"
             "= 1), and lse_a, lse_b (log-sum-exp of a/T, b/T), argmax_a, argmax_b (top\n"
             "tokens, lowest index on ties, n for a NaN vector; ints, or int64 arrays).\n\n"
             RECORD_INPUTS(LOGIT_INPUTS));
PyDoc_STRVAR(js_logits_doc, LOGIT_SIG(js_logits)
             "Jensen-Shannon divergence of P and Q from logits, in nats.\n\n" LOGIT_INPUTS);
PyDoc_STRVAR(tv_logits_doc, LOGIT_SIG(tv_logits)
             "Total variation of P and Q from logits.\n\n" LOGIT_INPUTS);

/* The path named name, or -1 with ValueError. */
static int isa_of(PyObject *name)
{
    Py_ssize_t len = 0;
    const char *s = PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, &len) : NULL;
    if (s && strlen(s) != (size_t)len) /* an embedded NUL: "scalar\0x" is no path name */
        s = NULL;
    for (int i = 0; s && i < KLD_ISA_COUNT; i++)
        if (strcmp(s, kld_isa_name((kld_isa)i)) == 0)
            return i;
    if (!PyErr_Occurred()) {
        char paths[160] = "";
        for (int i = 0; i < KLD_ISA_COUNT; i++) /* as kld names them: 'scalar', 'avx2', ... */
            snprintf(paths + strlen(paths), sizeof paths - strlen(paths), "%s'%s'",
                     i ? ", " : "", kld_isa_name((kld_isa)i));
        PyErr_Format(PyExc_ValueError, "kld: unknown path %R; the paths are %s", name, paths);
    }
    return -1;
}

static PyObject *py_isa(PyObject *module, PyObject *unused)
{
    (void)module, (void)unused;
    return PyUnicode_FromString(kld_isa_name(kld_isa_active()));
}

static PyObject *py_isa_supported(PyObject *module, PyObject *name)
{
    (void)module;
    int isa = isa_of(name);
    return isa < 0 ? NULL : PyBool_FromLong(kld_isa_supported((kld_isa)isa));
}

static PyObject *py_force_isa(PyObject *module, PyObject *name)
{
    (void)module;
    int isa = isa_of(name);
    if (isa < 0)
        return NULL;
    if (kld_isa_force((kld_isa)isa) < 0) {
        PyErr_Format(PyExc_ValueError, "kld: path %R is not supported on this CPU or build "
                                       "(kld.isa_supported)", name);
        return NULL;
    }
    Py_RETURN_NONE;
}

PyDoc_STRVAR(check_doc,
             "check($module, p, q, *, kind='probs', tolerance=0.001, axis=-1, dim=None)\n"
             "--\n\n"
             "The first bad element of p, then q (vectors along axis, as the other functions\n"
             "take them): None when there is none, else (name, row, index, reason): row is\n"
             "the vector's flat index in C order of the leading shape (numpy.unravel_index),\n"
             "0 for one vector; p and q of one dtype and shape. kind='probs': kld_check of\n"
             "each vector\n"
             "(NaN, an infinity, a negative value, or a sum off 1 by more than tolerance:\n"
             "index n; an empty row is no distribution). kind='logits' (tolerance unused):\n"
             "NaN or +inf, a row of all -inf, or a row that looks like probabilities (every\n"
             "value in [0, 1], sum 1 within 1e-3: index n). Passing probabilities to the\n"
             "*_logits functions is the easiest mistake there is: they are softmaxed again\n"
             "and the KL comes out near 0.");
PyDoc_STRVAR(isa_doc, "isa($module, /)\n--\n\n"
                      "The name of the path every kernel call uses now: 'scalar', 'avx2',\n"
                      "'avx512' or 'neon' (chosen on first use: $KLD_ISA if supported, else the "
                      "best).");
PyDoc_STRVAR(isa_supported_doc, "isa_supported($module, name, /)\n--\n\n"
                                "True if the path is compiled in and runs on this CPU and OS.");
PyDoc_STRVAR(force_isa_doc, "force_isa($module, name, /)\n--\n\n"
                            "Makes every later call in the process use this path (for tests and\n"
                            "benchmarks). ValueError if it is unknown or unsupported here.");

#define PY_METHOD(name, family, result)                                                        \
    {#name, (PyCFunction)(void (*)(void))py_##name, METH_FASTCALL | METH_KEYWORDS, name##_doc},
static PyMethodDef methods[] = {
    PY_FUNCTIONS(PY_METHOD)
    {"check", (PyCFunction)(void (*)(void))kld_py_check, METH_VARARGS | METH_KEYWORDS, check_doc},
    {"summarize", (PyCFunction)(void (*)(void))kld_py_summarize, METH_VARARGS | METH_KEYWORDS,
     kld_py_summarize_doc},
    {"distill", (PyCFunction)(void (*)(void))kld_py_distill, METH_VARARGS | METH_KEYWORDS,
     kld_py_distill_doc},
    {"isa", py_isa, METH_NOARGS, isa_doc},
    {"isa_supported", py_isa_supported, METH_O, isa_supported_doc},
    {"force_isa", py_force_isa, METH_O, force_isa_doc},
    {NULL, NULL, 0, NULL}};

PyDoc_STRVAR(module_doc,
             "kld: fused, SIMD-vectorized Kullback-Leibler divergence (and entropies,\n"
             "Jensen-Shannon, total variation) over numpy arrays and torch CPU tensors, read in\n"
             "place, with the GIL released during each kernel call. See docs/python.md.");

static struct PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "kld._kld", module_doc, -1, methods,
                                        NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__kld(void)
{
#define PY_FUNCTION_REF(name, family, result) &fn_##name,
    static kld_function *const functions[] = {PY_FUNCTIONS(PY_FUNCTION_REF)};
    if (kernels_bind(functions, sizeof functions / sizeof *functions) < 0)
        return NULL;
    PyObject *module = PyModule_Create(&module_def);
    PyObject *isas = PyTuple_New(KLD_ISA_COUNT);
    for (int i = 0; isas && i < KLD_ISA_COUNT; i++)
        PyTuple_SET_ITEM(isas, i, PyUnicode_FromString(kld_isa_name((kld_isa)i)));
    if (!module || !isas || PyModule_AddObjectRef(module, "ISAS", isas) < 0 ||
        PyModule_AddStringConstant(module, "__version__", KLD_PY_VERSION) < 0 ||
        results_init(module) < 0) {
        Py_XDECREF(isas);
        Py_XDECREF(module);
        return NULL;
    }
    Py_DECREF(isas);
    return module;
}
