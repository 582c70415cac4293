/* operand.c - reads one argument: the buffer protocol first (numpy, array, memoryview), then
 * __dlpack__ (torch CPU tensors, bfloat16 included); in place when its vocabulary axis is
 * contiguous and aligned, else gathered by its users, a block of vectors at a time, into
 * contiguous copies of the same dtype (never widened). Every check names the argument and the
 * problem. */
#include "operand.h"

#include <stdint.h>

const char *const kld_py_dtype_names[DTYPE_COUNT] = {"float32", "float64", "float16", "bfloat16"};
const Py_ssize_t kld_py_itemsizes[DTYPE_COUNT] = {4, 8, 2, 2};

#define ACCEPTED "kld reads float32, float64, float16 and bfloat16"

PyObject *operand_dtype_str(PyObject *obj, const char *fallback)
{
    PyObject *dtype = PyObject_GetAttrString(obj, "dtype");
    if (!dtype) {
        PyErr_Clear();
        return PyUnicode_FromString(fallback);
    }
    PyObject *s = PyObject_Str(dtype);
    Py_DECREF(dtype);
    return s;
}

static int dtype_error(PyObject *obj, const char *name, const char *fallback)
{
    PyObject *s = operand_dtype_str(obj, fallback);
    if (s) {
        PyErr_Format(PyExc_TypeError, "kld: %s has dtype %U; " ACCEPTED, name, s);
        Py_DECREF(s);
    }
    return -1;
}

/* Whether the vocabulary can be read where it lies: contiguous, aligned, and every vector at a
 * whole number of elements from the first (strides in bytes). */
static int in_place(const operand *op, const Py_ssize_t *strides, int axis, uintptr_t data)
{
    Py_ssize_t item = kld_py_itemsizes[op->dtype];
    if (op->rows == 0 || op->n == 0)
        return 1; /* nothing is read */
    if ((op->n > 1 && strides[axis] != item) || data % (uintptr_t)item)
        return 0;
    for (int i = 0; i < op->ndim; i++)
        if (i != axis && op->shape[i] > 1 && strides[i] % item)
            return 0;
    return 1;
}

/* Copies element i of each of count vectors (starts from[k], vocabulary stride vs bytes) into
 * to + k*n + i, for every i, in runs of GATHER_RUN elements per vector: with a tile of vectors
 * whose elements lie closer together than a vector's (a transposed input) the source is read
 * a cache line at a time across the tile while each copy fills its own lines; otherwise
 * (count 1: a sliced vocabulary) one vector after the other. Elements are copied by their size,
 * unaligned. */
#define GATHER_TILE 32
#define GATHER_RUN 16
#define GATHER_AS(T)                                                                           \
    for (size_t i0 = 0; i0 < n; i0 += GATHER_RUN)                                              \
        for (size_t k = 0; k < count; k++)                                                     \
            for (size_t i = i0; i < n && i < i0 + GATHER_RUN; i++)                             \
                memcpy((T *)(void *)to + k * n + i, from[k] + (Py_ssize_t)i * vs, sizeof(T));
static void gather_tile(char *to, const char *const *from, size_t count, size_t n,
                        Py_ssize_t vs, size_t item)
{
    switch (item) {
    case 2:
        GATHER_AS(uint16_t)
        break;
    case 4:
        GATHER_AS(uint32_t)
        break;
    default:
        GATHER_AS(uint64_t)
    }
}

void operand_gather(const operand *op, size_t r0, size_t count, void *to)
{
    size_t item = (size_t)kld_py_itemsizes[op->dtype], width = 1, r = r0, tiled = 0;
    Py_ssize_t index[KLD_PY_MAXDIM], vs = op->vstride, avs = vs < 0 ? -vs : vs;
    const char *row = op->data, *tile[GATHER_TILE];
    for (int d = op->lead_ndim - 1; d >= 0; d--) { /* vector r0's position */
        index[d] = (Py_ssize_t)(r % (size_t)op->lead_shape[d]);
        r /= (size_t)op->lead_shape[d];
        row += index[d] * op->lead_strides[d];
        Py_ssize_t s = op->lead_strides[d] < 0 ? -op->lead_strides[d] : op->lead_strides[d];
        if (op->lead_shape[d] > 1 && s < avs) /* one vector at a time when its elements are */
            width = GATHER_TILE;              /* the closer */
    }
    for (size_t done = 0; done < count; done++) {
        tile[tiled++] = row;
        if (tiled == width || done + 1 == count) {
            gather_tile(to, tile, tiled, op->n, vs, item);
            to = (char *)to + tiled * op->n * item;
            tiled = 0;
        }
        for (int d = op->lead_ndim - 1; d >= 0; d--) { /* the next vector, C order */
            row += op->lead_strides[d];
            if (++index[d] < op->lead_shape[d])
                break;
            row -= op->lead_strides[d] * op->lead_shape[d];
            index[d] = 0;
        }
    }
}

