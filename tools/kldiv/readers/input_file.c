/* input_file.c - what every reader of input.c and input_st.c uses: the one-line error naming
 * the input, element type names, and mapping a regular file read-only. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* madvise, MADV_SEQUENTIAL */
#include "input.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>

int input_fail(const input *in, const char *fmt, ...)
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
