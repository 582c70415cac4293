/* call.h - one call of a kld Python function: arguments, operands, the kernel without the GIL,
 * the reduction, the result. */
#ifndef KLD_PY_CALL_H
#define KLD_PY_CALL_H

#include "kernels.h"

/* kld_py_call() : fn(p, q, *, axis, dim, reduction, mask, labels, ignore_index, out) or
 * fn(a, b, temperature=1.0, *, ...) with METH_FASTCALL | METH_KEYWORDS arguments (args.h).
 * @return the result, or NULL with an exception set. */
PyObject *kld_py_call(const kld_function *fn, PyObject *const *args, Py_ssize_t nargs,
                      PyObject *kwnames);

#endif
