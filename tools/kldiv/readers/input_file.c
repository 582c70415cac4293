/* input_file.c - what every reader of input.c, input_st.c and targets.c uses: the one-line error
 * naming the input (to stderr or the thread's sink), element type names, opening a file without
 * blocking on a FIFO, and mapping a regular file read-only. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* madvise, MADV_SEQUENTIAL */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Where this thread's messages go (input_errors_to); NULL: stderr. */
static _Thread_local FILE *sink;

void input_errors_to(FILE *f)
{
    sink = f;
}

/* The message goes out as one formatted string: gcc 12 with UBSan warns of a 'null format string'
 * in vfprintf on a stream chosen at run time, though every caller passes a format (their format
 * attribute). One string also keeps a line whole among threads. A longer message is cut. */
static int vfail(const char *path, const char *fmt, va_list ap)
{
    char msg[8192]; /* room for two PATH_MAX names */
    vsnprintf(msg, sizeof msg, fmt, ap);
    fprintf(sink ? sink : stderr, "kldiv: %s: %s\n", path, msg);
    return -1;
}

int input_fail(const input *in, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(in->path, fmt, ap);
    va_end(ap);
    return -1;
}

int input_fail_path(const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(path, fmt, ap);
    va_end(ap);
    return -1;
}

int input_wait_for_data(const char *path, int fd, const char *what)
{
    struct pollfd p = {fd, POLLIN, 0};
    int rc = poll(&p, 1, 1000);
    if (rc == 0) {
        fprintf(stderr, "kldiv: %s: %s without data yet: waiting for its writer\n", path, what);
        rc = poll(&p, 1, -1);
    }
    return rc < 0 ? input_fail_path(path, "%s", strerror(errno)) : 0;
}

int input_open_fd(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return input_fail_path(path, "%s", strerror(errno));
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        return input_fail_path(path, "%s", strerror(e));
    }
    if (S_ISDIR(st->st_mode))
        return fd; /* the caller decides, and closes it */
    if (S_ISFIFO(st->st_mode) && input_wait_for_data(path, fd, "a FIFO") != 0) {
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        return input_fail_path(path, "%s", strerror(e));
    }
    return fd;
}

const char *input_dtype_name(npy_dtype d)
{
    static const char *const names[] = {"float16", "float32", "float64", "bfloat16",
                                        "int32",   "int64",   "llama-q16"};
    return names[d];
}

int input_map(input *in, int fd, uint64_t size)
{
    in->map_len = size;
    if (size == 0)
        return 0;
    if (size > SIZE_MAX)
        return input_fail(in, "%llu bytes: too large to map", (unsigned long long)size);
    void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        in->map_len = 0;
        return input_fail(in, "mmap failed: %s", strerror(errno));
    }
    madvise(m, (size_t)size, MADV_SEQUENTIAL);
    in->map = m;
    return 0;
}

void input_unmap(input *in)
{
    if (in->map)
        munmap((void *)in->map, (size_t)in->map_len);
    in->map = NULL;
    in->map_len = in->released = 0;
}
