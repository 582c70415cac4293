/* operand.c - reads one argument in place: the buffer protocol first (numpy, array, memoryview),
 * then __dlpack__ (torch CPU tensors, bfloat16 included). Every check names the argument and
 * the problem; nothing is ever copied or widened. */
#include "operand.h"

#include <stdint.h>

const char *const kld_py_dtype_names[DTYPE_COUNT] = {"float32", "float64", "float16", "bfloat16"};
static const Py_ssize_t itemsizes[DTYPE_COUNT] = {4, 8, 2, 2};

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

/* Rows, n and the row stride from a 1-D or 2-D layout given in bytes. */
static int set_layout(operand *op, const char *name, int ndim, const Py_ssize_t *shape,
                      const Py_ssize_t *strides, const void *data)
{
    Py_ssize_t item = itemsizes[op->dtype];
    if (ndim < 1 || ndim > 2) {
        PyErr_Format(PyExc_ValueError,
                     "kld: %s has %d dimensions; kld takes a vector (n,) or rows (rows, n)",
                     name, ndim);
        return -1;
    }
    op->ndim = ndim;
    op->shape[0] = shape[0];
    op->shape[1] = ndim == 2 ? shape[1] : 0;
    op->n = (size_t)shape[ndim - 1];
    op->rows = ndim == 2 ? (size_t)shape[0] : 1;
    op->ld = op->n;
    op->data = data;
    if (op->n > 1 && strides[ndim - 1] != item) {
        PyErr_Format(PyExc_ValueError,
                     "kld: %s's last axis is not contiguous (stride %zd bytes, elements of %zd); "
                     "kld reads rows in place and never copies: pass a C-contiguous array "
                     "(numpy.ascontiguousarray, tensor.contiguous())",
                     name, strides[ndim - 1], item);
        return -1;
    }
    if (ndim == 2 && op->rows > 1) {
        Py_ssize_t stride = strides[0];
        if (stride < 0 || stride % item || (size_t)(stride / item) < op->n) {
            PyErr_Format(PyExc_ValueError,
                         "kld: %s's rows are %zd bytes apart, for rows of %zu elements of %zd "
                         "bytes; kld needs rows in increasing order that do not overlap",
                         name, stride, op->n, item);
            return -1;
        }
        op->ld = (size_t)(stride / item);
    }
    if (op->n && op->rows && (uintptr_t)data % (uintptr_t)item) {
        PyErr_Format(PyExc_ValueError, "kld: %s's data is not aligned to its %zd-byte elements",
                     name, item);
        return -1;
    }
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

static int get_buffer(PyObject *obj, const char *name, operand *op)
{
    if (PyObject_GetBuffer(obj, &op->view, PyBUF_RECORDS_RO) < 0)
        return -1;
    char fallback[64];
    if (format_dtype(op->view.format, &op->dtype) < 0 ||
        op->view.itemsize != itemsizes[op->dtype]) {
        PyOS_snprintf(fallback, sizeof fallback, "of struct format '%.20s'",
                      op->view.format ? op->view.format : "B");
        return dtype_error(obj, name, fallback);
    }
    if (op->view.ndim < 1 || op->view.ndim > 2)
        return set_layout(op, name, op->view.ndim, NULL, NULL, NULL);
    const Py_ssize_t *strides = op->view.strides, *shape = op->view.shape;
    Py_ssize_t c_order[2];
    if (!strides) { /* the protocol's C-contiguous (ctypes arrays leave strides NULL) */
        c_order[op->view.ndim - 1] = op->view.itemsize;
        c_order[0] = op->view.ndim == 2 ? shape[1] * op->view.itemsize : op->view.itemsize;
        strides = c_order;
    }
    return set_layout(op, name, op->view.ndim, shape, strides, op->view.buf);
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

static int get_dlpack(PyObject *obj, const char *name, operand *op)
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
    if (t->ndim < 1 || t->ndim > 2)
        return set_layout(op, name, t->ndim, NULL, NULL, NULL);
    Py_ssize_t item = itemsizes[op->dtype], shape[2], strides[2];
    for (int i = 0; i < t->ndim; i++) {
        int64_t s = t->strides ? t->strides[i] : (i + 1 < t->ndim ? t->shape[i + 1] : 1);
        if (t->shape[i] < 0 || t->shape[i] > PY_SSIZE_T_MAX || s > PY_SSIZE_T_MAX / item ||
            s < -PY_SSIZE_T_MAX / item) {
            PyErr_Format(PyExc_ValueError, "kld: %s's DLPack shape or strides are out of range",
                         name);
            return -1;
        }
        shape[i] = (Py_ssize_t)t->shape[i];
        strides[i] = (Py_ssize_t)s * item;
    }
    return set_layout(op, name, t->ndim, shape, strides, (const char *)t->data + t->byte_offset);
}

static int get(PyObject *obj, const char *name, operand *op)
{
    if (PyObject_CheckBuffer(obj))
        return get_buffer(obj, name, op);
    if (PyObject_HasAttrString(obj, "__dlpack__"))
        return get_dlpack(obj, name, op);
    PyErr_Format(PyExc_TypeError,
                 "kld: %s is a %s, not an array: kld reads numpy arrays, buffer-protocol objects "
                 "and __dlpack__ tensors in place, without copies (numpy.asarray(x, "
                 "dtype=numpy.float32) makes one)",
                 name, Py_TYPE(obj)->tp_name);
    return -1;
}

int operand_get(PyObject *obj, const char *name, operand *op)
{
    memset(op, 0, sizeof *op);
    if (get(obj, name, op) == 0)
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

PyObject *operand_shape_str(const operand *op)
{
    if (op->ndim == 2)
        return PyUnicode_FromFormat("(%zd, %zd)", op->shape[0], op->shape[1]);
    return PyUnicode_FromFormat("(%zd,)", op->shape[0]);
}
