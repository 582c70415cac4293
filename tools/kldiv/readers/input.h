/* input.h - one of kldiv's inputs behind one small reader interface: opening it (a regular file,
 * a directory of per-row safetensors files, or a pipe or FIFO read as a stream), recognising its
 * format (.npy, raw float32, llama.cpp _logits_, safetensors), checking its size against its
 * header, and handing out its rows a run at a time: in place in the mapped file where they are
 * aligned, else copied into the caller's buffer. Consumed pages are dropped (input_release), so a
 * file of any size is read in bounded memory. Every size is overflow-checked; every problem is
 * one line on stderr naming the file. The readers of each format: npy.c, llama_logits.c,
 * safetensors.c over st_json.c (headers), input.c (.npy, raw, _logits_ rows), input_st.c
 * (safetensors), over input_file.c (errors, maps). */
#ifndef KLDIV_INPUT_H
#define KLDIV_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "llama_logits.h"
#include "npy.h"

typedef enum { INPUT_NPY, INPUT_RAW, INPUT_LLAMA, INPUT_SAFETENSORS, INPUT_ST_DIR } input_format;

/* One file of a directory of per-row safetensors files, or one tensor of a tensor.N list. */
typedef struct {
    char *path;
    uint64_t rows, data_start;
    char *key;               /* a list's: the tensor's name (else NULL: the input's key) */
} input_part;

typedef struct {
    const char *path;
    const char *key;         /* the safetensors tensor to read, or NULL */
    input_format format;
    npy_dtype dtype;         /* the element type; NPY_LLAMA_Q16 for _logits_ rows */
    int itemsize;            /* bytes of an element (of a uint16 word for _logits_) */
    uint64_t row_bytes;      /* bytes of a row in the file */
    int stream;              /* a pipe, FIFO or device: read once; its size is known at its end */
    uint64_t rows;           /* rows handed out in all; 0 while unknown (raw data from a stream) */
    uint64_t vocab;
    uint64_t rows_read;
    llama_header llama;      /* INPUT_LLAMA: its header (the tokens point into the map) */
    /* input_select: of each period rows of the file, rows [first, first + count) are handed out */
    uint64_t sel_period, sel_first, sel_count;
    uint64_t file_row;       /* the next row of the current file, selected or not */
    /* a stream */
    FILE *f;
    unsigned char peek[8];   /* bytes read to recognise the format that turned out to be data */
    size_t peeked;
    /* a regular file of size bytes, mapped read-only (.npy and raw: at the first input_next) */
    uint64_t size;
    const unsigned char *map;
    uint64_t map_len, data_start, released;
    /* INPUT_ST_DIR: its files in name order, the current one mapped */
    input_part *parts;
    size_t n_parts, part;
    dev_t dev;
    ino_t ino;
    int st_list;             /* INPUT_ST_DIR from one file's tensor.0, tensor.1, ... (exllamav3) */
    uint64_t seq;            /* positions per row of text where the layout tells (a 3-D tensor:
                              * rows x seq positions), else 0; a list's parts are rows of text */
} input;

/* Opens path as raw float32 rows of raw_vocab entries (raw_vocab > 0) or recognises its format
 * ("-" is standard input, read as a stream and named "standard input"); key names the safetensors tensor to read (NULL: the only 2-D one). Returns 0, or -1 after
 * printing why. */
int input_open(input *in, const char *path, uint64_t raw_vocab, const char *key);

/* --key given (in[0].key), and neither input is safetensors (a file or a directory), where it
 * picks the tensor: prints why and returns -1; else 0. */
int input_key_unused(const input in[2]);

/* From now on hands out only rows [first, first + count) of each period rows of the file (the
 * scored positions of every llama.cpp chunk, from a NEW that holds all of them); in->rows becomes
 * their number. The file's rows must be a multiple of period. Returns 0, or -1 after printing
 * why. */
int input_select(input *in, uint64_t period, uint64_t first, uint64_t count);

/* How many rows the next input_next can hand out as one run (UINT64_MAX: no limit but the end). */
uint64_t input_run_length(const input *in);

/* Hands out up to max_rows rows of the input's own type: *rows points at them, in the mapped
 * file or in buf (room for max_rows * row_bytes). Returns the number of rows, 0 at the end of the
 * data, or -1 after printing why (a short read, trailing bytes after a stream's data, a partial
 * row at a stream's end, a directory file that changed). */
long long input_next(input *in, size_t max_rows, void *buf, const void **rows);

/* Drops the pages of the rows handed out so far, which must no longer be in use. */
void input_release(input *in);

/* IEEE binary16 bits to float, exactly. */
float input_half_to_float(uint16_t h);

/* bfloat16 bits to float, exactly. */
float input_bf16_to_float(uint16_t h);

void input_close(input *in);

/* "float16", "float32", "float64", "bfloat16", "int32", "int64" or "llama-q16". */
const char *input_dtype_name(npy_dtype d);

/* Internal to the readers (input_file.c): one line on stderr naming the file; -1. */
int input_fail(const input *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Internal: the same for a file that is not an input (--targets). */
int input_fail_path(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Internal: opens path read-only without blocking in open() (a FIFO would block there until a
 * writer comes) and fstats it into *st; waits for a FIFO's first data, saying so after a second.
 * Returns the descriptor, blocking again (a directory's as opened), or -1 after printing why. */
int input_open_fd(const char *path, struct stat *st);

/* Internal: maps the regular file open as fd read-only (size bytes); 0 or -1 after printing. */
int input_map(input *in, int fd, uint64_t size);

/* Internal: waits for fd (a FIFO, pipe or terminal: what, in the message) to have data; when that
 * takes more than a second, says so on stderr first rather than hang silently. 0, or -1 after
 * printing why. */
int input_wait_for_data(const char *path, int fd, const char *what);

/* Internal: unmaps the current map. */
void input_unmap(input *in);

/* Internal (input_st.c): opens a safetensors file whose map is in place, or a directory. */
int input_open_safetensors(input *in);
int input_open_st_dir(input *in);

/* Internal (input_st.c): maps directory file in->part; 0 or -1 after printing why. */
int input_st_enter(input *in);

#endif /* KLDIV_INPUT_H */
