/* input_st.c - the safetensors readers of input.h: one .safetensors file (its tensor's rows read
 * in place from the map: (rows, vocab), or (rows, seq, vocab) as rows x seq positions of text);
 * one file of tensors tensor.0, tensor.1, ... as exllamav3's eval scripts save a list of
 * (1, seq, vocab) logits (read in numeric order, tensor.10 after tensor.9, each tensor a part of
 * the input, all in one map); and a directory of per-row files (row_000000.safetensors, ...:
 * every *.safetensors file in it, in file-name order with numbers compared as numbers, so that
 * row_9 comes before row_10 when a writer did not pad, all with the same tensor name, dtype and
 * vocab; their rows one after the other), a layout of kldiv's own for dumps written a row of
 * text at a time. */
#define _POSIX_C_SOURCE 200809L
#include "input.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safetensors.h"

/* Parses the mapped file's header and picks the tensor: its dtype, rows, vocab, data start, and
 * (name not NULL) a copy of its name, to be freed. */
static int pick_tensor(input *in, const char *key, npy_dtype *dtype, uint64_t *rows,
                       uint64_t *vocab, uint64_t *start, char **name)
{
    char err[512];
    st_header h;
    uint64_t seq;
    if (st_parse(in->map, in->map_len, &h, err, sizeof err) != 0)
        return input_fail(in, "%s", err);
    long t = st_pick(&h, key, dtype, rows, vocab, &seq, err, sizeof err);
    if (t >= 0 && in->format == INPUT_SAFETENSORS) /* a directory's positions are not known */
        in->seq = seq;
    if (t >= 0)
        *start = h.data_start + h.t[t].begin;
    if (t >= 0 && name && !(*name = strdup(h.t[t].name))) {
        st_free(&h);
        return input_fail(in, "out of memory");
    }
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

/* Part p of a list: tensor t, checked against part 0 (same dtype and vocab). */
static int list_part(input *in, size_t p, const st_header *h, const st_tensor *t)
{
    char err[512];
    npy_dtype dtype;
    uint64_t rows, vocab, seq;
    if (st_rows_of(t, &dtype, &rows, &vocab, &seq, err, sizeof err) != 0)
        return input_fail(in, "%s", err);
    if (rows != seq && !(t->ndim == 2 && seq == 0)) /* (1, seq, vocab) or (seq, vocab) */
        return input_fail(in, "tensor '%.40s' of a tensor.N list has shape (%llu rows of text, "
                              "...): each needs (1, seq, vocab)",
                          t->name, (unsigned long long)(seq ? rows / seq : rows));
    if (p == 0)
        set_type(in, dtype, vocab);
    else if (dtype != in->dtype || vocab != in->vocab)
        return input_fail(in, "its tensors differ: tensor.0 holds %s rows of %llu entries, "
                              "'%.40s' holds %s rows of %llu (every tensor needs the same dtype "
                              "and vocab)",
                          input_dtype_name(in->dtype), (unsigned long long)in->vocab, t->name,
                          input_dtype_name(dtype), (unsigned long long)vocab);
    if (rows > UINT64_MAX - in->rows)
        return input_fail(in, "more than 2^64 rows");
    in->rows += rows;
    in->parts[p] = (input_part){.rows = rows, .data_start = h->data_start + t->begin};
    if (!(in->parts[p].path = strdup(in->path)) || !(in->parts[p].key = strdup(t->name)))
        return input_fail(in, "out of memory");
    in->n_parts = p + 1;
    return 0;
}

/* The file's tensor.0, tensor.1, ... as the parts of one input; 1 when it is not such a list. */
static int open_list(input *in)
{
    char err[512];
    st_header h;
    if (st_parse(in->map, in->map_len, &h, err, sizeof err) != 0)
        return input_fail(in, "%s", err);
    size_t *order = malloc((h.count ? h.count : 1) * sizeof *order);
    long n = order ? st_list(&h, order, err, sizeof err) : -2;
    int rc = n == -2 ? input_fail(in, "out of memory") : n < 0 ? input_fail(in, "%s", err)
             : n == 0                                        ? 1 : 0;
    if (rc == 0 && !(in->parts = calloc((size_t)n, sizeof *in->parts)))
        rc = input_fail(in, "out of memory");
    for (long p = 0; rc == 0 && p < n; p++)
        rc = list_part(in, (size_t)p, &h, &h.t[order[p]]);
    free(order);
    st_free(&h);
    if (rc != 0)
        return rc;
    in->format = INPUT_ST_DIR;
    in->st_list = 1;
    in->part = 0;
    in->seq = 0; /* each part is one row of text */
    return input_st_enter(in);
}

int input_open_safetensors(input *in)
{
    npy_dtype dtype;
    uint64_t vocab;
    int list = in->key ? 1 : open_list(in);
    if (list <= 0)
        return list;
    in->format = INPUT_SAFETENSORS;
    if (pick_tensor(in, in->key, &dtype, &in->rows, &vocab, &in->data_start, NULL) != 0)
        return -1;
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
static int map_part(input *in, size_t p, npy_dtype *dtype, uint64_t *rows, uint64_t *vocab,
                    char **name)
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
        rc = pick_tensor(in, in->key, dtype, rows, vocab, &in->parts[p].data_start, name);
    if (fd >= 0)
        close(fd);
    in->path = dir;
    return rc;
}

/* a and b with their digit runs compared as numbers (other bytes as unsigned bytes): <0, 0, >0;
 * *zeros gets the first difference in leading zeros between runs of equal value (fewer: < 0). */
static int by_value(const char *a, const char *b, int *zeros)
{
    static const char digits[] = "0123456789";
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            size_t za = strspn(a, "0"), zb = strspn(b, "0");
            a += za, b += zb;
            size_t la = strspn(a, digits), lb = strspn(b, digits);
            if (la != lb) /* significant digits: the longer run is the larger number */
                return la < lb ? -1 : 1;
            int c = memcmp(a, b, la);
            if (c != 0)
                return c;
            if (*zeros == 0 && za != zb)
                *zeros = za < zb ? -1 : 1;
            a += la, b += lb;
        } else if (*a != *b) {
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        } else {
            a++, b++;
        }
    }
    return (*a != '\0') - (*b != '\0');
}

