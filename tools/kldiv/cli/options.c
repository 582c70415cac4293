/* options.c - kldiv's command line (see options.h). */
#define _POSIX_C_SOURCE 200809L
#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kld.h"

#define DEFAULT_SUM_TOLERANCE 1e-3

static const char usage_text[] =
    "usage: kldiv [options] BASE NEW\n"
    "  BASE, NEW         .npy (float32/16/64, shape (rows, vocab) or (vocab,)), safetensors\n"
    "                    (F32/F16/BF16/F64) or a directory of per-row .safetensors files,\n"
    "                    llama.cpp --kl-divergence-base files (_logits_), or raw little-endian\n"
    "                    float32 with --vocab N; a pipe or FIFO (.npy, raw) is read as a stream\n"
    "  --vocab N         the inputs are raw float32 rows of N entries\n"
    "  --key NAME        the safetensors tensor to read (default: the only 2-D one)\n"
    "  --probs           the inputs are probabilities (default: logits)\n"
    "  --sum-tolerance E with --probs, a row whose sum differs from 1 by more than E is a bad\n"
    "                    row (default 1e-3)\n"
    "  --unnormalized    with --probs, accept rows of any sum (as --sum-tolerance inf)\n"
    "  --temperature T   softmax temperature for logits (default 1)\n"
    "  --exact           a _logits_ BASE: exact KL, not llama.cpp's rule (docs/kldiv.md)\n"
    "  --common-vocab    compare the first min(V_base, V_new) tokens (renormalised)\n"
    "  --targets F       .npy of int32/int64 token ids, one a row: token statistics\n"
    "  --js-tv           also Jensen-Shannon and total variation (~3x the time)\n"
    "  --format F        text (default), json, or llama (llama-perplexity's layout)\n"
    "  --json            as --format json\n"
    "  --per-row F       write a CSV: row,forward,reverse,entropy_base,entropy_new,top_base,\n"
    "                    top_new,nll_base,nll_new,delta_p,js,tv\n"
    "  --isa NAME        force a path: scalar, avx2, avx512 or neon\n"
    "  -t N              worker threads over rows (default 1)\n"
    "  --memory-limit M  MiB kldiv may hold, half for per-row results (8 bytes a row, 16 with\n"
    "                    targets) and half for buffers (default: half the machine's memory)\n"
    "  -q                no progress bar\n"
    "  -h, --help        this text\n"
    "  --version         the kld version\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "kldiv: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return 2;
}

static int force_isa(const char *name)
{
    for (int i = 0; i < KLD_ISA_COUNT; i++)
        if (strcmp(name, kld_isa_name((kld_isa)i)) == 0) {
            if (kld_isa_force((kld_isa)i) != 0)
                return usage_error("path '%s' is not supported on this CPU", name);
            return -1;
        }
    return usage_error("unknown path '%s' (scalar, avx2, avx512, neon)", name);
}

/* Half of physical memory: what kldiv lets itself hold at most. */
static uint64_t default_memory_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0)
        return (uint64_t)1 << 32;
    return (uint64_t)pages / 2 * (uint64_t)page;
}

