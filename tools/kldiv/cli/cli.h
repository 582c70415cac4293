/* cli.h - kldiv as a function: what main() runs, and what the fuzz target calls with its own
 * argument vectors (so that every path from the command line to the report is fuzzed). */
#ifndef KLDIV_CLI_H
#define KLDIV_CLI_H

/* Runs kldiv; the report goes to stdout, messages to stderr. Returns the exit status: 0 ok,
 * 1 data or output error, 2 usage error. Never exits; stdout is flushed and checked, not
 * closed (main closes it). */
int kldiv_main(int argc, char **argv);

#endif /* KLDIV_CLI_H */
