/* cli.c - kldiv from its options to its report (see cli.h): open both inputs, check that they
 * match, run the rows, write the report and the per-row CSV, and turn every failure into a
 * one-line message and exit status 1. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "cli_parts.h"

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"
#include "kld.h"
#include "options.h"
#include "out_file.h"
#include "report.h"
#include "results.h"
#include "pairing.h"
#include "positions.h"
#include "runner.h"
#include "targets.h"

/* KLD_ISA names a path the library did not pick (unknown, or not runnable here), and --isa did
 * not override it: say so. */
static void warn_isa_env(void)
{
    const char *env = getenv("KLD_ISA");
    const char *active = kld_isa_name(kld_isa_active());
    if (env && strcmp(env, active) != 0)
        fprintf(stderr, "kldiv: KLD_ISA=%s is not a path this CPU and build support; using %s\n",
                env, active);
}

/* Inputs are read through maps: a file that shrinks (or a device that fails) under a map raises
 * SIGBUS on the next read of it. That ends the run with one line and status 1, not a crash. */
static char bus_message[1024];
static size_t bus_length;

static void on_sigbus(int sig)
{
    (void)sig;
    static atomic_flag said = ATOMIC_FLAG_INIT; /* one line, whichever threads fault */
    if (atomic_flag_test_and_set(&said))
        for (;;)
            pause(); /* the first thread's _exit ends the process */
    ssize_t unused = write(STDERR_FILENO, bus_message, bus_length);
    (void)unused;
    out_file_remove_pending();
    _exit(1);
}

void cli_guard_maps(const char *names, struct sigaction *saved)
{
    int len = snprintf(bus_message, sizeof bus_message,
                       "kldiv: %s: an input file shrank or failed while it was read (SIGBUS)\n",
                       names);
    bus_length = len < 0 ? 0 : (size_t)len < sizeof bus_message ? (size_t)len
                                                                 : sizeof bus_message - 1;
    struct sigaction sa = {0};
    sa.sa_handler = on_sigbus;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, saved);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The one file id of a path (0 when it cannot be read: no output can then be that file). */
static size_t add_guard(out_guard *g, const char *role, const char *path)
{
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return 0;
    *g = (out_guard){st.st_dev, st.st_ino, role, path};
    return 1;
}

/* The files kldiv reads, which no output may replace: BASE and NEW (a directory and each of its
 * parts), --targets. NULL after printing why. */
static out_guard *files_read(const kldiv_options *o, const input in[2], size_t *count)
{
    size_t cap = 3 + in[0].n_parts + in[1].n_parts, n = 0;
    out_guard *reads = malloc(cap * sizeof *reads);
    if (!reads) {
        fprintf(stderr, "kldiv: out of memory\n");
        return NULL;
    }
    for (int k = 0; k < 2; k++) {
        reads[n++] = (out_guard){in[k].dev, in[k].ino, k ? "NEW" : "BASE", in[k].path};
        for (size_t i = 0; i < in[k].n_parts; i++)
            n += add_guard(&reads[n], k ? "a part of NEW," : "a part of BASE,",
                           in[k].parts[i].path);
    }
    n += add_guard(&reads[n], "--targets", o->targets);
    *count = n;
    return reads;
}

/* Standard output or error redirected to (or appending to) a file kldiv reads: the report or a
 * message would write over it. Returns 0, or -1 after printing why on the other stream. */
int cli_check_std_streams(const out_guard *reads, size_t n)
{
    for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++) {
        struct stat st;
        int flags = fcntl(fd, F_GETFL); /* a stream kldiv was started with closed can be an input
                                         * opened since, read-only: not written through */
        if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY || fstat(fd, &st) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        for (size_t k = 0; k < n; k++)
            if (st.st_dev == reads[k].dev && st.st_ino == reads[k].ino) {
                dprintf(fd == STDOUT_FILENO ? STDERR_FILENO : STDOUT_FILENO,
                        "kldiv: standard %s is the same file as %s %s: refusing to write over "
                        "it\n",
                        fd == STDOUT_FILENO ? "output" : "error", reads[k].role, reads[k].path);
                return -1;
            }
    }
    return 0;
}

/* An input as the reports name it. */
input_info cli_describe(const input *in)
{
    static const char *const kinds[] = {[INPUT_NPY] = ".npy",
                                        [INPUT_RAW] = "raw float32",
                                        [INPUT_LLAMA] = "llama.cpp _logits_",
                                        [INPUT_SAFETENSORS] = "safetensors",
                                        [INPUT_ST_DIR] = "safetensors directory"};
    return (input_info){in->path, in->st_list ? "safetensors tensor.N list" : kinds[in->format],
                        input_dtype_name(in->dtype),
                        (size_t)in->rows_read, (size_t)in->vocab};
}

/* Logits rows that look like probabilities (score.c: every value in [0, 1], sum 1) are the
 * easiest mistake there is (--probs forgotten), and their KL is near 0, not an error: the run ends
 * at the first such row (results_add) unless --logits insists. */
