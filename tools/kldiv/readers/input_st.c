/* input_st.c - the safetensors readers of input.h: one .safetensors file (its tensor's rows read
 * in place from the map), and a directory of per-row files as exllamav3 writes them
 * (row_000000.safetensors, ...: every *.safetensors file in it, in file-name order with numbers
 * compared as numbers, so that row_9 comes before row_10 when a writer did not pad, all with the
 * same tensor key, dtype and vocab; their rows one after the other). */
#define _GNU_SOURCE /* strverscmp */
#include "input.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safetensors.h"

/* Parses the mapped file's header and picks the tensor: its dtype, rows, vocab, data start. */
static int pick_tensor(input *in, const char *key, npy_dtype *dtype, uint64_t *rows,
                       uint64_t *vocab, uint64_t *start)
{
    char err[512];
    st_header h;
    if (st_parse(in->map, in->map_len, &h, err, sizeof err) != 0)
        return input_fail(in, "%s", err);
    long t = st_pick(&h, key, dtype, rows, vocab, err, sizeof err);
    if (t >= 0)
        *start = h.data_start + h.t[t].begin;
    st_free(&h);
    return t < 0 ? input_fail(in, "%s", err) : 0;
}

static void set_type(input *in, npy_dtype dtype, uint64_t vocab)
{
    in->dtype = dtype;
    in->itemsize = dtype == NPY_F64 ? 8 : dtype == NPY_F32 ? 4 : 2;
    in->vocab = vocab;
    in->row_bytes = vocab * (uint64_t)in->itemsize; /* checked by st_parse: fits 64 bits */
}

int input_open_safetensors(input *in)
{
    npy_dtype dtype;
    uint64_t vocab;
    if (pick_tensor(in, in->key, &dtype, &in->rows, &vocab, &in->data_start) != 0)
        return -1;
    in->format = INPUT_SAFETENSORS;
    set_type(in, dtype, vocab);
    return 0;
}

static const char *file_kind(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO" : S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device"
           : S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "of another kind";
}

/* Maps the file of part p of the directory (closing the file; the map stays) and checks it
 * against the first part: same dtype and vocab, and the rows it had when the directory was
 * opened. */
static int map_part(input *in, size_t p, npy_dtype *dtype, uint64_t *rows, uint64_t *vocab)
{
    const char *dir = in->path;
    in->path = in->parts[p].path; /* messages name the file */
    input_unmap(in);
    /* O_NONBLOCK: a FIFO named *.safetensors would block open() until a writer came; one that
     * replaced a regular file since the listing is caught by the fstat */
    int fd = open(in->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), rc = -1;
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        input_fail(in, "%s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        input_fail(in, "not a regular file (%s): every *.safetensors file of a directory input "
                       "must be one", file_kind(st.st_mode));
    else if (input_map(in, fd, (uint64_t)st.st_size) == 0)
        rc = pick_tensor(in, in->key, dtype, rows, vocab, &in->parts[p].data_start);
    if (fd >= 0)
        close(fd);
    in->path = dir;
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strverscmp(((const input_part *)a)->path, ((const input_part *)b)->path);
}

/* The directory's *.safetensors files, sorted by name, digit runs by value (strverscmp). */
static int list_parts(input *in)
{
    DIR *d = opendir(in->path);
    if (!d)
        return input_fail(in, "%s", strerror(errno));
    size_t cap = 0;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len <= 12 || strcmp(e->d_name + len - 12, ".safetensors") != 0)
            continue;
        if (in->n_parts == cap) {
            cap = cap ? 2 * cap : 64;
            input_part *p = realloc(in->parts, cap * sizeof *p);
            if (!p) {
                rc = input_fail(in, "out of memory for the directory's file list");
                break;
            }
            in->parts = p;
        }
        char *path = malloc(strlen(in->path) + len + 2);
        if (!path) {
            rc = input_fail(in, "out of memory for the directory's file list");
            break;
        }
        sprintf(path, "%s/%s", in->path, e->d_name);
        in->parts[in->n_parts++] = (input_part){.path = path};
    }
    closedir(d);
    if (rc == 0 && in->n_parts == 0)
        rc = input_fail(in, "a directory without .safetensors files");
    if (rc == 0)
        qsort(in->parts, in->n_parts, sizeof *in->parts, by_name);
    return rc;
}

int input_open_st_dir(input *in)
{
    in->format = INPUT_ST_DIR;
    if (list_parts(in) != 0)
        return -1;
    for (size_t p = 0; p < in->n_parts; p++) {
        npy_dtype dtype;
        uint64_t vocab, rows;
        if (map_part(in, p, &dtype, &rows, &vocab) != 0)
            return -1;
        if (p == 0)
            set_type(in, dtype, vocab);
        else if (dtype != in->dtype || vocab != in->vocab)
            return input_fail(in, "%s holds %s x %llu rows, %s %s x %llu", in->parts[p].path,
                              input_dtype_name(dtype), (unsigned long long)vocab,
                              in->parts[0].path, input_dtype_name(in->dtype),
                              (unsigned long long)in->vocab);
        in->parts[p].rows = rows;
        if (rows > UINT64_MAX - in->rows)
            return input_fail(in, "more than 2^64 rows");
        in->rows += rows;
    }
    in->part = 0;
    return input_st_enter(in);
}

int input_st_enter(input *in)
{
    npy_dtype dtype;
    uint64_t vocab, rows;
    const input_part *p = &in->parts[in->part];
    uint64_t start = p->data_start;
    if (map_part(in, in->part, &dtype, &rows, &vocab) != 0)
        return -1;
    if (dtype != in->dtype || vocab != in->vocab || rows != p->rows || start != p->data_start)
        return input_fail(in, "%s changed while kldiv was reading the directory", p->path);
    in->data_start = p->data_start;
    return 0;
}
