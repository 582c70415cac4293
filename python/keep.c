/* keep.c - mask= and labels= read into one keep byte per vector: any integer or boolean dtype,
 * any strides (a few bytes per vector, read once, with the GIL held). */
#include "keep.h"

#include <stdint.h>

/* An integer or bool struct format: its size and signedness, or 0. */
static int int_format(const char *format, int *is_signed)
{
    if (!format)
        format = "B";
    if (*format == '@' || *format == '=' || (*format == '<' && PY_LITTLE_ENDIAN))
        format++;
    if (!format[0] || format[1])
        return 0;
    const char *kinds = "?bBhHiIlLqQnN";
    const char *at = strchr(kinds, format[0]);
    if (!at)
        return 0;
    *is_signed = format[0] != '?' && (at - kinds) % 2 == 1;
    switch (format[0]) {
    case '?': case 'b': case 'B': return 1;
    case 'h': case 'H': return 2;
    case 'i': case 'I': return 4;
    case 'l': case 'L': return (int)sizeof(long);
    case 'n': case 'N': return (int)sizeof(size_t);
    default: return 8;
    }
}

/* One element as a signed value (memcpy: a strided view may be unaligned); an unsigned one
 * beyond INT64_MAX as INT64_MAX (no int64 ignore_index can equal it; a mask only asks != 0). */
static long long element(const char *at, int size, int is_signed)
{
    union { int8_t i8; uint8_t u8; int16_t i16; uint16_t u16; int32_t i32; uint32_t u32;
            int64_t i64; uint64_t u64; } v;
    memcpy(&v, at, (size_t)size);
    switch (size) {
    case 1: return is_signed ? v.i8 : v.u8;
    case 2: return is_signed ? v.i16 : v.u16;
    case 4: return is_signed ? (long long)v.i32 : (long long)v.u32;
    default: return is_signed ? v.i64 : v.u64 > INT64_MAX ? INT64_MAX : (long long)v.u64;
    }
}

static int shape_error(const char *name, const Py_buffer *view, const operand *lead)
{
    PyObject *got = shape_str(view->ndim, view->shape);
    PyObject *want = got ? shape_str(lead->lead_ndim, lead->lead_shape) : NULL;
    if (want)
        PyErr_Format(PyExc_ValueError, "kld: %s has shape %U; it needs the inputs' leading shape "
                     "%U (one value per vector: the inputs' shape without the vocabulary axis)",
                     name, got, want);
    Py_XDECREF(got);
    Py_XDECREF(want);
    return -1;
}

Py_ssize_t keep_rows(PyObject *mask, PyObject *labels, long long ignore_index,
                     const operand *lead, unsigned char **keep)
{
    *keep = NULL;
    if (!mask && !labels)
        return (Py_ssize_t)lead->rows;
    const char *name = mask ? "mask" : "labels";
    Py_buffer view;
    if (aux_buffer(mask ? mask : labels, name, PyBUF_RECORDS_RO, &view) < 0)
        return -1;
    int is_signed = 0, size = int_format(view.format, &is_signed);
    Py_ssize_t kept = -1;
    if (!size || size != view.itemsize || (labels && view.format && strchr(view.format, '?'))) {
        PyObject *s = operand_dtype_str(mask ? mask : labels, view.format ? view.format : "B");
        if (s)
            PyErr_Format(PyExc_TypeError, "kld: %s has dtype %U; it needs %s", name, s,
                         mask ? "booleans (or integers: nonzero keeps the vector)"
                              : "integers (token ids)");
        Py_XDECREF(s);
        goto done;
    }
    int same = view.ndim == lead->lead_ndim;
    for (int d = 0; same && d < view.ndim; d++)
        same = view.shape[d] == lead->lead_shape[d];
    if (!same) {
        shape_error(name, &view, lead);
        goto done;
    }
    *keep = PyMem_Malloc(lead->rows ? lead->rows : 1);
    if (!*keep) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t index[KLD_PY_MAXDIM] = {0};
    const char *at = view.buf;
    kept = 0;
    for (size_t r = 0; r < lead->rows; r++) {
        long long v = element(at, size, is_signed);
        (*keep)[r] = mask ? v != 0 : v != ignore_index;
        kept += (*keep)[r];
        for (int d = view.ndim - 1; d >= 0; d--) { /* C order; NULL strides: C-contiguous */
            Py_ssize_t stride = view.strides ? view.strides[d] : view.itemsize;
            if (!view.strides)
                for (int e = d + 1; e < view.ndim; e++)
                    stride *= view.shape[e];
            at += stride;
            if (++index[d] < view.shape[d])
                break;
            at -= stride * view.shape[d];
            index[d] = 0;
        }
    }
done:
    PyBuffer_Release(&view);
    return kept;
}