/* The vectors along axis from a layout given in bytes: in place, or strided (operand_gather). */
static int set_layout(operand *op, const char *name, int ndim, const Py_ssize_t *shape,
                      const Py_ssize_t *strides, const void *data, int axis)
{
    if (ndim < 1 || ndim > KLD_PY_MAXDIM) {
        PyErr_Format(PyExc_ValueError,
                     "kld: %s has %d dimensions; kld takes vectors (n,) or any stack of them "
                     "(..., n), up to %d dimensions",
                     name, ndim, KLD_PY_MAXDIM);
        return -1;
    }
    if (axis < -ndim || axis >= ndim) {
        PyErr_Format(PyExc_ValueError, "kld: axis %d is out of bounds for %s of %d dimensions",
                     axis, name, ndim);
        return -1;
    }
    axis = axis < 0 ? axis + ndim : axis;
    op->ndim = ndim;
    op->lead_ndim = ndim - 1;
    op->rows = 1;
    size_t elements = 1;
    for (int i = 0, k = 0; i < ndim; i++) {
        op->shape[i] = shape[i];
        if (shape[i] && elements > (size_t)PY_SSIZE_T_MAX / (size_t)shape[i]) {
            PyErr_Format(PyExc_ValueError, "kld: %s has more than 2^63 elements", name);
            return -1;
        }
        elements *= (size_t)shape[i];
        if (i == axis)
            continue;
        op->lead_shape[k] = shape[i];
        op->lead_strides[k++] = strides[i];
        op->rows *= (size_t)shape[i];
    }
    op->n = (size_t)shape[axis];
    op->vstride = strides[axis];
    op->data = data;
    op->strided = !in_place(op, strides, axis, (uintptr_t)data);
    return 0;
}

/* The struct-module format of a native little-endian float32, float64 or float16. */
static int format_dtype(const char *format, kld_py_dtype *dtype)
{
    if (!format)
        format = "B";
    if (*format == '@' || *format == '=' || (*format == '<' && PY_LITTLE_ENDIAN))
        format++;
    if (format[0] && !format[1]) {
        const char *at = strchr("fde", format[0]);
        if (at) {
            *dtype = (kld_py_dtype)(at - "fde");
            return 0;
        }
    }
    return -1;
}

static int get_buffer(PyObject *obj, const char *name, int axis, operand *op)
{
    if (PyObject_GetBuffer(obj, &op->view, PyBUF_RECORDS_RO) < 0)
        return -1;
    char fallback[64];
    if (format_dtype(op->view.format, &op->dtype) < 0 ||
        op->view.itemsize != kld_py_itemsizes[op->dtype]) {
        PyOS_snprintf(fallback, sizeof fallback, "of struct format '%.20s'",
                      op->view.format ? op->view.format : "B");
        return dtype_error(obj, name, fallback);
    }
    int ndim = op->view.ndim;
    if (ndim < 1 || ndim > KLD_PY_MAXDIM)
        return set_layout(op, name, ndim, NULL, NULL, NULL, axis);
    const Py_ssize_t *strides = op->view.strides, *shape = op->view.shape;
    Py_ssize_t c_order[KLD_PY_MAXDIM];
    if (!strides) { /* the protocol's C-contiguous (ctypes arrays leave strides NULL) */
        c_order[ndim - 1] = op->view.itemsize;
        for (int i = ndim - 2; i >= 0; i--)
            c_order[i] = c_order[i + 1] * shape[i + 1];
        strides = c_order;
    }
    return set_layout(op, name, ndim, shape, strides, op->view.buf, axis);
}

static const char *device_name(int type)
{
    static const char *const names[] = {
        [1] = "cpu",   [2] = "cuda",      [3] = "cuda_host",     [4] = "opencl",
        [7] = "vulkan", [8] = "metal",    [9] = "vpi",           [10] = "rocm",
        [11] = "rocm_host", [12] = "ext_dev", [13] = "cuda_managed", [14] = "oneapi",
        [15] = "webgpu", [16] = "hexagon"};
    int known = type >= 0 && type < (int)(sizeof names / sizeof names[0]) && names[type];
    return known ? names[type] : "an unknown device";
}

static int device_error(const char *name, int type, long id)
{
    PyErr_Format(PyExc_ValueError,
                 "kld: %s is on device %s:%ld; kld reads CPU memory only (move it with .cpu())",
                 name, device_name(type), id);
    return -1;
}

