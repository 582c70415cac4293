/* input.h - one of kldiv's inputs behind one small interface: opening it (a regular file, or a
 * pipe or FIFO read as a stream), recognising its format, checking its size against its header,
 * and streaming its rows as float (or double). Every size is overflow-checked; every problem is
 * one line on stderr naming the file. */
#ifndef KLDIV_INPUT_H
#define KLDIV_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "npy.h"

typedef struct {
    const char *path;
    FILE *f;
    npy_dtype dtype;
    int itemsize;
    int stream;              /* a pipe, FIFO or device: read once; its size is known at its end */
    uint64_t rows;           /* 0 while unknown (raw data from a stream) */
    uint64_t vocab;
    uint64_t rows_read;
    unsigned char peek[8];   /* bytes read to recognise the format that turned out to be data */
    size_t peeked;
    dev_t dev;
    ino_t ino;
} input;

/* Opens path as raw float32 rows of raw_vocab entries (raw_vocab > 0) or as an .npy file.
 * Returns 0, or -1 after printing why. */
int input_open(input *in, const char *path, uint64_t raw_vocab);

/* Reads up to max_rows rows into dst: in place when as is the input's own type, otherwise
 * converted to float (as must then be NPY_F32); raw is scratch space of max_rows * vocab *
 * itemsize bytes for the conversion.
 * Returns the number of rows read, 0 at the end of the data, or -1 after printing why
 * (a short read, trailing bytes after an .npy's data, a partial row at a stream's end). */
long long input_read(input *in, size_t max_rows, void *raw, npy_dtype as, void *dst);

/* IEEE binary16 bits to float, exactly. */
float input_half_to_float(uint16_t h);

void input_close(input *in);

/* "float16", "float32" or "float64". */
const char *input_dtype_name(npy_dtype d);

#endif /* KLDIV_INPUT_H */
