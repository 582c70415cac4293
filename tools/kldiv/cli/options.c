/* options.c - kldiv's command line from one table (see options.h): each option's names, argument,
 * help text and setter, read both by getopt_long and by --help, so that the two cannot drift. */
#define _POSIX_C_SOURCE 200809L
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kld.h"

#define DEFAULT_SUM_TOLERANCE 1e-3
#define HELP_COLUMN 20 /* where --help's descriptions start */

/* Stores an option's argument (NULL for a flag) in o. Returns -1 to go on, or the status to exit
 * with: 0 after --help or --version, 2 after a usage error (message printed). */
typedef int setter(kldiv_options *o, const char *arg);

typedef struct {
    const char *name;   /* the long name without "--", or NULL */
    char letter;        /* the short name, or 0 */
    const char *arg;    /* the argument's name in --help, or NULL: a flag */
    const char *help;   /* --help's description; a '\n' starts a continuation line */
    setter *set;        /* NULL: the option only fills field */
    size_t field;       /* without set: an int set to 1 (a flag) or a const char * (an argument) */
    int slot;           /* a long name's place in getopt_long's array, kldiv 0.2's order: an
                         * ambiguous abbreviation's error lists its candidates in that order */
} option_row;

static setter set_vocab, set_sum_tolerance, set_unnormalized, set_temperature, set_format,
    set_json, set_isa, set_threads, set_memory_limit, set_context, show_help, show_version;

#define FIELD(f) .field = offsetof(kldiv_options, f)

/* --help lists the options in this order. */
static const option_row options[] = {
    {.name = "vocab", .arg = "N", .set = set_vocab, .slot = 0,
     .help = "the inputs are raw float32 rows of N entries"},
    {.name = "key", .arg = "NAME", FIELD(key), .slot = 11,
     .help = "the safetensors tensor to read (default: the only 2-D one, else the\n"
             "only 3-D one, or all of a tensor.0, tensor.1, ... list)"},
    {.name = "probs", FIELD(probs), .slot = 1,
     .help = "the inputs are probabilities (default: logits)"},
    {.name = "logits", FIELD(logits), .slot = 17,
     .help = "the inputs are logits, even rows that look like probabilities (every\n"
             "value in [0, 1], sum 1), which kldiv otherwise refuses"},
    {.name = "sum-tolerance", .arg = "E", .set = set_sum_tolerance, .slot = 2,
     .help = "with --probs, a row whose sum differs from 1 by more than E is a bad\n"
             "row (default 1e-3)"},
    {.name = "unnormalized", .set = set_unnormalized, .slot = 3,
     .help = "with --probs, accept rows of any sum (as --sum-tolerance inf)"},
    {.name = "temperature", .arg = "T", .set = set_temperature, .slot = 4,
     .help = "softmax temperature for logits (default 1)"},
    {.name = "exact", FIELD(exact), .slot = 12,
     .help = "a _logits_ BASE: exact KL, not llama.cpp's rule (docs/kldiv.md)"},
    {.name = "common-vocab", FIELD(common_vocab), .slot = 13,
     .help = "compare the first min(V_base, V_new) tokens (renormalised)"},
    {.name = "targets", .arg = "F", FIELD(targets), .slot = 14,
     .help = ".npy of int32/int64 token ids, one a row, or safetensors input_ids\n"
             "of the rows of text (exllamav3's): token statistics"},
    {.name = "js-tv", FIELD(js_tv), .slot = 16,
     .help = "also Jensen-Shannon and total variation (~1.5x the time), and the\n"
             "speculative-decoding acceptance 1 - TV"},
    {.name = "context", .arg = "N", .set = set_context, .slot = 18,
     .help = "2-D inputs hold rows of text of N positions each: KL by position"},
    {.name = "format", .arg = "F", .set = set_format, .slot = 15,
     .help = "text (default), json, or llama (llama-perplexity's layout)"},
    {.name = "json", .set = set_json, .slot = 5, .help = "as --format json"},
    {.name = "per-row", .arg = "F", FIELD(per_row), .slot = 6,
     .help = "write a CSV: row,forward,reverse,entropy_base,entropy_new,top_base,\n"
             "top_new,nll_base,nll_new,delta_p,js,tv,position,target,base_top_rank,\n"
             "target_rank_base,target_rank_new,base_top_p"},
    {.name = "isa", .arg = "NAME", .set = set_isa, .slot = 7,
     .help = "force a path: scalar, avx2, avx512 or neon"},
    {.letter = 't', .arg = "N", .set = set_threads, .slot = -1,
     .help = "worker threads over rows (default 1)"},
    {.name = "memory-limit", .arg = "M", .set = set_memory_limit, .slot = 8,
     .help = "MiB kldiv may hold, half for per-row results (8 bytes a row, 16 with\n"
             "targets) and half for buffers (default: half the machine's memory)"},
    {.letter = 'q', FIELD(quiet), .slot = -1, .help = "no progress line"},
    {.name = "help", .letter = 'h', .set = show_help, .slot = 9, .help = "this text"},
    {.name = "version", .set = show_version, .slot = 10, .help = "the kld version"},
};

