/* targets.c - the tokens that follow the rows' positions (see targets.h). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* S_ISSOCK */
#include "targets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "npy.h"
#include "safetensors.h"

static int fail(const char *path, const char *fmt, unsigned long long a, unsigned long long b)
{
    fprintf(stderr, "kldiv: %s: ", path);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return -1;
}

/* Element i of the little-endian id array raw. */
static int64_t id_at(const unsigned char *raw, int itemsize, uint64_t i)
{
    if (itemsize == 4) {
        int32_t v;
        memcpy(&v, raw + 4 * i, 4);
        return v;
    }
    int64_t v;
    memcpy(&v, raw + 8 * i, 8);
    return v;
}

/* Opens path for reading: a regular file, or a pipe or FIFO read as a stream (waiting for a
 * FIFO's writer, and saying so); NULL after printing why. */
static FILE *open_targets(const char *path)
{
    struct stat st;
    int fd = input_open_fd(path, &st);
    if (fd < 0)
        return NULL;
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode) &&
        !S_ISSOCK(st.st_mode)) {
        close(fd);
        input_fail_path(path, S_ISDIR(st.st_mode) ? "a directory: --targets needs an .npy file "
                                                    "of token ids"
                                                  : "not a regular file or a pipe: --targets "
                                                    "needs an .npy file of token ids");
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        input_fail_path(path, "%s", strerror(errno));
        close(fd);
    }
    return f;
}

/* Tensor x of h (I32 or I64, (1, seq) or (seq,)) as row of text k of t: its ids from position
 * *at on, each the token after the row's position; the last position's -1. */
static int text_ids(targets *t, const char *path, const unsigned char *data, const st_tensor *x,
                    uint64_t *at, uint64_t rows, uint64_t vocab)
{
    uint64_t seq = x->ndim ? x->shape[x->ndim - 1] : 1;
    const int itemsize = !strcmp(x->dtype, "I32") ? 4 : !strcmp(x->dtype, "I64") ? 8 : 0;
    if (!itemsize)
        return input_fail_path(path, "--targets tensor '%.40s' has dtype %s (token ids need I32 "
                                     "or I64)", x->name, x->dtype);
    if (seq == 0 || seq > rows - *at)
        return fail(path, "--targets needs one token id per row: %llu rows, this file has more "
                          "than %llu ids", rows, *at);
    const unsigned char *raw = data + x->begin;
    for (uint64_t s = 0; s < seq; s++) {
        int64_t v = s + 1 < seq ? id_at(raw, itemsize, s + 1) : -1;
        if (s + 1 < seq && (v < 0 || (uint64_t)v >= vocab))
            return fail(path, "token id at row %llu is out of range [0, %llu)", *at + s, vocab);
        t->ids[*at + s] = (int32_t)v;
    }
    *at += seq;
    return 0;
}

/* The rows of text of a safetensors --targets file (all of it in data): a tensor.N list, or its
 * only integer tensor of shape (texts, seq) or (seq,), leading 1s dropped. */
static int st_targets(targets *t, const char *path, const unsigned char *data, uint64_t size,
                      uint64_t rows, uint64_t vocab)
{
    char err[512];
    st_header h;
    if (st_parse(data, size, &h, err, sizeof err) != 0)
        return input_fail_path(path, "%s", err);
    size_t *order = malloc((h.count ? h.count : 1) * sizeof *order);
    long n = order ? st_list(&h, order, err, sizeof err) : 0;
    int rc = !order ? input_fail_path(path, "out of memory")
             : n < 0 ? input_fail_path(path, "%s", err) : 0;
    const st_tensor *one = NULL;
    for (size_t i = 0; rc == 0 && n == 0 && i < h.count; i++)
        if (h.t[i].dtype[0] == 'I' || h.t[i].dtype[0] == 'U') {
            if (one)
                rc = input_fail_path(path, "more than one integer tensor ('%.40s', '%.40s'): "
                                           "--targets needs the token ids alone",
                                     one->name, h.t[i].name);
            one = &h.t[i];
        }
    if (rc == 0 && n == 0 && !one)
        rc = input_fail_path(path, "no integer tensor: --targets needs token ids");
    int lead = 0; /* one's leading dimensions of 1 beyond two */
    while (one && one->ndim - lead > 2 && one->shape[lead] == 1)
        lead++;
    if (rc == 0 && n == 0 && (one->ndim - lead < 1 || one->ndim - lead > 2))
        rc = input_fail_path(path, "--targets tensor '%.40s' has %d dimensions (token ids need "
                                   "(texts, seq) or (seq,))", one->name, one->ndim);
    uint64_t texts = n ? (uint64_t)n : one && one->ndim - lead == 2 ? one->shape[lead] : 1;
    const int counts_ok = texts > 0 && texts <= rows;
    if (rc == 0 && (!counts_ok || !(t->lengths = malloc((size_t)texts * sizeof *t->lengths)) ||
                    !(t->ids = malloc((size_t)rows * sizeof *t->ids))))
        rc = !counts_ok ? fail(path, "--targets needs one token id per row: %llu rows, this file "
                                     "has %llu rows of text", rows, texts)
                          : input_fail_path(path, "out of memory for %llu targets",
                                            (unsigned long long)rows);
    uint64_t at = 0;
    for (uint64_t k = 0; rc == 0 && k < texts; k++) {
        st_tensor x = n ? h.t[order[k]] : *one;
        if (n && (x.ndim > 2 || (x.ndim == 2 && x.shape[0] != 1)))
            rc = input_fail_path(path, "--targets tensor '%.40s' of a tensor.N list needs shape "
                                       "(1, seq)", x.name);
        if (!n) { /* row of text k of (texts, seq) */
            const uint64_t seq = one->shape[one->ndim - 1];
            x.ndim = 1, x.shape[0] = seq, x.begin = one->begin + k * seq * (uint64_t)one->itemsize;
        }
        if (rc == 0) {
            uint64_t from = at;
            rc = text_ids(t, path, data + h.data_start, &x, &at, rows, vocab);
            t->lengths[k] = at - from;
        }
    }
    if (rc == 0 && at != rows)
        rc = fail(path, "--targets needs one token id per row: %llu rows, this file has %llu ids",
                  rows, at);
    t->texts = (size_t)texts;
    t->count = rows;
    free(order);
    st_free(&h);
    return rc;
}

