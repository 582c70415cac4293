/* operand.h - one array argument of a kld call: a buffer-protocol object (numpy, any exporter of
 * float32/float64/float16) or a __dlpack__ tensor (torch CPU tensors, bfloat16 included), of any
 * number of dimensions, seen as vectors of n elements along one axis (the vocabulary, by
 * default the last) indexed by the other axes, the leading shape. Read in place when the
 * vocabulary axis is contiguous and the data aligned, whatever the leading strides; otherwise
 * (strided) gathered by the caller, block by block, into contiguous scratch (operand_gather). */
#ifndef KLD_PY_OPERAND_H
#define KLD_PY_OPERAND_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlpack/dlpack.h>
#include <stddef.h>

typedef enum { DTYPE_F32, DTYPE_F64, DTYPE_F16, DTYPE_BF16, DTYPE_COUNT } kld_py_dtype;

/* The element type names the error messages use (numpy's, and torch's "bfloat16"). */
extern const char *const kld_py_dtype_names[DTYPE_COUNT];
extern const Py_ssize_t kld_py_itemsizes[DTYPE_COUNT];

#define KLD_PY_MAXDIM 64 /* numpy's limit is 32 (64 from numpy 2) */

typedef struct operand {
    const void *data;    /* the first element of the first vector */
    kld_py_dtype dtype;
    int ndim;            /* the input's dimensions (>= 1), vocabulary axis included */
    Py_ssize_t shape[KLD_PY_MAXDIM]; /* the input's shape, for messages */
    int lead_ndim;       /* ndim - 1: the leading axes, in order, without the vocabulary */
    Py_ssize_t lead_shape[KLD_PY_MAXDIM];
    Py_ssize_t lead_strides[KLD_PY_MAXDIM]; /* in bytes; any sign, 0 included */
    size_t n;            /* the vocabulary: elements of each vector */
    Py_ssize_t vstride;  /* bytes from one element of a vector to the next */
    size_t rows;         /* the vectors: the product of lead_shape (1 for a vector) */
    int strided;         /* the vectors are not contiguous and aligned: read through
                          * operand_gather(); else each lies at operand_row(), contiguous, and
                          * every lead stride is a whole number of elements */
    Py_buffer view;      /* held while view.obj is set (buffer protocol) */
    DLManagedTensor *managed; /* held while set (DLPack): its deleter runs on release */
} operand;

/* operand_get() : reads obj (called name in messages) into *op, with the vocabulary on axis
 * (negative counts from the end, as numpy's). @return 0, the exporter then held until
 * operand_release(); or -1 with a Python exception set (TypeError for an unsupported type or
 * dtype; ValueError for a 0-d input, an axis out of range, or a device kld cannot read) and
 * nothing held. */
int operand_get(PyObject *obj, const char *name, int axis, operand *op);

/* operand_release() : lets go of the exporter (PyBuffer_Release, or the DLPack deleter). Safe on
 * an operand that operand_get() failed on or already released. */
void operand_release(operand *op);

/* operand_overlaps() : whether any byte of op's elements lies in [lo, lo + bytes) (by the span
 * from its lowest to its highest element, so a strided operand counts its gaps). */
int operand_overlaps(const operand *op, const void *lo, size_t bytes);

/* aux_buffer() : a buffer of obj with flags (PyBUF_*), or of obj.numpy() when obj has no buffer
 * but that method (torch tensors: the same memory). @return 0, or -1 with an exception set. */
int aux_buffer(PyObject *obj, const char *name, int flags, Py_buffer *view);

/* operand_row() : the first element of vector r (0 <= r < rows; C order of the leading axes). */
const void *operand_row(const operand *op, size_t r);

/* operand_gather() : copies vectors r0 .. r0 + count - 1 (C order) of a strided operand into
 * to, contiguous (count x n elements), tiled so that a transposed input is read a cache line
 * at a time. Touches no Python object: callable without the GIL. */
void operand_gather(const operand *op, size_t r0, size_t count, void *to);

/* shape_tuple() : a shape as a tuple of ints: a new reference. */
PyObject *shape_tuple(int ndim, const Py_ssize_t *shape);

/* shape_str() : a shape as Python prints it, "(3,)", "()" or "(2, 5)": a new reference. */
PyObject *shape_str(int ndim, const Py_ssize_t *shape);

/* operand_dtype_str() : obj's dtype as its library names it (str(obj.dtype): numpy's "int64",
 * torch's "torch.int64"), else fallback: a new reference, or NULL with an exception set. */
PyObject *operand_dtype_str(PyObject *obj, const char *fallback);

#endif