/* File-name order with digit runs by value (row_9 < row_10 < row_011 < row_0100); names equal
 * by value in the order of their leading zeros (row_10 < row_010), then byte by byte. */
static int by_name(const void *x, const void *y)
{
    const char *a = ((const input_part *)x)->path, *b = ((const input_part *)y)->path;
    int zeros = 0, c = by_value(a, b, &zeros);
    return c != 0 ? c : zeros != 0 ? zeros : strcmp(a, b);
}

/* The directory's *.safetensors files, sorted by name, digit runs by value (by_name). */
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

/* Checks part p (rows, dtype, vocab and tensor name) against part 0's (first). */
static int check_part(input *in, size_t p, char **first)
{
    npy_dtype dtype;
    uint64_t vocab, rows;
    char *name = NULL;
    int rc = map_part(in, p, &dtype, &rows, &vocab, p ? &name : first);
    if (rc != 0)
        return -1;
    if (p == 0)
        set_type(in, dtype, vocab);
    else if (strcmp(name, *first) != 0)
        rc = input_fail(in, "its files hold different tensors: %s holds '%.60s', %s holds "
                            "'%.60s' (name one with --key)",
                        in->parts[0].path, *first, in->parts[p].path, name);
    else if (dtype != in->dtype || vocab != in->vocab)
        rc = input_fail(in, "its files differ: %s holds %s rows of %llu entries, %s holds %s rows "
                            "of %llu (every file needs the same dtype and vocab)",
                        in->parts[0].path, input_dtype_name(in->dtype),
                        (unsigned long long)in->vocab, in->parts[p].path,
                        input_dtype_name(dtype), (unsigned long long)vocab);
    free(name);
    in->parts[p].rows = rows;
    if (rc == 0 && rows > UINT64_MAX - in->rows)
        rc = input_fail(in, "more than 2^64 rows");
    in->rows += rows;
    return rc;
}

int input_open_st_dir(input *in)
{
    in->format = INPUT_ST_DIR;
    if (list_parts(in) != 0)
        return -1;
    char *first = NULL;
    int rc = 0;
    for (size_t p = 0; p < in->n_parts && rc == 0; p++)
        rc = check_part(in, p, &first);
    free(first);
    if (rc != 0)
        return -1;
    in->part = 0;
    return input_st_enter(in);
}

int input_st_enter(input *in)
{
    if (in->st_list) { /* one map: the part's data, its pages dropped from its start on */
        const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
        in->data_start = in->parts[in->part].data_start;
        in->released = in->data_start / page * page;
        return 0;
    }
    npy_dtype dtype;
    uint64_t vocab, rows;
    const input_part *p = &in->parts[in->part];
    uint64_t start = p->data_start;
    if (map_part(in, in->part, &dtype, &rows, &vocab, NULL) != 0)
        return -1;
    if (dtype != in->dtype || vocab != in->vocab || rows != p->rows || start != p->data_start)
        return input_fail(in, "%s changed while kldiv was reading the directory", p->path);
    in->data_start = p->data_start;
    return 0;
}