/* __dlpack_device__() first, so that a GPU tensor is refused before it is exported. */
static int check_dlpack_device(PyObject *obj, const char *name)
{
    PyObject *dev = PyObject_CallMethod(obj, "__dlpack_device__", NULL);
    if (!dev) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear(); /* checked on the exported tensor instead */
        return 0;
    }
    int type = 0;
    long id = 0;
    int ok = PyTuple_Check(dev) &&
             PyArg_ParseTuple(dev, "il;__dlpack_device__() must return (type, id)", &type, &id);
    if (!ok && !PyErr_Occurred())
        PyErr_Format(PyExc_TypeError, "kld: %s.__dlpack_device__() must return a tuple "
                                      "(type, id), not %s", name, Py_TYPE(dev)->tp_name);
    Py_DECREF(dev);
    if (!ok)
        return -1;
    return type == kDLCPU ? 0 : device_error(name, type, id);
}

static int dlpack_dtype(DLDataType t, kld_py_dtype *dtype)
{
    if (t.lanes != 1)
        return -1;
    if (t.code == kDLFloat && (t.bits == 32 || t.bits == 64 || t.bits == 16)) {
        *dtype = t.bits == 32 ? DTYPE_F32 : t.bits == 64 ? DTYPE_F64 : DTYPE_F16;
        return 0;
    }
    if (t.code == kDLBfloat && t.bits == 16) {
        *dtype = DTYPE_BF16;
        return 0;
    }
    return -1;
}

/* Takes the tensor out of its capsule (renamed "used_dltensor", as the protocol asks), so that
 * operand_release() owns it and runs its deleter. */
static int take_dlpack(PyObject *obj, const char *name, operand *op)
{
    PyObject *capsule = PyObject_CallMethod(obj, "__dlpack__", NULL);
    if (!capsule)
        return -1;
    DLManagedTensor *managed = PyCapsule_IsValid(capsule, "dltensor")
                                   ? PyCapsule_GetPointer(capsule, "dltensor") : NULL;
    if (!managed || PyCapsule_SetName(capsule, "used_dltensor") < 0) {
        Py_DECREF(capsule);
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "kld: %s.__dlpack__() did not return a DLPack "
                                          "capsule", name);
        return -1;
    }
    Py_DECREF(capsule);
    op->managed = managed;
    return 0;
}

/* torch exports a view with its lazy negation bit set (x._neg_view(), conj of a real view) as
 * the un-negated data: refuse it rather than read the wrong sign. */
static int check_not_negated(PyObject *obj, const char *name)
{
    if (!PyObject_HasAttrString(obj, "is_neg"))
        return 0;
    PyObject *neg = PyObject_CallMethod(obj, "is_neg", NULL);
    if (!neg)
        return -1;
    int yes = PyObject_IsTrue(neg);
    Py_DECREF(neg);
    if (yes > 0)
        PyErr_Format(PyExc_ValueError, "kld: %s is a negated view (its negation is lazy and "
                                       "DLPack would export the data without it): pass "
                                       "x.resolve_neg()", name);
    return yes ? -1 : 0;
}

static int get_dlpack(PyObject *obj, const char *name, int axis, operand *op)
{
    if (check_dlpack_device(obj, name) < 0 || check_not_negated(obj, name) < 0 ||
        take_dlpack(obj, name, op) < 0)
        return -1;
    const DLTensor *t = &op->managed->dl_tensor;
    if (t->device.device_type != kDLCPU)
        return device_error(name, (int)t->device.device_type, t->device.device_id);
    if (dlpack_dtype(t->dtype, &op->dtype) < 0) {
        static const char *const codes[] = {"int", "uint", "float", "opaque", "bfloat",
                                            "complex", "bool"};
        char fallback[64];
        PyOS_snprintf(fallback, sizeof fallback, "%s%u (%u lanes)",
                      t->dtype.code < 7 ? codes[t->dtype.code] : "code?",
                      (unsigned)t->dtype.bits, (unsigned)t->dtype.lanes);
        return dtype_error(obj, name, fallback);
    }
    if (t->ndim < 1 || t->ndim > KLD_PY_MAXDIM)
        return set_layout(op, name, t->ndim, NULL, NULL, NULL, axis);
    Py_ssize_t item = kld_py_itemsizes[op->dtype], shape[KLD_PY_MAXDIM], strides[KLD_PY_MAXDIM];
    int64_t contiguous = 1; /* DLPack's NULL strides: C order */
    for (int i = t->ndim - 1; i >= 0; i--) {
        int64_t s = t->strides ? t->strides[i] : contiguous;
        if (t->shape[i] < 0 || t->shape[i] > PY_SSIZE_T_MAX || s > PY_SSIZE_T_MAX / item ||
            s < -PY_SSIZE_T_MAX / item) {
            PyErr_Format(PyExc_ValueError, "kld: %s's DLPack shape or strides are out of range",
                         name);
            return -1;
        }
        shape[i] = (Py_ssize_t)t->shape[i];
        strides[i] = (Py_ssize_t)s * item;
        contiguous = t->shape[i] && contiguous <= PY_SSIZE_T_MAX / t->shape[i]
                         ? contiguous * t->shape[i] : contiguous;
    }
    return set_layout(op, name, t->ndim, shape, strides, (const char *)t->data + t->byte_offset,
                      axis);
}

