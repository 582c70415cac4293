/* npy.h - reads the header of a NumPy .npy file (format 1.0, 2.0, 3.0), treating it as untrusted. */
#ifndef KLDIV_NPY_H
#define KLDIV_NPY_H

#include <stdint.h>
#include <stdio.h>

/* The element types of kldiv's inputs. NPY_I32 and NPY_I64 come only from .npy files (--targets);
 * NPY_BF16 only from safetensors; NPY_LLAMA_Q16 is a llama.cpp _logits_ row (llama_logits.h). */
typedef enum { NPY_F16, NPY_F32, NPY_F64, NPY_BF16, NPY_I32, NPY_I64, NPY_LLAMA_Q16 } npy_dtype;

typedef struct {
    npy_dtype dtype;
    int itemsize;         /* 2, 4 or 8 */
    uint64_t rows, cols;  /* (rows, cols); a 1-d shape (n,) is one row */
    uint64_t data_offset; /* where the C-order little-endian data starts */
    char descr[17];       /* the header's 'descr' (its first 16 bytes), once it is read */
    int unsupported;      /* the header failed only on its dtype: the caller names what it needs */
} npy_info;

/* Parses the header at the start of f. On failure returns -1 and writes a one-line reason
 * (without the file name) to err. The header is bounded (at most 10000 bytes, numpy's own
 * limit) and parsed as the
 * Python literal numpy writes (a dict of exactly 'descr', 'fortran_order' and 'shape'; the last
 * of duplicate keys wins, as in numpy); every number is checked for overflow, and only
 * little-endian float16/32/64 or int32/64 in C order with 1 or 2 dimensions is accepted. */
int npy_read_header(FILE *f, npy_info *info, char *err, size_t errlen);

/* The same after the caller has read the first 10 bytes (magic, version, 2 length bytes) into
 * pre and checked the magic. */
int npy_read_header_after_magic(FILE *f, const unsigned char pre[10], npy_info *info, char *err,
                                size_t errlen);

/* Parses a header already in memory (the part after the magic, version and length fields) of
 * format version major (1, 2 or 3). */
int npy_parse_dict(const char *dict, size_t len, int major, npy_info *info, char *err,
                   size_t errlen);

#endif
