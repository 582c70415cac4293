/* check.h - kld.check (check.c). */
#ifndef KLD_PY_CHECK_H
#define KLD_PY_CHECK_H

#include "operand.h" /* Python.h, first of all headers */

/* kld.check(p, q, *, kind="probs", tolerance=1e-3): None, or (name, row, index, reason) of the
 * first bad element (index n: the whole row) of p, then q. */
PyObject *kld_py_check(PyObject *module, PyObject *args, PyObject *kwargs);

#endif