static int get(PyObject *obj, const char *name, int axis, operand *op)
{
    if (PyObject_CheckBuffer(obj))
        return get_buffer(obj, name, axis, op);
    if (PyObject_HasAttrString(obj, "__dlpack__"))
        return get_dlpack(obj, name, axis, op);
    PyErr_Format(PyExc_TypeError,
                 "kld: %s is a %s, not an array: kld reads numpy arrays, buffer-protocol objects "
                 "and __dlpack__ tensors (numpy.asarray(x, "
                 "dtype=numpy.float32) makes one)",
                 name, Py_TYPE(obj)->tp_name);
    return -1;
}

int operand_get(PyObject *obj, const char *name, int axis, operand *op)
{
    op->view.obj = NULL; /* what operand_release() reads; set_layout() sets the rest */
    op->managed = NULL;
    if (get(obj, name, axis, op) == 0)
        return 0;
    operand_release(op);
    return -1;
}

void operand_release(operand *op)
{
    if (op->view.obj)
        PyBuffer_Release(&op->view);
    if (op->managed) {
        DLManagedTensor *m = op->managed;
        op->managed = NULL;
        if (m->deleter) { /* a deleter may run Python code: not with kld's error pending */
            PyObject *type, *value, *traceback;
            PyErr_Fetch(&type, &value, &traceback);
            m->deleter(m);
            PyErr_Restore(type, value, traceback);
        }
    }
}

int aux_buffer(PyObject *obj, const char *name, int flags, Py_buffer *view)
{
    if (!PyObject_CheckBuffer(obj) && PyObject_HasAttrString(obj, "numpy")) {
        PyObject *array = PyObject_CallMethod(obj, "numpy", NULL);
        int status = array ? PyObject_GetBuffer(array, view, flags) : -1;
        Py_XDECREF(array); /* the view holds it */
        return status;
    }
    if (!PyObject_CheckBuffer(obj)) {
        PyErr_Format(PyExc_TypeError, "kld: %s is a %s, not an array (a numpy array or a torch "
                                      "CPU tensor)", name, Py_TYPE(obj)->tp_name);
        return -1;
    }
    return PyObject_GetBuffer(obj, view, flags);
}

const void *operand_row(const operand *op, size_t r)
{
    ptrdiff_t at = 0;
    for (int d = op->lead_ndim - 1; d >= 0; d--) {
        size_t extent = (size_t)op->lead_shape[d];
        at += (ptrdiff_t)(r % extent) * op->lead_strides[d];
        r /= extent;
    }
    return (const char *)op->data + at;
}

PyObject *shape_tuple(int ndim, const Py_ssize_t *shape)
{
    PyObject *t = PyTuple_New(ndim);
    for (int i = 0; t && i < ndim; i++) {
        PyObject *v = PyLong_FromSsize_t(shape[i]);
        if (!v) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, i, v);
    }
    return t;
}

PyObject *shape_str(int ndim, const Py_ssize_t *shape)
{
    PyObject *t = shape_tuple(ndim, shape);
    PyObject *s = t ? PyObject_Repr(t) : NULL;
    Py_XDECREF(t);
    return s;
}

int operand_overlaps(const operand *op, const void *lo, size_t bytes)
{
    if (op->rows == 0 || op->n == 0 || bytes == 0)
        return 0;
    /* the lowest and highest element: each axis at its first or last index, by its sign */
    intptr_t first = (intptr_t)op->data, last = first;
    Py_ssize_t v = (Py_ssize_t)(op->n - 1) * op->vstride;
    *(v < 0 ? &first : &last) += v;
    for (int d = 0; d < op->lead_ndim; d++) {
        Py_ssize_t s = (op->lead_shape[d] - 1) * op->lead_strides[d];
        *(s < 0 ? &first : &last) += s;
    }
    last += kld_py_itemsizes[op->dtype];
    intptr_t from = (intptr_t)lo, to = from + (intptr_t)bytes;
    return first < to && from < last;
}