static void say_probs_like(const results *r, const input in[2])
{
    fprintf(stderr, "kldiv: %s: row %llu looks like probabilities, not logits (every value in "
                    "[0, 1], summing to 1): add --probs (or --logits if they are logits)\n",
            in[r->probs_like_side].path, (unsigned long long)r->probs_like_row);
}

/* When most rows are bad for one reason, what that reason most likely means. */
static const char *likely_cause(const results *r, const kldiv_options *o)
{
    if (!o->probs || 2 * r->bad_outside <= r->n_bad)
        return "";
    return "; most have values outside [0, 1] (negative, or summing far above 1): these look "
           "like logits (drop --probs)";
}

int kldiv_main(int argc, char **argv)
{
    kldiv_options o;
    int status = options_parse(argc, argv, &o);
    if (status >= 0) {
        if (fflush(stdout) == 0 && !ferror(stdout))
            return status;
        fprintf(stderr, "kldiv: writing to stdout failed\n");
        return 1;
    }
    if (!o.isa_forced)
        warn_isa_env();
    if (o.n_new > 1)
        return kldiv_multi(&o);
    input in[2] = {{0}, {0}};
    out_file csv = {0};
    char names[512];
    snprintf(names, sizeof names, "%s, %s", o.base, o.new_);
    struct sigaction saved_bus;
    cli_guard_maps(names, &saved_bus);
    results res = {.limit = o.memory_limit / 2,
                   .inputs = names,
                   .refuse_probs_like = !o.probs && !o.logits,
                   .probs_like_side = -1};
    uint64_t rows = 0;
    score_setup setup;
    targets tg = {0};
    positions pos = {0};
    out_guard *reads = NULL;
    size_t n_reads = 0;
    status = 1;
    if (input_open(&in[0], o.base, o.vocab, o.key) != 0 ||
        input_open(&in[1], o.new_, o.vocab, o.key) != 0 || input_key_unused(in) != 0)
        goto out;
    if ((status = pair_inputs(in, &o, &setup, &tg)) != 0)
        goto out;
    status = 1;
    if (positions_of(&pos, in, &tg, o.context) != 0)
        goto out;
    res.pos = pos.period || pos.lengths ? &pos : NULL;
    if (!(reads = files_read(&o, in, &n_reads)) || cli_check_std_streams(reads, n_reads) != 0)
        goto out;
    const int targets_known = tg.llama || tg.ids;
    if (results_reserve(&res, in[0].rows ? in[0].rows : in[1].rows, targets_known) != 0)
        goto out;
    if (o.per_row) {
        if (out_file_open(&csv, o.per_row, reads, n_reads) != 0)
            goto out;
        res.csv = csv.f;
        res.csv_path = o.per_row;
        if (fprintf(csv.f, "row,forward,reverse,entropy_base,entropy_new,top_base,top_new,"
                           "nll_base,nll_new,delta_p,js,tv,position,target,base_top_rank,"
                           "target_rank_base,target_rank_new,base_top_p\n") < 0)
            goto out;
    }
    const double start = now();
    if (run_rows(in, 2, &o, &setup, &tg, &res, &rows) != 0) {
        if (res.probs_like_side >= 0)
            say_probs_like(&res, in);
        goto out;
    }
    if (rows == 0) { /* an empty stream (an empty regular file fails earlier) */
        fprintf(stderr, "kldiv: %s: no rows to compare\n", names);
        goto out;
    }
    const double seconds = now() - start;
    char dtype[32];
    snprintf(dtype, sizeof dtype, "%s%s%s", input_dtype_name(in[0].dtype),
             in[0].dtype == in[1].dtype ? "" : "/",
             in[0].dtype == in[1].dtype ? "" : input_dtype_name(in[1].dtype));
    run_info info = {.base = cli_describe(&in[0]),
                     .new_ = cli_describe(&in[1]),
                     .rows = (size_t)rows,
                     .vocab = setup.n,
                     .vocab_base = (size_t)in[0].vocab,
                     .vocab_new = (size_t)in[1].vocab,
                     .dtype = dtype,
                     .isa = kld_isa_name(kld_isa_active()),
                     .probs = o.probs,
                     .llama_rule = setup.llama_rule,
                     .temperature = o.temperature,
                     .seconds = seconds,
                     .gb_per_s = (double)rows * (double)(in[0].row_bytes + in[1].row_bytes) /
                                 seconds / 1e9};
    if (o.per_row) {
        res.csv = NULL;
        if (out_file_commit(&csv) != 0)
            goto out;
    }
    if (report_write(stdout, &res, &info, o.format) != 0) {
        fprintf(stderr, "kldiv: writing the report failed\n");
        goto out;
    }
    if (rows > 0 && res.good == 0) {
        fprintf(stderr, "kldiv: %s: every row is bad (%llu rows): no statistics%s\n", names,
                (unsigned long long)rows, likely_cause(&res, &o));
        goto out;
    }
    status = 0;
out:
    out_file_abort(&csv);
    free(reads);
    for (int k = 0; k < 2; k++)
        input_close(&in[k]);
    results_free(&res);
    targets_free(&tg);
    positions_free(&pos);
    sigaction(SIGBUS, &saved_bus, NULL);
    return status;
}
