/* results.h - what kld's Python functions return: floats for one vector; for stacks of vectors,
 * one float64 numpy array of the leading shape per value; kld.Stats and kld.LogitStats, named
 * tuples (collections.namedtuple: _asdict(), _fields, _replace) named like kld_stats' fields. */
#ifndef KLD_PY_RESULTS_H
#define KLD_PY_RESULTS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <kld.h>

/* results_init() : creates kld.Stats and kld.LogitStats and adds them to the module. */
int results_init(PyObject *module);

/* result_array() : a new C-contiguous numpy array of the given shape, float64 (int64 when
 * index), *data its memory; numpy is imported on first use. */
PyObject *result_array(int ndim, const Py_ssize_t *shape, int index, void **data);

/* result_out() : a writable buffer of out= (name: its name in messages), a float64 C-contiguous
 * array (numpy, or a torch tensor through .numpy()) of exactly the given shape. @return 0, the
 * buffer then held; or -1 with TypeError (dtype) or ValueError (shape, layout, read-only). */
int result_out(PyObject *out, const char *name, int ndim, const Py_ssize_t *shape,
               Py_buffer *view);

/* result_stats(), result_logit_stats() : a kld.Stats / kld.LogitStats of s[0] (floats and ints)
 * when ndim is 0, else of the fields of the records s[0..rows) (rows: the product of shape) as
 * numpy arrays of that shape. */
PyObject *result_stats(const kld_stats *s, int ndim, const Py_ssize_t *shape);
PyObject *result_logit_stats(const kld_logit_stats *s, int ndim, const Py_ssize_t *shape);

#endif
