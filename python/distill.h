/* distill.h - kld.distill(): the distillation loss and its gradient (kld.h's kld_distill_*). */
#ifndef KLD_PY_DISTILL_H
#define KLD_PY_DISTILL_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* kld_py_distill() : kld.distill(student, teacher, *, direction, temperature, grad_dtype, grad),
 * METH_VARARGS | METH_KEYWORDS. */
PyObject *kld_py_distill(PyObject *module, PyObject *args, PyObject *kwargs);
extern const char kld_py_distill_doc[];

#endif
