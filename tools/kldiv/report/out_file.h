/* out_file.h - an output file that never destroys an input and is never left half-written: it is
 * refused when it is one of the files kldiv reads (same device and inode: BASE, NEW, every part of
 * a directory input, --targets) or, when it exists, not writable; written to a temporary file
 * beside it (beside a symlink's target) with the existing file's mode and owner; and renamed over
 * the target only once every write has succeeded. SIGINT, SIGTERM and SIGHUP remove the
 * temporary file. A target that is not a regular file (a FIFO with a reader, a device) is written
 * in place, and so is the file kldiv's standard output or error already writes to (--per-row
 * /dev/stdout >> log): through that stream's own open file, at its offset, as a shell
 * redirection would, so that neither the file's earlier contents nor the report are lost; "-" is
 * standard output. A run that fails writes nothing more to an in-place target (what is buffered
 * is dropped) and leaves no temporary file. */
#ifndef KLDIV_OUT_FILE_H
#define KLDIV_OUT_FILE_H

#include <stdio.h>

#include <sys/types.h>

typedef struct {
    const char *path;
    char *tmp;    /* the temporary file's name, or NULL when writing in place */
    char *target; /* the resolved path of an existing file, or NULL: path itself */
    FILE *f;
} out_file;

/* A file kldiv reads, which no output may replace: role names it in messages ("BASE", "--targets",
 * "a part of BASE"). */
typedef struct {
    dev_t dev;
    ino_t ino;
    const char *role, *path;
} out_guard;

/* Returns 0, or -1 after printing why. */
int out_file_open(out_file *o, const char *path, const out_guard *reads, size_t count);

/* Flushes, checks every write, closes and renames. Returns 0, or -1 after printing why (the
 * temporary file is then removed). */
int out_file_commit(out_file *o);

/* Closes and removes the temporary file (a failed run leaves nothing behind). */
void out_file_abort(out_file *o);

/* Async-signal-safe: removes the temporary file of an open out_file, for a signal handler that
 * ends the run. */
void out_file_remove_pending(void);

#endif /* KLDIV_OUT_FILE_H */
