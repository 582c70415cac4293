/* fuzz_kldiv.c - fuzz target for kldiv's whole input path, from the command line to the report:
 * options, format recognition, header parsing, size checks against the file, allocation, the
 * row loop with threads, bad rows, the per-row CSV and the report. The first bytes choose the
 * options; the rest becomes the two input files (memfds, so regular files of exactly that size),
 * each the whole rest or one half of it. Mode bits: 0x01 --probs, 0x02 --vocab, 0x04 --json,
 * 0x08 --per-row, 0x30 threads - 1, 0x40 two halves; 0x80 --unnormalized with --probs, else
 * --logits; 0xc0 --common-vocab. --memory-limit keeps every run small, so a size that
 * slips through the checks shows up as an allocation past libFuzzer's -malloc_limit_mb.
 * The reports go to stdout (.ci/run closes it with -close_fd_mask=1, so every write fails and
 * must still end in status 1, never a crash). Built for libFuzzer with -Dfuzz=true; otherwise
 * fuzz_replay.c runs it over tests/corpus_kldiv/ (made by scripts/make_kldiv_corpus.py). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"

/* A memfd holding size bytes of data; its /proc path goes to path. */
static int memfd_with(const uint8_t *data, size_t size, char *path, size_t len)
{
    int fd = memfd_create("kldiv-fuzz", 0);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    unsigned mode = data[0], vocab = data[1] + 1u;
    data += 2;
    size -= 2;
    size_t half = mode & 0x40 ? size / 2 : size;
    char base[64], new_[64], vocab_arg[16], threads[8];
    int fb = memfd_with(data, half, base, sizeof base);
    int fn = mode & 0x40 ? memfd_with(data + half, size - half, new_, sizeof new_) : fb;
    if (fb < 0 || fn < 0)
        abort();
    if (fn == fb)
        memcpy(new_, base, sizeof new_);
    snprintf(vocab_arg, sizeof vocab_arg, "%u", vocab);
    snprintf(threads, sizeof threads, "%u", (mode >> 4 & 3) + 1);
    char csv[] = "/tmp/kldiv-fuzz-XXXXXX";
    int have_dir = (mode & 0x08) && mkdtemp(csv);
    char csv_path[64];
    snprintf(csv_path, sizeof csv_path, "%s/rows.csv", csv);
    char *argv[24]; /* at most 16 arguments and the NULL */
    int argc = 0;
    argv[argc++] = "kldiv";
    argv[argc++] = "-q";
    argv[argc++] = "--memory-limit";
    argv[argc++] = "16";
    argv[argc++] = "-t";
    argv[argc++] = threads;
    if (mode & 0x01)
        argv[argc++] = "--probs";
    if (mode & 0x02) {
        argv[argc++] = "--vocab";
        argv[argc++] = vocab_arg;
    }
    if (mode & 0x04)
        argv[argc++] = "--json";
    if (have_dir) {
        argv[argc++] = "--per-row";
        argv[argc++] = csv_path;
    }
    if ((mode & 0x81) == 0x81)
        argv[argc++] = "--unnormalized";
    if ((mode & 0x81) == 0x80) /* logits: insist, so that probability-like rows are scored too */
        argv[argc++] = "--logits";
    if ((mode & 0xc0) == 0xc0) /* two files: their first min(V_base, V_new) tokens */
        argv[argc++] = "--common-vocab";
    argv[argc++] = base;
    argv[argc++] = new_;
    argv[argc] = NULL;
    int status = kldiv_main(argc, argv);
    if (status < 0 || status > 2)
        abort();
    if (have_dir) {
        unlink(csv_path);
        rmdir(csv);
    }
    close(fb);
    if (fn != fb)
        close(fn);
    return 0;
}
