/* cli_parts.h - what kldiv_main (cli.c) and the run of several NEW files (multi.c) share. */
#ifndef KLDIV_CLI_PARTS_H
#define KLDIV_CLI_PARTS_H

#include <signal.h>
#include <stddef.h>

#include "input.h"
#include "options.h"
#include "out_file.h"
#include "report.h"

/* A SIGBUS (an input that shrank under its map) ends the run with one line naming names. */
void cli_guard_maps(const char *names, struct sigaction *saved);

/* Standard output or error redirected to (or appending to) a file kldiv reads: the report or a
 * message would write over it. Returns 0, or -1 after printing why on the other stream. */
int cli_check_std_streams(const out_guard *reads, size_t n);

/* An input as the reports name it. */
input_info cli_describe(const input *in);

/* kldiv BASE NEW1 NEW2 ... (o->n_new > 1): BASE read once, each NEW's report, then the table
 * comparing them; the JSON an object {"reports": [...], "comparison": [...]}. Returns the exit
 * status. */
int kldiv_multi(const kldiv_options *o);

#endif /* KLDIV_CLI_PARTS_H */
