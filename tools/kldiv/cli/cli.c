/* cli.c - kldiv from its options to its report (see cli.h): open both inputs, check that they
 * match, run the rows, write the report and the per-row CSV, and turn every failure into a
 * one-line message and exit status 1. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "input.h"
#include "kld.h"
#include "options.h"
#include "out_file.h"
#include "report.h"
#include "results.h"
#include "pairing.h"
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
    ssize_t unused = write(STDERR_FILENO, bus_message, bus_length);
    (void)unused;
    out_file_remove_pending();
    _exit(1);
}

static void guard_maps(const char *names, struct sigaction *saved)
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
    input in[2] = {{0}, {0}};
    out_file csv = {0};
    char names[512];
    snprintf(names, sizeof names, "%s, %s", o.base, o.new_);
    struct sigaction saved_bus;
    guard_maps(names, &saved_bus);
    results res = {.limit = o.memory_limit / 2, .inputs = names};
    uint64_t rows = 0;
    score_setup setup;
    targets tg = {0};
    status = 1;
    if (input_open(&in[0], o.base, o.vocab, o.key) != 0 ||
        input_open(&in[1], o.new_, o.vocab, o.key) != 0 || input_key_unused(in) != 0)
        goto out;
    if ((status = pair_inputs(in, &o, &setup, &tg)) != 0)
        goto out;
    status = 1;
    const int targets_known = tg.llama || tg.ids;
    if (results_reserve(&res, in[0].rows ? in[0].rows : in[1].rows, targets_known) != 0)
        goto out;
    if (o.per_row) {
        if (out_file_open(&csv, o.per_row, in, 2) != 0)
            goto out;
        res.csv = csv.f;
        res.csv_path = o.per_row;
        if (fprintf(csv.f, "row,forward,reverse,entropy_base,entropy_new,top_base,top_new,"
                           "nll_base,nll_new,delta_p,js,tv\n") < 0)
            goto out;
    }
    const double start = now();
    if (run_rows(in, &o, &setup, &tg, &res, &rows) != 0)
        goto out;
    if (rows == 0) { /* an empty stream (an empty regular file fails earlier) */
        fprintf(stderr, "kldiv: %s: no rows to compare\n", names);
        goto out;
    }
    const double seconds = now() - start;
    char dtype[32];
    snprintf(dtype, sizeof dtype, "%s%s%s", input_dtype_name(in[0].dtype),
             in[0].dtype == in[1].dtype ? "" : "/",
             in[0].dtype == in[1].dtype ? "" : input_dtype_name(in[1].dtype));
    run_info info = {(size_t)rows, setup.n, (size_t)in[0].vocab, (size_t)in[1].vocab, dtype,
                     kld_isa_name(kld_isa_active()), o.probs, setup.llama_rule, o.temperature,
                     seconds, (double)rows * (double)(in[0].row_bytes + in[1].row_bytes) /
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
        fprintf(stderr, "kldiv: %s: every row is bad (%llu rows): no statistics\n", names,
                (unsigned long long)rows);
        goto out;
    }
    status = 0;
out:
    out_file_abort(&csv);
    for (int k = 0; k < 2; k++)
        input_close(&in[k]);
    results_free(&res);
    targets_free(&tg);
    sigaction(SIGBUS, &saved_bus, NULL);
    return status;
}