int options_parse(int argc, char **argv, kldiv_options *o)
{
    enum {
        OPT_VOCAB = 256,
        OPT_PROBS,
        OPT_SUM_TOL,
        OPT_UNNORM,
        OPT_TEMP,
        OPT_JSON,
        OPT_PER_ROW,
        OPT_ISA,
        OPT_MEMORY,
        OPT_VERSION,
        OPT_KEY,
        OPT_EXACT,
        OPT_COMMON,
        OPT_TARGETS,
        OPT_FORMAT,
        OPT_JS_TV
    };
    static const struct option longopts[] = {
        {"vocab", required_argument, NULL, OPT_VOCAB},
        {"probs", no_argument, NULL, OPT_PROBS},
        {"sum-tolerance", required_argument, NULL, OPT_SUM_TOL},
        {"unnormalized", no_argument, NULL, OPT_UNNORM},
        {"temperature", required_argument, NULL, OPT_TEMP},
        {"json", no_argument, NULL, OPT_JSON},
        {"per-row", required_argument, NULL, OPT_PER_ROW},
        {"isa", required_argument, NULL, OPT_ISA},
        {"memory-limit", required_argument, NULL, OPT_MEMORY},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"key", required_argument, NULL, OPT_KEY},
        {"exact", no_argument, NULL, OPT_EXACT},
        {"common-vocab", no_argument, NULL, OPT_COMMON},
        {"targets", required_argument, NULL, OPT_TARGETS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"js-tv", no_argument, NULL, OPT_JS_TV},
        {NULL, 0, NULL, 0},
    };
    *o = (kldiv_options){.threads = 1, .temperature = 1.0f,
                         .sum_tolerance = DEFAULT_SUM_TOLERANCE,
                         .memory_limit = default_memory_limit()};
    int temp_given = 0, tol_given = 0, c, rc;
    char *end;
    optind = 0; /* a full re-initialisation of getopt: kldiv_main may run more than once */
    while ((c = getopt_long(argc, argv, "t:qh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_VOCAB:
            errno = 0;
            o->vocab = strtoull(optarg, &end, 10);
            if (errno || *end || o->vocab == 0 || !isdigit((unsigned char)optarg[0]) ||
                o->vocab > (1ull << 40))
                return usage_error("--vocab needs a positive integer up to 2^40, not '%s'",
                                   optarg);
            break;
        case OPT_PROBS:
            o->probs = 1;
            break;
        case OPT_SUM_TOL:
            o->sum_tolerance = strtod(optarg, &end);
            if (*end || end == optarg || !(o->sum_tolerance >= 0))
                return usage_error("--sum-tolerance needs a number >= 0 (or inf), not '%s'",
                                   optarg);
            tol_given = 1;
            break;
        case OPT_UNNORM:
            o->sum_tolerance = INFINITY;
            tol_given = 1;
            break;
        case OPT_TEMP:
            o->temperature = strtof(optarg, &end);
            /* kld.h's range: a finite, positive T whose reciprocal is a finite float */
            if (*end || end == optarg || !(o->temperature > 0) || isinf(o->temperature) ||
                !((float)(1.0 / o->temperature) <= FLT_MAX))
                return usage_error("--temperature needs a finite positive number from about "
                                   "2.9e-39 to 3.4e38, not '%s'",
                                   optarg);
            temp_given = 1;
            break;
        case OPT_JSON:
            o->format = REPORT_JSON;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                o->format = REPORT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                o->format = REPORT_JSON;
            else if (strcmp(optarg, "llama") == 0)
                o->format = REPORT_LLAMA;
            else
                return usage_error("--format is text, json or llama, not '%s'", optarg);
            break;
        case OPT_KEY:
            o->key = optarg;
            break;
        case OPT_EXACT:
            o->exact = 1;
            break;
        case OPT_COMMON:
            o->common_vocab = 1;
            break;
        case OPT_JS_TV:
            o->js_tv = 1;
            break;
        case OPT_TARGETS:
            o->targets = optarg;
            break;
        case OPT_PER_ROW:
            o->per_row = optarg;
            break;
        case OPT_ISA:
            if ((rc = force_isa(optarg)) >= 0)
                return rc;
            o->isa_forced = 1;
            break;
        case OPT_MEMORY: {
            errno = 0;
            unsigned long long mib = strtoull(optarg, &end, 10);
            if (errno || *end || mib == 0 || !isdigit((unsigned char)optarg[0]) ||
                mib > (1ull << 40))
                return usage_error("--memory-limit needs a positive number of MiB, not '%s'",
                                   optarg);
            o->memory_limit = (uint64_t)mib << 20;
            break;
        }
        case 't': {
            long t = strtol(optarg, &end, 10);
            if (*end || !isdigit((unsigned char)optarg[0]) || t < 1 || t > 256)
                return usage_error("-t needs a thread count from 1 to 256, not '%s'", optarg);
            o->threads = (int)t;
            break;
        }
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case OPT_VERSION:
            printf("kldiv (kld) %d.%d.%d\n", KLD_VERSION_MAJOR, KLD_VERSION_MINOR,
                   KLD_VERSION_PATCH);
            return 0;
        default:
            fputs(usage_text, stderr);
            return 2;
        }
    }
    if (argc - optind != 2)
        return usage_error("%s", "need two input files, BASE and NEW");
    if (o->probs && temp_given)
        return usage_error("%s", "--temperature applies to logits, not to --probs");
    if (!o->probs && tol_given)
        return usage_error("%s", "--sum-tolerance and --unnormalized apply to --probs");
    o->temperature_given = temp_given;
    o->base = argv[optind];
    o->new_ = argv[optind + 1];
    return -1;
}
