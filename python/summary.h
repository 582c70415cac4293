/* summary.h - kld.summarize (summary.c): kldiv's summary of per-row results, by its own code. */
#ifndef KLD_PY_SUMMARY_H
#define KLD_PY_SUMMARY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* kld.summarize(forward, reverse, entropy_base, entropy_new, top_base, top_new, *, js=None,
 * tv=None, nll_base=None, nll_new=None, delta_p=None): a dict with the keys and values of the
 * summary in kldiv --json (forward ... delta_p). */
PyObject *kld_py_summarize(PyObject *module, PyObject *args, PyObject *kwargs);
extern const char kld_py_summarize_doc[];

#endif