#define N_OPTIONS (sizeof options / sizeof options[0])
#define LONG_ONLY 256 /* getopt_long's value for options[i] without a letter: LONG_ONLY + i */

static const char inputs_help[] =
    ".npy (float32/16/64, shape (rows, vocab) or (vocab,)), safetensors\n"
    "(F32/F16/BF16/F64; (rows, vocab), (texts, seq, vocab) or exllamav3's\n"
    "tensor.0, tensor.1, ... list) or a directory of .safetensors files,\n"
    "llama.cpp --kl-divergence-base files (_logits_), or raw little-endian\n"
    "float32 with --vocab N; a pipe or FIFO (.npy, raw) is read as a stream,\n"
    "and so is - (standard input)";

static void print_entry(FILE *f, const char *label, const char *help)
{
    fprintf(f, "  %-*s", HELP_COLUMN - 2, label);
    for (const char *nl; (nl = strchr(help, '\n')) != NULL; help = nl + 1)
        fprintf(f, "%.*s\n%*s", (int)(nl - help), help, HELP_COLUMN, "");
    fprintf(f, "%s\n", help);
}

static void print_usage(FILE *f)
{
    fputs("usage: kldiv [options] BASE NEW [NEW...]\n", f);
    print_entry(f, "BASE, NEW", inputs_help);
    print_entry(f, "NEW...", "up to 8 NEW files: each compared with BASE, which is read once,\n"
                             "then a table comparing them");
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const option_row *r = &options[i];
        char label[HELP_COLUMN];
        int n = 0;
        if (r->letter)
            n += snprintf(label, sizeof label, "-%c%s", r->letter, r->name ? ", " : "");
        if (r->name)
            n += snprintf(label + n, sizeof label - (size_t)n, "--%s", r->name);
        if (r->arg)
            snprintf(label + n, sizeof label - (size_t)n, " %s", r->arg);
        print_entry(f, label, r->help);
    }
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "kldiv: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    print_usage(stderr);
    return 2;
}

/* The setters of the table's options. */

static int set_vocab(kldiv_options *o, const char *arg)
{
    char *end;
    errno = 0;
    o->vocab = strtoull(arg, &end, 10);
    if (errno || *end || o->vocab == 0 || !isdigit((unsigned char)arg[0]) ||
        o->vocab > (1ull << 40))
        return usage_error("--vocab needs a positive integer up to 2^40, not '%s'", arg);
    return -1;
}

static int set_sum_tolerance(kldiv_options *o, const char *arg)
{
    char *end;
    o->sum_tolerance = strtod(arg, &end);
    if (*end || end == arg || !(o->sum_tolerance >= 0))
        return usage_error("--sum-tolerance needs a number >= 0 (or inf), not '%s'", arg);
    o->sum_tolerance_given = 1;
    return -1;
}

