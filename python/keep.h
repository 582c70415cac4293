/* keep.h - which vectors count: mask= (booleans or integers, True/nonzero keeps the vector) or
 * labels= with ignore_index= (a vector whose label equals ignore_index is left out, as torch's
 * cross_entropy does), each of the leading shape, read into one byte per vector. */
#ifndef KLD_PY_KEEP_H
#define KLD_PY_KEEP_H

#include "operand.h" /* Python.h, first of all headers */

/* keep_rows() : *keep = NULL when mask and labels are both NULL (every vector counts); else a
 * PyMem array of lead->rows bytes, 1 where the vector counts, to be freed with PyMem_Free.
 * lead gives the leading shape, that mask and labels must have exactly. @return the number of
 * vectors that count, or -1 with an exception set. */
Py_ssize_t keep_rows(PyObject *mask, PyObject *labels, long long ignore_index,
                     const operand *lead, unsigned char **keep);

#endif
