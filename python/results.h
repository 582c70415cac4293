/* results.h - what kld's Python functions return: floats for a vector; for rows, one float64
 * numpy array per value; kld.Stats and kld.LogitStats, named like kld_stats' fields. */
#ifndef KLD_PY_RESULTS_H
#define KLD_PY_RESULTS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <kld.h>

/* results_init() : creates kld.Stats and kld.LogitStats and adds them to the module. */
int results_init(PyObject *module);

/* result_array() : a new numpy array of rows float64 values (int64 when index), *data its
 * memory; numpy is imported on first use. */
PyObject *result_array(size_t rows, int index, void **data);

/* result_stats(), result_logit_stats() : a kld.Stats / kld.LogitStats of s[0] (floats and ints)
 * when arrays is 0, else of the fields of s[0..rows) as numpy arrays. */
PyObject *result_stats(const kld_stats *s, size_t rows, int arrays);
PyObject *result_logit_stats(const kld_logit_stats *s, size_t rows, int arrays);

#endif