static int set_unnormalized(kldiv_options *o, const char *arg)
{
    (void)arg;
    o->sum_tolerance = INFINITY;
    o->sum_tolerance_given = 1;
    return -1;
}

static int set_temperature(kldiv_options *o, const char *arg)
{
    char *end;
    o->temperature = strtof(arg, &end);
    /* kld.h's range: a finite, positive T whose reciprocal is a finite float */
    if (*end || end == arg || !(o->temperature > 0) || isinf(o->temperature) ||
        !((float)(1.0 / o->temperature) <= FLT_MAX))
        return usage_error("--temperature needs a finite positive number from about "
                           "2.9e-39 to 3.4e38, not '%s'",
                           arg);
    o->temperature_given = 1;
    return -1;
}

static int set_format(kldiv_options *o, const char *arg)
{
    if (strcmp(arg, "text") == 0)
        o->format = REPORT_TEXT;
    else if (strcmp(arg, "json") == 0)
        o->format = REPORT_JSON;
    else if (strcmp(arg, "llama") == 0)
        o->format = REPORT_LLAMA;
    else
        return usage_error("--format is text, json or llama, not '%s'", arg);
    return -1;
}

static int set_json(kldiv_options *o, const char *arg)
{
    (void)arg;
    o->format = REPORT_JSON;
    return -1;
}

static int set_isa(kldiv_options *o, const char *arg)
{
    for (int i = 0; i < KLD_ISA_COUNT; i++)
        if (strcmp(arg, kld_isa_name((kld_isa)i)) == 0) {
            if (kld_isa_force((kld_isa)i) != 0)
                return usage_error("path '%s' is not supported on this CPU", arg);
            o->isa_forced = 1;
            return -1;
        }
    char format[160] = "unknown path '%s' (";
    for (int i = 0; i < KLD_ISA_COUNT; i++) /* the paths as kld names them: scalar, avx2, ... */
        snprintf(format + strlen(format), sizeof format - strlen(format), "%s%s",
                 kld_isa_name((kld_isa)i), i + 1 < KLD_ISA_COUNT ? ", " : ")");
    return usage_error(format, arg);
}

static int set_threads(kldiv_options *o, const char *arg)
{
    char *end;
    long t = strtol(arg, &end, 10);
    if (*end || !isdigit((unsigned char)arg[0]) || t < 1 || t > 256)
        return usage_error("-t needs a thread count from 1 to 256, not '%s'", arg);
    o->threads = (int)t;
    return -1;
}

static int set_memory_limit(kldiv_options *o, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long long mib = strtoull(arg, &end, 10);
    if (errno || *end || mib == 0 || !isdigit((unsigned char)arg[0]) || mib > (1ull << 40))
        return usage_error("--memory-limit needs a positive number of MiB, not '%s'", arg);
    o->memory_limit = (uint64_t)mib << 20;
    return -1;
}

static int set_context(kldiv_options *o, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(arg, &end, 10);
    if (errno || *end || n == 0 || !isdigit((unsigned char)arg[0]) || n > UINT32_MAX)
        return usage_error("--context needs a number of positions from 1 to 2^32 - 1, not '%s'",
                           arg);
    o->context = (uint64_t)n;
    return -1;
}

/* Half of physical memory: what kldiv lets itself hold at most. */
static uint64_t default_memory_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return (uint64_t)1 << 32;
    return (uint64_t)pages / 2 * (uint64_t)page;
}

static int show_help(kldiv_options *o, const char *arg)
{
    (void)o, (void)arg;
    print_usage(stdout);
    return 0;
}

static int show_version(kldiv_options *o, const char *arg)
{
    (void)o, (void)arg;
    printf("kldiv (kld) %d.%d.%d\n", KLD_VERSION_MAJOR, KLD_VERSION_MINOR, KLD_VERSION_PATCH);
    return 0;
}

