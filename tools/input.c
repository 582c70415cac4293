/* input.c - one of kldiv's inputs (see input.h). */
#define _POSIX_C_SOURCE 200809L
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One line on stderr naming the file; returns -1. */
static int fail(const input *in, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kldiv: %s: ", in->path);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return -1;
}

const char *input_dtype_name(npy_dtype d)
{
    return d == NPY_F16 ? "float16" : d == NPY_F32 ? "float32" : "float64";
}

/* A FIFO that no writer has opened yet reads as empty: wait for its first data, and say so when
 * that takes more than a second rather than hang silently. */
static int wait_for_writer(const input *in, int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    int rc = poll(&p, 1, 1000);
    if (rc == 0) {
        fprintf(stderr, "kldiv: %s: a FIFO without data yet: waiting for its writer\n", in->path);
        rc = poll(&p, 1, -1);
    }
    return rc < 0 ? fail(in, "%s", strerror(errno)) : 0;
}

/* Opens path without blocking (a FIFO would block in open until a writer comes) and classifies
 * it; the descriptor ends up blocking. */
static int open_file(input *in, const char *path)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return fail(in, "%s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return fail(in, "%s", strerror(errno));
    }
    in->stream = S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode);
    if (!S_ISREG(st.st_mode) && !in->stream) {
        close(fd);
        return fail(in, "not a regular file or a pipe%s",
                    S_ISDIR(st.st_mode) ? " (a directory)" : "");
    }
    if (S_ISFIFO(st.st_mode) && wait_for_writer(in, fd) != 0) {
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 || !(in->f = fdopen(fd, "rb"))) {
        int e = errno;
        close(fd);
        return fail(in, "%s", strerror(e));
    }
    in->dev = st.st_dev;
    in->ino = st.st_ino;
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
        return fail(in, "an .npy file: --vocab is for raw float32 input (drop --vocab)");
    if (is_llama)
        return fail(in, "a llama.cpp --kl-divergence-base file: not a format kldiv reads yet");
    in->dtype = NPY_F32;
    in->itemsize = 4;
    if (in->stream)
        return 0; /* rows counted as they come */
    uint64_t size = file_size(in), row_bytes = 4 * in->vocab; /* vocab <= 2^40: no overflow */
    if (size == 0 || size % row_bytes != 0)
        return fail(in, "%llu bytes is not a whole number of %llu-float rows",
                    (unsigned long long)size, (unsigned long long)in->vocab);
    in->rows = size / row_bytes;
    return 0;
}

static int open_npy(input *in)
{
    unsigned char pre[10];
    char err[256];
    memcpy(pre, in->peek, 8);
    in->peeked = 0;
    npy_info info;
    if (fread(pre + 8, 1, 2, in->f) != 2)
        return fail(in, "truncated .npy header");
    if (npy_read_header_after_magic(in->f, pre, &info, err, sizeof err) != 0)
        return fail(in, "%s", err);
    in->dtype = info.dtype;
    in->itemsize = info.itemsize;
    in->rows = info.rows;
    in->vocab = info.cols;
    if (in->stream)
        return 0; /* checked as it is read: a short stream or trailing bytes are errors */
    /* the parser guarantees rows * cols * itemsize fits in 64 bits */
    uint64_t need = info.rows * info.cols * (uint64_t)info.itemsize, size = file_size(in);
    uint64_t have = size >= info.data_offset ? size - info.data_offset : 0;
    if (have != need)
        return fail(in, "%s data: the header's shape (%llu x %llu %s) needs %llu bytes, the file "
                        "has %llu",
                    have < need ? "truncated" : "trailing bytes after the",
                    (unsigned long long)info.rows, (unsigned long long)info.cols,
                    input_dtype_name(info.dtype), (unsigned long long)need,
                    (unsigned long long)have);
    return 0;
}

int input_open(input *in, const char *path, uint64_t raw_vocab)
{
    *in = (input){.path = path, .vocab = raw_vocab};
    if (open_file(in, path) != 0)
        return -1;
    in->peeked = fread(in->peek, 1, sizeof in->peek, in->f);
    if (ferror(in->f))
        return fail(in, "%s", strerror(errno));
    int is_npy = in->peeked >= 6 && memcmp(in->peek, "\x93NUMPY", 6) == 0;
    int is_llama = in->peeked == 8 && memcmp(in->peek, "_logits_", 8) == 0;
    if (raw_vocab)
        return open_raw(in, is_npy, is_llama);
    if (is_llama)
        return fail(in, "a llama.cpp --kl-divergence-base file (magic _logits_): not a format "
                        "kldiv reads yet");
    if (!is_npy)
        return fail(in, "not a .npy file (bad magic); raw float32 input needs --vocab N");
    if (in->peeked < 8)
        return fail(in, "truncated .npy header");
    return open_npy(in);
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

/* Converts count elements of in's type at raw to float (little-endian hosts: x86-64, aarch64). */
static void to_float(const input *in, const void *raw, size_t count, float *dst)
{
    if (in->dtype == NPY_F16) {
        const uint16_t *h = raw;
        for (size_t i = 0; i < count; i++)
            dst[i] = input_half_to_float(h[i]);
    } else if (in->dtype == NPY_F64) {
        const double *d = raw;
        for (size_t i = 0; i < count; i++)
            dst[i] = (float)d[i];
    }
}

/* Exactly want bytes into buf, the peeked bytes first; returns how many there were. */
static size_t read_bytes(input *in, unsigned char *buf, size_t want)
{
    size_t have = in->peeked < want ? in->peeked : want;
    memcpy(buf, in->peek, have);
    memmove(in->peek, in->peek + have, in->peeked - have);
    in->peeked -= have;
    return have + fread(buf + have, 1, want - have, in->f);
}

long long input_read(input *in, size_t max_rows, void *raw, npy_dtype as, void *dst)
{
    size_t rows = max_rows;
    if (in->rows && in->rows - in->rows_read < rows)
        rows = (size_t)(in->rows - in->rows_read);
    if (rows == 0) { /* the header's rows are all read: a stream must end here */
        if (in->rows && in->stream && fgetc(in->f) != EOF)
            return fail(in, "trailing bytes after the data that the header's shape describes");
        return ferror(in->f) ? fail(in, "read failed: %s", strerror(errno)) : 0;
    }
    const size_t row_bytes = (size_t)in->vocab * (size_t)in->itemsize;
    /* the input's own type needs no conversion: read in place; anything else becomes float */
    void *into = as == in->dtype ? dst : raw;
    size_t want = rows * row_bytes, have = read_bytes(in, into, want);
    if (have < want) {
        if (ferror(in->f))
            return fail(in, "read failed: %s", strerror(errno));
        if (in->rows)
            return fail(in, "unexpected end of file: truncated data at row %llu of %llu",
                        (unsigned long long)(in->rows_read + have / row_bytes),
                        (unsigned long long)in->rows);
        if (have % row_bytes)
            return fail(in, "the data ends inside a row: %llu bytes after row %llu are not a "
                            "whole %llu-float row",
                        (unsigned long long)(have % row_bytes),
                        (unsigned long long)(in->rows_read + have / row_bytes),
                        (unsigned long long)in->vocab);
        rows = have / row_bytes;
    }
    if (as != in->dtype)
        to_float(in, raw, rows * (size_t)in->vocab, dst);
    in->rows_read += rows;
    return (long long)rows;
}

void input_close(input *in)
{
    if (in->f)
        fclose(in->f);
    in->f = NULL;
}
