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

int targets_load(targets *t, const char *path, uint64_t rows, uint64_t vocab, uint64_t limit)
{
    char err[256];
    npy_info info = {0};
    FILE *f = open_targets(path);
    if (!f)
        return -1;
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
        return t->ids[r];
    return t->llama ? llama_target(t->llama, r) : -1;
}

void targets_free(targets *t)
{
    free(t->ids);
    t->ids = NULL;
}
