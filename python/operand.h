/* operand.h - one argument of a kld call, read in place: a buffer-protocol object (numpy, any
 * exporter of float32/float64/float16) or a __dlpack__ tensor (torch CPU tensors, bfloat16
 * included), seen as rows x n elements with a row stride. Never a copy. */
#ifndef KLD_PY_OPERAND_H
#define KLD_PY_OPERAND_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlpack/dlpack.h>
#include <stddef.h>

typedef enum { DTYPE_F32, DTYPE_F64, DTYPE_F16, DTYPE_BF16, DTYPE_COUNT } kld_py_dtype;

/* The element type names the error messages use (numpy's, and torch's "bfloat16"). */
extern const char *const kld_py_dtype_names[DTYPE_COUNT];

typedef struct operand {
    const void *data;    /* first element of row 0 */
    kld_py_dtype dtype;
    int ndim;            /* 1 or 2 */
    Py_ssize_t shape[2]; /* shape[0] is the only extent when ndim == 1 */
    size_t rows, n, ld;  /* ld: elements from one row's start to the next (ld >= n) */
    Py_buffer view;      /* held while view.obj is set (buffer protocol) */
    DLManagedTensor *managed; /* held while set (DLPack): its deleter runs on release */
} operand;

/* operand_get() : reads obj (called name in messages) in place into *op. @return 0, the
 * exporter then held until operand_release(); or -1 with a Python exception set (TypeError for
 * an unsupported type or dtype; ValueError for a shape, stride, alignment or device kld cannot
 * read in place) and nothing held. */
int operand_get(PyObject *obj, const char *name, operand *op);

/* operand_release() : lets go of the exporter (PyBuffer_Release, or the DLPack deleter). Safe on
 * an operand that operand_get() failed on or already released. */
void operand_release(operand *op);

/* operand_shape_str() : the shape as Python prints it, "(3,)" or "(2, 5)": a new reference. */
PyObject *operand_shape_str(const operand *op);

/* operand_dtype_str() : obj's dtype as its library names it (str(obj.dtype): numpy's "int64",
 * torch's "torch.int64"), else fallback: a new reference, or NULL with an exception set. */
PyObject *operand_dtype_str(PyObject *obj, const char *fallback);

#endif
