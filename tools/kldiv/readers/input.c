/* input.c - one of kldiv's inputs (see input.h). */
#define _POSIX_C_SOURCE 200809L
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens path without blocking (a FIFO would block in open until a writer comes) and classifies
 * it; the descriptor ends up blocking. Returns 0, 1 for a directory (not opened), or -1 after
 * printing why. */
static int open_file(input *in, const char *path)
{
    struct stat st;
    int fd = input_open_fd(path, &st);
    if (fd < 0)
        return -1;
    in->stream = S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode);
    in->dev = st.st_dev;
    in->ino = st.st_ino;
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return 1; /* a directory of per-row safetensors files */
    }
    if (!S_ISREG(st.st_mode) && !in->stream) {
        close(fd);
        return input_fail(in, "not a regular file, a directory or a pipe");
    }
    if (!(in->f = fdopen(fd, "rb"))) {
        int e = errno;
        close(fd);
        return input_fail(in, "%s", strerror(e));
    }
    return 0;
}

/* The file's size, for a regular file. */
static uint64_t file_size(const input *in)
{
    struct stat st;
    return fstat(fileno(in->f), &st) == 0 ? (uint64_t)st.st_size : 0;
}

static int open_raw(input *in, int is_npy, int is_llama)
{
    if (is_npy)
        return input_fail(in, "an .npy file: --vocab is for raw float32 input (drop --vocab)");
    if (is_llama)
        return input_fail(in, "a llama.cpp _logits_ file: --vocab is for raw float32 input "
                              "(drop --vocab)");
    in->format = INPUT_RAW;
    in->dtype = NPY_F32;
    in->itemsize = 4;
    in->row_bytes = 4 * in->vocab; /* vocab <= 2^40: no overflow */
    if (in->stream)
        return 0; /* rows counted as they come */
    if (in->size == 0 || in->size % in->row_bytes != 0)
        return input_fail(in, "%llu bytes is not a whole number of %llu-float rows",
                          (unsigned long long)in->size, (unsigned long long)in->vocab);
    in->rows = in->size / in->row_bytes;
    return 0;
}

static int open_npy(input *in)
{
    unsigned char pre[10];
    char err[256];
    memcpy(pre, in->peek, 8);
    in->peeked = 0;
    npy_info info = {0};
    if (fread(pre + 8, 1, 2, in->f) != 2)
        return input_fail(in, "truncated .npy header");
    if (npy_read_header_after_magic(in->f, pre, &info, err, sizeof err) != 0)
        return info.unsupported ? input_fail(in, "unsupported dtype '%s' for logits or "
                                                 "probabilities (need float16, float32 or float64: "
                                                 "'<f2', '<f4' or '<f8')", info.descr)
                                : input_fail(in, "%s", err);
    if (info.dtype == NPY_I32 || info.dtype == NPY_I64)
        return input_fail(in, "unsupported dtype %s for logits or probabilities (need float16, "
                              "float32 or float64)", input_dtype_name(info.dtype));
    in->format = INPUT_NPY;
    in->dtype = info.dtype;
    in->itemsize = info.itemsize;
    in->rows = info.rows;
    in->vocab = info.cols;
    in->row_bytes = info.cols * (uint64_t)info.itemsize; /* npy.c: rows x this fits 64 bits */
    in->data_start = info.data_offset;
    if (in->stream)
        return 0; /* checked as it is read: a short stream or trailing bytes are errors */
    uint64_t need = info.rows * in->row_bytes, size = in->size;
    uint64_t have = size >= info.data_offset ? size - info.data_offset : 0;
    if (have != need)
        return input_fail(in, "%s data: the header's shape (%llu x %llu %s) needs %llu bytes, "
                              "the file has %llu",
                          have < need ? "truncated" : "trailing bytes after the",
                          (unsigned long long)info.rows, (unsigned long long)info.cols,
                          input_dtype_name(info.dtype), (unsigned long long)need,
                          (unsigned long long)have);
    return 0;
}

static int open_llama(input *in)
{
    char err[256];
    if (in->stream)
        return input_fail(in, "a llama.cpp _logits_ file must be a regular file, not a pipe");
    if (input_map(in, fileno(in->f), in->size) != 0)
        return -1;
    if (llama_parse(in->map, in->map_len, 1, &in->llama, err, sizeof err) != 0)
        return input_fail(in, "%s", err);
    in->format = INPUT_LLAMA;
    in->dtype = NPY_LLAMA_Q16;
    in->itemsize = 2;
    in->rows = in->llama.rows;
    in->vocab = (uint64_t)in->llama.n_vocab;
    in->row_bytes = in->llama.row_bytes;
    in->data_start = in->llama.data_start;
    return 0;
}

/* A safetensors file starts with its header's length (u64 LE; its limits are st_parse's to
 * check, so that an oversized header is named as such) and '{'. */
static int looks_safetensors(input *in)
{
    return in->peeked == 8 && in->size >= 9 && fgetc(in->f) == '{';
}