/* getopt_long's arrays from the table: the long names in their slots, the letters in order. */
static void getopt_arrays(struct option *longopts, char *shortopts)
{
    size_t named = 0;
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const option_row *r = &options[i];
        if (r->name) {
            longopts[r->slot] = (struct option){r->name, r->arg ? required_argument : no_argument,
                                                NULL, r->letter ? r->letter : LONG_ONLY + (int)i};
            named++;
        }
        if (r->letter) {
            *shortopts++ = r->letter;
            if (r->arg)
                *shortopts++ = ':';
        }
    }
    *shortopts = '\0';
    for (size_t s = 0; s < named; s++)
        if (longopts[s].name == NULL) /* every slot from 0 to named - 1 taken once: a table */
            abort();                   /* whose slots are not is a bug, caught by any run */
    longopts[named] = (struct option){NULL, 0, NULL, 0};
}

/* The row of getopt_long's value c, or NULL for its '?' (an error it has printed). */
static const option_row *row_of(int c)
{
    if (c >= LONG_ONLY && c < LONG_ONLY + (int)N_OPTIONS)
        return &options[c - LONG_ONLY];
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].letter && options[i].letter == c)
            return &options[i];
    return NULL;
}

int options_parse(int argc, char **argv, kldiv_options *o)
{
    struct option longopts[N_OPTIONS + 1] = {{NULL, 0, NULL, 0}}; /* a slot left out stays NULL */
    char shortopts[2 * N_OPTIONS + 1];
    getopt_arrays(longopts, shortopts);
    *o = (kldiv_options){.threads = 1, .temperature = 1.0f,
                         .sum_tolerance = DEFAULT_SUM_TOLERANCE,
                         .memory_limit = default_memory_limit()};
    int c;
    optind = 0; /* a full re-initialisation of getopt: kldiv_main may run more than once */
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const option_row *r = row_of(c);
        if (r == NULL) {
            print_usage(stderr);
            return 2;
        }
        int status = -1;
        if (r->set)
            status = r->set(o, optarg);
        else if (r->arg)
            *(const char **)(void *)((char *)o + r->field) = optarg;
        else
            *(int *)(void *)((char *)o + r->field) = 1;
        if (status >= 0)
            return status;
    }
    if (argc - optind < 2)
        return usage_error("%s", "need two input files, BASE and NEW");
    if (argc - optind > 1 + KLDIV_MAX_NEW)
        return usage_error("%s", "at most 8 NEW files are compared with one BASE");
    o->n_new = argc - optind - 1;
    for (int k = 0; k < o->n_new; k++)
        o->news[k] = argv[optind + 1 + k];
    if (o->n_new > 1) {
        for (int k = 0; k <= o->n_new; k++)
            if (!strcmp(argv[optind + k], "-"))
                return usage_error("%s", "- (standard input) takes one BASE and one NEW");
        if (o->per_row)
            return usage_error("%s", "--per-row takes one NEW (a run per NEW for their CSVs)");
    }
    if (o->targets && strcmp(o->targets, "-") == 0)
        return usage_error("%s", "--targets needs a file: - (standard input) is for BASE or NEW");
    if (o->probs && o->logits)
        return usage_error("%s", "--probs and --logits: the inputs are one or the other");
    if (o->probs && o->temperature_given)
        return usage_error("%s", "--temperature applies to logits, not to --probs");
    if (!o->probs && o->sum_tolerance_given)
        return usage_error("%s", "--sum-tolerance and --unnormalized apply to --probs");
    o->base = argv[optind];
    o->new_ = argv[optind + 1];
    if (!strcmp(o->base, "-") && !strcmp(o->new_, "-"))
        return usage_error("%s", "BASE and NEW cannot both be - (standard input)");
    return -1;
}
