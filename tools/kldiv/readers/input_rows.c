/* input_rows.c - handing out an input's rows (see input.h): claimed in row order, fetched by any
 * thread (a regular file's: in place in the map, or read with pread), dropped from the map in
 * large windows, and read ahead by reading them (as cat does) where they are not cached. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* madvise, MADV_DONTNEED */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>

/* Moves file_row to a selected row (to the start of the next window when past one). */
static void skip_unselected(input *in)
{
    if (!in->sel_period)
        return;
    uint64_t off = in->file_row % in->sel_period;
    if (off < in->sel_first)
        in->file_row += in->sel_first - off;
    else if (off >= in->sel_first + in->sel_count)
        in->file_row += in->sel_period - off + in->sel_first;
}

uint64_t input_run_length(const input *in)
{
    if (in->sel_period) {
        uint64_t off = in->file_row % in->sel_period, end = in->sel_first + in->sel_count;
        return off < in->sel_first || off >= end ? in->sel_count : end - off;
    }
    if (in->format == INPUT_ST_DIR) { /* at a file's end: the next file's rows */
        const input_part *p = &in->parts[in->part];
        return in->file_row < p->rows || in->part + 1 == in->n_parts ? p->rows - in->file_row
                                                                     : p[1].rows;
    }
    return UINT64_MAX;
}

int input_random(const input *in)
{
    return !in->stream && in->format != INPUT_ST_DIR;
}

int input_start(input *in, int use_pread)
{
    if (in->stream)
        return 0;
    in->use_pread = use_pread && input_random(in);
    in->fd = in->f ? fileno(in->f) : -1;
    if (in->use_pread) {
        posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        return 0;
    }
    return in->map || !in->f ? 0 : input_map(in, in->fd, in->size);
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

/* From a stream: up to rows rows into buf. */
static long long stream_next(input *in, size_t rows, unsigned char *buf)
{
    if (rows == 0) { /* the header's rows are all read: a stream must end here */
        if (in->rows && fgetc(in->f) != EOF)
            return input_fail(in, "trailing bytes after the data that the header's shape "
                                  "describes");
        return ferror(in->f) ? input_fail(in, "read failed: %s", strerror(errno)) : 0;
    }
    const size_t row_bytes = (size_t)in->row_bytes;
    size_t want = rows * row_bytes, have = read_bytes(in, buf, want);
    if (have < want) {
        if (ferror(in->f))
            return input_fail(in, "read failed: %s", strerror(errno));
        if (in->rows)
            return input_fail(in, "unexpected end of file: truncated data at row %llu of %llu",
                              (unsigned long long)(in->rows_read + have / row_bytes),
                              (unsigned long long)in->rows);
        if (have % row_bytes)
            return input_fail(in, "the data ends inside a row: %llu bytes after row %llu are "
                                  "not a whole %llu-float row",
                              (unsigned long long)(have % row_bytes),
                              (unsigned long long)(in->rows_read + have / row_bytes),
                              (unsigned long long)in->vocab);
        rows = have / row_bytes;
    }
    return (long long)rows;
}

/* Drops the mapped pages of [in->released, end) rounded down to a page. */
static void drop_below(input *in, uint64_t end)
{
    const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), upto = end / page * page;
    if (in->map && upto > in->released) { /* the map is page-aligned; the kernel rounds */
        madvise((void *)(in->map + in->released), (size_t)(upto - in->released), MADV_DONTNEED);
        in->released = upto;
    }
}

long long input_claim(input *in, size_t max_rows, void *buf, input_span *span)
{
    size_t rows = max_rows;
    if (in->rows && in->rows - in->rows_read < rows)
        rows = (size_t)(in->rows - in->rows_read);
    *span = (input_span){.at = buf};
    if (in->stream) {
        long long got = stream_next(in, rows, buf);
        in->rows_read += got > 0 ? (uint64_t)got : 0;
        span->bytes = got > 0 ? (size_t)got * (size_t)in->row_bytes : 0;
        return got;
    }
    if (rows == 0)
        return 0;
    if (in->format == INPUT_ST_DIR && in->file_row == in->parts[in->part].rows) {
        in->part++, in->file_row = 0;
        if (input_st_enter(in) != 0)
            return -1;
    }
    skip_unselected(in);
    uint64_t run = input_run_length(in);
    rows = run < rows ? (size_t)run : rows;
    /* open checked that every row lies inside the file */
    span->offset = in->data_start + in->file_row * in->row_bytes;
    span->bytes = rows * (size_t)in->row_bytes;
    if (!input_random(in)) { /* a directory file, mapped until the next one replaces it */
        memcpy(buf, in->map + span->offset, span->bytes);
        drop_below(in, span->offset + span->bytes);
    } else {
        span->at = NULL;
    }
    in->file_row += rows;
    in->rows_read += rows;
    return (long long)rows;
}

