/* input.h - one of kldiv's inputs behind one small reader interface: opening it (a regular file,
 * a directory of per-row safetensors files, or a pipe or FIFO read as a stream), recognising its
 * format (.npy, raw float32, llama.cpp _logits_, safetensors), checking its size against its
 * header, and handing out its rows a run at a time in two steps: input_claim, called in row order,
 * says which rows come next (and reads a stream's rows or copies a directory file's); input_fetch,
 * which any thread may call for any claimed run of a regular file, makes them available, in place
 * in the map where they are aligned or read (pread) into the caller's buffer. Consumed pages of a
 * map are dropped in large windows (input_release), so a file of any size is read in bounded
 * memory; input_read_ahead reads ahead of them. Every size is overflow-checked; every
 * problem is one line on stderr (or the thread's sink, input_errors_to) naming the file. The
 * readers of each format: npy.c, llama_logits.c, safetensors.c over st_json.c (headers), input.c
 * (.npy, raw, _logits_), input_st.c (safetensors), over input_rows.c (handing out rows) and
 * input_file.c (errors, maps). */
#ifndef KLDIV_INPUT_H
#define KLDIV_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "llama_logits.h"
#include "npy.h"

#define KLDIV_MAX_INPUTS 9 /* the inputs of one run: BASE and up to 8 NEW files */

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
    /* a regular file of size bytes, mapped read-only (.npy and raw: at input_start, unless its
     * rows are read with pread) */
    uint64_t size;
    const unsigned char *map;
    uint64_t map_len, data_start, released;
    int fd;                  /* the file's descriptor, from input_start */
    int use_pread;           /* input_start: a regular file's rows are read, not mapped */
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

/* How many rows the next input_claim can hand out as one run (UINT64_MAX: no limit but the end). */
uint64_t input_run_length(const input *in);

/* Whether runs can be fetched by any thread in any order (input_fetch): a single regular file;
 * else (a stream, a directory) input_claim hands the rows out itself. */
int input_random(const input *in);

/* Before the first input_claim: a regular file's rows are read with pread (use_pread) or through
 * the map (made here where open did not map the file). Returns 0, or -1 after printing why. */
int input_start(input *in, int use_pread);

/* Where a claimed run is: at, when its rows are in memory already (a stream's or a directory
 * file's, copied into the claim's buffer); else bytes at offset in the file, for input_fetch. */
typedef struct {
    const void *at;
    uint64_t offset;
    size_t bytes;
} input_span;

/* Claims the next up to max_rows rows of the input's own type, in row order (one thread at a
 * time): a stream's rows are read and a directory file's copied into buf (room for max_rows *
 * row_bytes), a regular file's are located. Returns the number of rows, 0 at the end of the data,
 * or -1 after printing why (a short read, trailing bytes after a stream's data, a partial row at a
 * stream's end, a directory file that changed). */
long long input_claim(input *in, size_t max_rows, void *buf, input_span *span);

/* The rows of a claimed span, from any thread: span->at, or in place in the map (aligned), or
 * copied or read into buf (room for span->bytes, aligned to the element size). NULL after printing
 * why (a read error, or a file that shrank). */
const void *input_fetch(const input *in, const input_span *span, void *buf);

/* Drops the mapped pages below byte end, whose rows are no longer in use, once at least window
 * bytes have accumulated; one thread at a time. */
void input_release(input *in, uint64_t end, uint64_t window);

/* A regular file as the read-ahead sees it: read through the map, or, where its rows are read
 * with pread, through a descriptor of its own (its own readahead state, sequential) with a map
 * never touched, to ask the page cache what it holds (mincore). */
typedef struct {
    const input *in;
    int fd;
    const unsigned char *probe;
} input_ahead;

/* Opens in for reading ahead: 0, or -1 (a stream, a directory, an empty file, or no descriptor
 * or map to be had: no read-ahead then). */
int input_ahead_open(const input *in, input_ahead *a);

/* Brings bytes [offset, offset + len) of the file into memory ahead of the workers: faults them
 * into the map, cached or not (the workers then find them mapped and take no faults, which would
 * start readahead of their own), or, with pread, reads them through buf (buf_bytes, reused)
 * unless the last of their pages is cached already. Either way the kernel
 * sees one sequential reader, which caches the file in large folios where the filesystem has
 * them (posix_fadvise WILLNEED, or workers racing each other's readahead, leave 4 KiB pages,
 * which a map then takes 16 times the faults and the system time for). Errors are left to the
 * workers' own reads. */
void input_read_ahead(const input_ahead *a, uint64_t offset, uint64_t len, void *buf,
                      size_t buf_bytes);

void input_ahead_close(input_ahead *a);

/* This thread's error messages go to sink (NULL: stderr again), so that a pipeline can report an
 * error only once every row before it is done. */
void input_errors_to(FILE *sink);

/* IEEE binary16 bits to float, exactly. */
float input_half_to_float(uint16_t h);

/* bfloat16 bits to float, exactly. */
float input_bf16_to_float(uint16_t h);

/* input_element() : element i of row x of type t (float16, bfloat16, float32 or float64) as a
 * double, exactly. */
double input_element(npy_dtype t, const void *x, size_t i);

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
