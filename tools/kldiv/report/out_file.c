/* out_file.c - an output file written safely (see out_file.h). */
#define _GNU_SOURCE /* __fpurge */
#include "out_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *path, const char *what)
{
    fprintf(stderr, "kldiv: %s: %s\n", path, what);
    return -1;
}

/* The temporary file to remove if a signal ends the run (one at a time: kldiv has one). */
static char pending[PATH_MAX + 16];
static volatile sig_atomic_t have_pending;
static struct sigaction saved[3];
static const int cleanup_signals[3] = {SIGINT, SIGTERM, SIGHUP};

void out_file_remove_pending(void)
{
    if (have_pending)
        unlink(pending);
}

static void remove_pending(int sig)
{
    out_file_remove_pending();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void watch(const char *tmp)
{
    size_t len = strlen(tmp);
    if (len >= sizeof pending)
        return;
    memcpy(pending, tmp, len + 1);
    have_pending = 1;
    struct sigaction sa = {0};
    sa.sa_handler = remove_pending;
    sigemptyset(&sa.sa_mask);
    for (int k = 0; k < 3; k++)
        sigaction(cleanup_signals[k], &sa, &saved[k]);
}

static void unwatch(void)
{
    if (!have_pending)
        return;
    for (int k = 0; k < 3; k++)
        sigaction(cleanup_signals[k], &saved[k], NULL);
    have_pending = 0;
}

/* A target that is not a regular file (/dev/stdout, a FIFO, a device) is written in place; a FIFO
 * without a reader is an error, not a silent hang. */
static int open_in_place(out_file *o, const char *path)
{
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return fail(path, errno == ENXIO ? "no reader (a FIFO that nothing reads, or a socket)"
                                         : strerror(errno));
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 || !(o->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        return fail(path, strerror(e));
    }
    return 0;
}

/* Writes through a duplicate of fd (its offset and O_APPEND shared). 0, or -1 after printing. */
static int write_through(out_file *o, const char *path, int fd)
{
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0 || !(o->f = fdopen(copy, "w"))) {
        int e = errno;
        if (copy >= 0)
            close(copy);
        return fail(path, strerror(e));
    }
    return 0;
}

/* The file that standard output or error writes to, when path is it: written through that
 * stream's descriptor. 1 if so (o->f set), 0 if not, -1 after printing. */
static int open_std_stream(out_file *o, const char *path, const struct stat *st)
{
    for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++) {
        struct stat std;
        if (fstat(fd, &std) == 0 && std.st_dev == st->st_dev && std.st_ino == st->st_ino)
            return write_through(o, path, fd) ? -1 : 1;
    }
    return 0;
}

int out_file_open(out_file *o, const char *path, const out_guard *reads, size_t count)
{
    *o = (out_file){.path = path};
    if (strcmp(path, "-") == 0) /* standard output */
        return write_through(o, "standard output", STDOUT_FILENO);
    struct stat st;
    int exists = stat(path, &st) == 0;
    for (size_t k = 0; exists && k < count; k++)
        if (st.st_dev == reads[k].dev && st.st_ino == reads[k].ino) {
            fprintf(stderr, "kldiv: %s: is the same file as %s %s: refusing to overwrite it\n",
                    path, reads[k].role, reads[k].path);
            return -1;
        }
    int std_stream = exists ? open_std_stream(o, path, &st) : 0;
    if (std_stream)
        return std_stream < 0 ? -1 : 0;
    if (exists && !S_ISREG(st.st_mode))
        return open_in_place(o, path);
    if (exists && access(path, W_OK) != 0)
        return fail(path, "not writable: refusing to replace it");
    /* The temporary file goes beside the real file (through a symlink, the target is replaced,
     * as writing it in place would) and takes the existing file's mode, or fopen's. */
    char *real = exists ? realpath(path, NULL) : NULL;
    const char *target = real ? real : path;
    size_t len = strlen(target);
    o->tmp = malloc(len + sizeof ".tmp.XXXXXX");
    if (!o->tmp || (exists && !real)) {
        free(real);
        free(o->tmp);
        o->tmp = NULL;
        return fail(path, exists ? strerror(errno) : "out of memory");
    }
    memcpy(o->tmp, target, len);
    memcpy(o->tmp + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    o->target = real;
    mode_t mask = umask(0);
    umask(mask);
    int fd = mkstemp(o->tmp);
    int ok = fd >= 0 && fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask) == 0;
    if (ok && exists && geteuid() == 0 && (st.st_uid != 0 || st.st_gid != 0))
        ok = fchown(fd, st.st_uid, st.st_gid) == 0; /* root keeps the file its owner's */
    if (!ok || !(o->f = fdopen(fd, "w"))) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        out_file_abort(o);
        return fail(path, strerror(e));
    }
    watch(o->tmp);
    return 0;
}

int out_file_commit(out_file *o)
{
    errno = 0;
    int bad = fflush(o->f) != 0 || ferror(o->f), e = errno;
    if (fclose(o->f) != 0 && !bad)
        bad = 1, e = errno;
    o->f = NULL;
    if (!bad && o->tmp && rename(o->tmp, o->target ? o->target : o->path) != 0)
        bad = 1, e = errno;
    if (bad && o->tmp)
        unlink(o->tmp);
    unwatch();
    free(o->tmp);
    free(o->target);
    o->tmp = o->target = NULL;
    return bad ? fail(o->path, e ? strerror(e) : "write failed") : 0;
}

void out_file_abort(out_file *o)
{
    if (o->f && !o->tmp)
        __fpurge(o->f); /* written in place: what is still buffered is not written at all */
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    unwatch();
    free(o->tmp);
    free(o->target);
    *o = (out_file){0};
}
