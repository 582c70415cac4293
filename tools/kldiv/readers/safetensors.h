/* safetensors.h - parses the header of a safetensors file (u64 little-endian header length, a
 * JSON object, raw data) held in memory, treating it as untrusted: a real JSON tokenizer with a
 * size cap, every number overflow-checked, every tensor's offsets in range and not overlapping
 * another's, and each tensor's shape x item size equal to its byte length. __metadata__ is
 * checked as JSON and otherwise ignored. */
#ifndef KLDIV_SAFETENSORS_H
#define KLDIV_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "npy.h"

#define ST_MAX_HEADER ((uint64_t)100 * 1000 * 1000) /* the safetensors format's own limit */
#define ST_MAX_DIMS 8
#define ST_MAX_TENSORS 65536 /* kldiv's own limit: a header of 100 MB could list ~1.8 million */

typedef struct {
    char *name;           /* decoded, NUL-terminated */
    char dtype[16];       /* as the header spells it: "F32", "BF16", ... */
    int itemsize;         /* bytes per element; 0 for a dtype kldiv does not know */
    int ndim;
    uint64_t shape[ST_MAX_DIMS];
    uint64_t begin, end;  /* data_offsets, relative to the start of the data */
} st_tensor;

typedef struct {
    st_tensor *t;
    size_t count;
    uint64_t data_start;  /* 8 + header length: where the data starts in the file */
} st_header;

/* Parses the first size bytes of a file (all of it, or at least its header). On failure returns
 * -1 and writes a one-line reason, with the byte offset where one applies, to err. */
int st_parse(const unsigned char *file, uint64_t size, st_header *h, char *err, size_t errlen);

/* Picks the tensor named key, or (key NULL) the only tensor that is 2-D once leading dimensions
 * of 1 beyond two are dropped, else the only 3-D one, else the file's only tensor when it is 1-D,
 * and reads it as st_rows_of does. Returns its index, or -1 with a reason (listing the keys) in
 * err. */
long st_pick(const st_header *h, const char *key, npy_dtype *dtype, uint64_t *rows,
             uint64_t *vocab, uint64_t *seq, char *err, size_t errlen);

/* Reads tensor t's shape as rows x vocab: (rows, vocab); (rows, seq, vocab), rows x seq rows
 * one position of text after another (exllamav3's layout); (vocab,), one row; leading
 * dimensions of 1 beyond two dropped. *seq gets the positions a row of text has where the shape
 * tells them (3 or more dimensions), else 0. Its dtype must be F32, F16, BF16 or F64. 0, or -1
 * with a reason in err. */
int st_rows_of(const st_tensor *t, npy_dtype *dtype, uint64_t *rows, uint64_t *vocab,
               uint64_t *seq, char *err, size_t errlen);

/* exllamav3's list of tensors in one file: when every tensor is named tensor.N (N decimal
 * without leading zeros), and they are tensor.0 ... tensor.(count-1), writes to order[n] (room
 * for h->count) the index of tensor.n and returns count: numeric order, tensor.10 after tensor.9.
 * Returns 0 when the file is not such a list (no tensors, or another name), -1 with a reason in
 * err for a list with a gap. */
long st_list(const st_header *h, size_t *order, char *err, size_t errlen);

void st_free(st_header *h);

#endif /* KLDIV_SAFETENSORS_H */