/* span's bytes read into buf with pread; NULL after printing why. */
static const void *read_span(const input *in, const input_span *span, unsigned char *buf)
{
    for (size_t done = 0; done < span->bytes;) {
        ssize_t got = pread(in->fd, buf + done, span->bytes - done, (off_t)(span->offset + done));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            input_fail(in, "read failed: %s", strerror(errno));
            return NULL;
        }
        if (got == 0) {
            struct stat st;
            input_fail(in, "the file shrank while it was read: no data at byte %llu; it is %lld "
                           "bytes now, of the %llu it had",
                       (unsigned long long)(span->offset + done),
                       fstat(in->fd, &st) == 0 ? (long long)st.st_size : -1LL,
                       (unsigned long long)in->size);
            return NULL;
        }
        done += (size_t)got;
    }
    return buf;
}

const void *input_fetch(const input *in, const input_span *span, void *buf)
{
    if (span->at)
        return span->at;
    if (in->use_pread)
        return read_span(in, span, buf);
    const unsigned char *at = in->map + span->offset;
    if ((uintptr_t)at % (uintptr_t)in->itemsize == 0)
        return at;
    memcpy(buf, at, span->bytes); /* a header of an odd length: the kernels need aligned elements */
    return buf;
}

void input_release(input *in, uint64_t end, uint64_t window)
{
    if (input_random(in) && !in->use_pread && end >= in->released + window)
        drop_below(in, end);
}

int input_ahead_open(const input *in, input_ahead *a)
{
    *a = (input_ahead){.fd = -1, .in = in};
    if (!input_random(in) || !in->f || in->size == 0 || in->size > SIZE_MAX)
        return -1;
    if (!in->use_pread)
        return in->map ? 0 : -1;
    char self[64];
    snprintf(self, sizeof self, "/proc/self/fd/%d", in->fd);
    a->fd = open(self, O_RDONLY | O_CLOEXEC); /* the same file, its own readahead state */
    void *m = a->fd < 0 ? MAP_FAILED
                        : mmap(NULL, (size_t)in->size, PROT_READ, MAP_SHARED, a->fd, 0);
    if (m == MAP_FAILED) { /* never touched: only mincore looks at it */
        input_ahead_close(a);
        return -1;
    }
    a->probe = m;
    posix_fadvise(a->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    /* the workers' own reads start no readahead: where two readers' readahead races, the page
     * cache gets 4 KiB pages in the gaps between the other's large folios */
    posix_fadvise(in->fd, 0, 0, POSIX_FADV_RANDOM);
    return 0;
}

/* Faults bytes [offset, offset + len) of the map in; the fault path reads them (and ahead of
 * them: the map is MADV_SEQUENTIAL) as large folios where the filesystem has them. */
static void populate(const input *in, uint64_t offset, uint64_t len)
{
    const unsigned char *at = in->map + offset;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), lo = (uintptr_t)at / page * page;
#ifdef MADV_POPULATE_READ
    if (madvise((void *)lo, (uintptr_t)at + len - lo, MADV_POPULATE_READ) == 0 || errno != EINVAL)
        return; /* done, or failed (a file that shrank): the workers' reads report it */
#endif
    volatile unsigned char sink = 0; /* kernels before 5.14: a read of each page */
    for (uintptr_t p = lo; p < (uintptr_t)at + len; p += page)
        sink += *(const volatile unsigned char *)p;
    (void)sink;
}

void input_read_ahead(const input_ahead *a, uint64_t offset, uint64_t len, void *buf,
                      size_t buf_bytes)
{
    if (len == 0)
        return;
    if (!a->in->use_pread) {
        populate(a->in, offset, len);
        return;
    }
    const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), last = (offset + len - 1) / page * page;
    unsigned char cached = 0;
    if (mincore((void *)(a->probe + last), 1, &cached) == 0 && (cached & 1))
        return; /* cached already: nothing to read */
    for (uint64_t done = 0; done < len;) {
        size_t want = len - done < buf_bytes ? (size_t)(len - done) : buf_bytes;
        ssize_t got = pread(a->fd, buf, want, (off_t)(offset + done));
        if (got <= 0 && !(got < 0 && errno == EINTR))
            return; /* the workers' own reads report it */
        done += got > 0 ? (uint64_t)got : 0;
    }
}

void input_ahead_close(input_ahead *a)
{
    if (a->probe)
        munmap((void *)a->probe, (size_t)a->in->size);
    if (a->fd >= 0)
        close(a->fd);
    a->probe = NULL;
    a->fd = -1;
}
