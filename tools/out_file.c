/* out_file.c - an output file written safely (see out_file.h). */
#define _POSIX_C_SOURCE 200809L
#include "out_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *path, const char *what)
{
    fprintf(stderr, "kldiv: %s: %s\n", path, what);
    return -1;
}

int out_file_open(out_file *o, const char *path, const input *inputs, int count)
{
    *o = (out_file){.path = path};
    struct stat st;
    int exists = stat(path, &st) == 0;
    for (int k = 0; exists && k < count; k++)
        if (st.st_dev == inputs[k].dev && st.st_ino == inputs[k].ino)
            return fail(path, "is also an input: refusing to overwrite it");
    if (exists && !S_ISREG(st.st_mode)) {
        o->f = fopen(path, "w");
        return o->f ? 0 : fail(path, strerror(errno));
    }
    size_t len = strlen(path);
    o->tmp = malloc(len + sizeof ".tmp.XXXXXX");
    if (!o->tmp)
        return fail(path, "out of memory");
    memcpy(o->tmp, path, len);
    memcpy(o->tmp + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = mkstemp(o->tmp);
    mode_t mask = umask(0); /* mkstemp makes 0600; the file gets what fopen would give it */
    umask(mask);
    if (fd < 0 || fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "w"))) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        return fail(path, strerror(e));
    }
    return 0;
}

int out_file_commit(out_file *o)
{
    errno = 0;
    int bad = fflush(o->f) != 0 || ferror(o->f), e = errno;
    if (fclose(o->f) != 0 && !bad)
        bad = 1, e = errno;
    o->f = NULL;
    if (!bad && o->tmp && rename(o->tmp, o->path) != 0)
        bad = 1, e = errno;
    if (bad && o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    o->tmp = NULL;
    return bad ? fail(o->path, e ? strerror(e) : "write failed") : 0;
}

void out_file_abort(out_file *o)
{
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    *o = (out_file){0};
}