/* "-": standard input, read as a stream whatever it is (a pipe, a FIFO, a redirected file). */
static int open_stdin(input *in)
{
    struct stat st;
    int fd = dup(STDIN_FILENO);
    if (fd < 0 || fstat(fd, &st) != 0 || !(in->f = fdopen(fd, "rb"))) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return input_fail(in, "%s", strerror(e));
    }
    in->stream = 1;
    in->dev = st.st_dev;
    in->ino = st.st_ino;
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode))
        return input_wait_for_data(in->path, fd,
                                   isatty(fd) ? "a terminal" : "a pipe or FIFO") ? -1 : 0;
    return 0;
}

int input_open(input *in, const char *path, uint64_t raw_vocab, const char *key)
{
    const int std_in = strcmp(path, "-") == 0;
    *in = (input){.path = std_in ? "standard input" : path, .key = key, .vocab = raw_vocab};
    int kind = std_in ? open_stdin(in) : open_file(in, path);
    if (kind != 0)
        return kind < 0 ? -1 : raw_vocab ? input_fail(in, "a directory: --vocab is for raw "
                                                           "float32 files")
                                         : input_open_st_dir(in);
    in->size = in->stream ? 0 : file_size(in);
    in->peeked = fread(in->peek, 1, sizeof in->peek, in->f);
    if (ferror(in->f))
        return input_fail(in, "%s", strerror(errno));
    int is_npy = in->peeked >= 6 && memcmp(in->peek, "\x93NUMPY", 6) == 0;
    int is_llama = in->peeked == 8 && memcmp(in->peek, "_logits_", 8) == 0;
    if (raw_vocab)
        return open_raw(in, is_npy, is_llama);
    if (is_llama)
        return open_llama(in);
    if (!is_npy && !in->stream && looks_safetensors(in))
        return input_map(in, fileno(in->f), in->size) ? -1 : input_open_safetensors(in);
    if (!is_npy && in->stream)
        return input_fail(in, "not a .npy stream (bad magic): a pipe or FIFO is read as .npy, "
                              "or as raw float32 with --vocab N; safetensors needs a regular file");
    if (!is_npy)
        return input_fail(in, "not a .npy file, safetensors file or llama.cpp _logits_ file "
                              "(bad magic); raw float32 input needs --vocab N");
    if (in->peeked < 8)
        return input_fail(in, "truncated .npy header");
    return open_npy(in);
}

int input_key_unused(const input in[2])
{
    static const char *const kinds[] = {".npy", "raw float32", "llama.cpp _logits_",
                                        "safetensors", "directory"};
    if (!in[0].key || in[0].format >= INPUT_SAFETENSORS || in[1].format >= INPUT_SAFETENSORS)
        return 0;
    if (in[0].format == in[1].format)
        fprintf(stderr, "kldiv: %s, %s: --key applies to safetensors inputs; both are %s files\n",
                in[0].path, in[1].path, kinds[in[0].format]);
    else
        fprintf(stderr, "kldiv: %s, %s: --key applies to safetensors inputs; these are %s and %s "
                        "files\n", in[0].path, in[1].path, kinds[in[0].format],
                kinds[in[1].format]);
    return -1;
}

int input_select(input *in, uint64_t period, uint64_t first, uint64_t count)
{
    if (in->format == INPUT_ST_DIR || in->stream)
        return input_fail(in, "picking the scored positions out of every position needs a single "
                              "regular file");
    if (in->rows % period != 0)
        return input_fail(in, "%llu rows are not whole chunks of %llu positions",
                          (unsigned long long)in->rows, (unsigned long long)period);
    in->sel_period = period, in->sel_first = first, in->sel_count = count;
    in->rows = in->rows / period * count;
    return 0;
}

float input_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = h >> 10 & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0x1f)
        bits = sign | 0x7f800000u | mant << 13; /* inf, NaN */
    else if (exp != 0)
        bits = sign | (exp + 112) << 23 | mant << 13;
    else if (mant == 0)
        bits = sign; /* zero */
    else {           /* subnormal half: normalise */
        int e = -1;
        do {
            mant <<= 1;
            e++;
        } while (!(mant & 0x400));
        bits = sign | (uint32_t)(112 - e) << 23 | (mant & 0x3ff) << 13;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

float input_bf16_to_float(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

double input_element(npy_dtype t, const void *x, size_t i)
{
    switch (t) {
    case NPY_F16:
        return input_half_to_float(((const uint16_t *)x)[i]);
    case NPY_BF16:
        return input_bf16_to_float(((const uint16_t *)x)[i]);
    case NPY_F64:
        return ((const double *)x)[i];
    default:
        return ((const float *)x)[i];
    }
}

void input_close(input *in)
{
    input_unmap(in);
    if (in->f)
        fclose(in->f);
    in->f = NULL;
    for (size_t i = 0; i < in->n_parts; i++)
        free(in->parts[i].path), free(in->parts[i].key);
    free(in->parts);
    in->parts = NULL;
    in->n_parts = 0;
}