/* A safetensors --targets file: a regular file within the limit, read whole. */
static int load_safetensors(targets *t, const char *path, FILE *f, uint64_t rows, uint64_t vocab,
                            uint64_t limit)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        return input_fail_path(path, "not an .npy stream: a safetensors --targets file must be a "
                                     "regular file");
    const uint64_t size = (uint64_t)st.st_size;
    if (rows > limit / 12 || size > limit / 2)
        return fail(path, "%llu targets do not fit in the memory limit (%llu bytes)", rows, limit);
    unsigned char *data = malloc(size ? (size_t)size : 1);
    if (!data)
        return input_fail_path(path, "out of memory");
    int rc = fread(data, 1, (size_t)size, f) == size ? st_targets(t, path, data, size, rows, vocab)
                                                     : input_fail_path(path, "read failed");
    free(data);
    return rc;
}

int targets_load(targets *t, const char *path, uint64_t rows, uint64_t vocab, uint64_t limit)
{
    char err[256];
    npy_info info = {0};
    FILE *f = open_targets(path);
    if (!f)
        return -1;
    int first = fgetc(f);
    if (first != EOF && first != 0x93) { /* not .npy's magic: safetensors (its header length) */
        int rc = ungetc(first, f) == EOF ? -1 : load_safetensors(t, path, f, rows, vocab, limit);
        fclose(f);
        if (rc != 0)
            targets_free(t);
        return rc;
    }
    if (first != EOF)
        ungetc(first, f);
    int rc = -1;
    unsigned char *raw = NULL;
    if (npy_read_header(f, &info, err, sizeof err) != 0 && !info.unsupported)
        fprintf(stderr, "kldiv: %s: %s\n", path, err);
    else if (info.unsupported || (info.dtype != NPY_I32 && info.dtype != NPY_I64))
        fprintf(stderr, "kldiv: %s: --targets needs int32 or int64 token ids ('<i4' or '<i8'); "
                        "this file's dtype is '%s'\n", path, info.descr);
    else if (info.rows != 1 && info.cols != 1)
        fail(path, "--targets needs a 1-D array of token ids; this one has shape (%llu, %llu)",
             info.rows, info.cols);
    else if (info.rows * info.cols != rows)
        fail(path, "--targets needs one token id per row: %llu rows, this file has %llu ids",
             rows, info.rows * info.cols);
    else if (rows > limit / 12) /* the ids as read and as kept */
        fail(path, "%llu targets do not fit in the memory limit (%llu bytes)", rows, limit);
    else if (!(raw = malloc((size_t)rows * (size_t)info.itemsize)) ||
             !(t->ids = malloc((size_t)rows * sizeof *t->ids)))
        fprintf(stderr, "kldiv: %s: out of memory for %llu targets\n", path,
                (unsigned long long)rows);
    else if (fread(raw, (size_t)info.itemsize, (size_t)rows, f) != rows)
        fail(path, "truncated data: %llu token ids of %llu bytes expected", rows,
             (unsigned long long)info.itemsize);
    else if (fgetc(f) != EOF)
        fprintf(stderr, "kldiv: %s: trailing bytes after %llu token ids\n", path,
                (unsigned long long)rows);
    else {
        rc = 0;
        for (uint64_t i = 0; i < rows && rc == 0; i++) {
            int64_t v = id_at(raw, info.itemsize, i);
            if (v < 0 || (uint64_t)v >= vocab)
                rc = fail(path, "token id at row %llu is out of range [0, %llu)", i, vocab);
            else
                t->ids[i] = (int32_t)v;
        }
        t->count = rows;
    }
    free(raw);
    fclose(f);
    if (rc != 0)
        targets_free(t);
    return rc;
}

int64_t targets_at(const targets *t, uint64_t r)
{
    if (t->ids)
        return t->ids[r]; /* -1 at the end of a row of text */
    return t->llama ? llama_target(t->llama, r) : -1;
}

void targets_free(targets *t)
{
    free(t->ids);
    free(t->lengths);
    t->ids = NULL;
    t->lengths = NULL;
}
