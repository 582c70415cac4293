/* kldiv.c - compares two models' next-token logits (or probabilities) row by row with kld and
 * prints the distribution of the KL divergence: kld's main job for a person. Inputs stream in
 * chunks, so memory stays bounded whatever the file size. Exit status: 0 ok, 1 data error,
 * 2 usage error. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kld.h"
#include "npy.h"
#include "summary.h"

#define CHUNK_BYTES (32u << 20) /* per input, per chunk */

static const char usage_text[] =
    "usage: kldiv [options] BASE NEW\n"
    "  BASE, NEW       .npy files (float32, float16 or float64, C order, shape (rows, vocab)\n"
    "                  or (vocab,)), or raw little-endian float32 with --vocab N\n"
    "  --vocab N       the inputs are raw float32 rows of N entries\n"
    "  --probs         the inputs are probabilities (default: logits)\n"
    "  --temperature T softmax temperature for logits (default 1)\n"
    "  --json          print the summary as one JSON object\n"
    "  --per-row F     write a CSV: row,forward,reverse,entropy_base,entropy_new,top_base,top_new\n"
    "  --isa NAME      force a path: scalar, avx2, avx512 or neon\n"
    "  -t N            worker threads over rows (default 1)\n"
    "  -q              no progress bar\n"
    "  -h, --help      this text\n"
    "  --version       the kld version\n";

typedef struct {
    const char *path;
    FILE *f;
    npy_dtype dtype;
    int itemsize;
    uint64_t rows, vocab, offset;
} input;

typedef struct {
    double forward, reverse, entropy_base, entropy_new;
    size_t top_base, top_new;
    int bad;
} row_result;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "kldiv: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return 2;
}

static const char *dtype_name(npy_dtype d)
{
    return d == NPY_F16 ? "float16" : d == NPY_F32 ? "float32" : "float64";
}

/* Opens and validates one input; prints a one-line error naming the file on failure. */
static int open_input(input *in, const char *path, uint64_t raw_vocab)
{
    in->path = path;
    in->f = fopen(path, "rb");
    if (!in->f) {
        fprintf(stderr, "kldiv: %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(in->f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "kldiv: %s: not a regular file\n", path);
        return -1;
    }
    uint64_t size = (uint64_t)st.st_size;
    char err[256];
    if (raw_vocab) {
        in->dtype = NPY_F32;
        in->itemsize = 4;
        in->vocab = raw_vocab;
        in->offset = 0;
        if (size == 0 || size % (4 * raw_vocab) != 0) {
            fprintf(stderr, "kldiv: %s: %llu bytes is not a whole number of %llu-float rows\n",
                    path, (unsigned long long)size, (unsigned long long)raw_vocab);
            return -1;
        }
        in->rows = size / (4 * raw_vocab);
        return 0;
    }
    npy_info info;
    if (npy_read_header(in->f, &info, err, sizeof err) != 0) {
        fprintf(stderr, "kldiv: %s: %s%s\n", path, err,
                strstr(err, "magic") ? " (raw float32 input needs --vocab N)" : "");
        return -1;
    }
    in->dtype = info.dtype;
    in->itemsize = info.itemsize;
    in->rows = info.rows;
    in->vocab = info.cols;
    in->offset = info.data_offset;
    uint64_t need = info.rows * info.cols * (uint64_t)info.itemsize;
    if (size < in->offset || size - in->offset != need) {
        fprintf(stderr, "kldiv: %s: %s data: the header's shape needs %llu bytes, the file has %llu\n",
                path, size < in->offset + need ? "truncated" : "trailing bytes after the",
                (unsigned long long)need,
                (unsigned long long)(size < in->offset ? 0 : size - in->offset));
        return -1;
    }
    if (fseeko(in->f, (off_t)in->offset, SEEK_SET) != 0) {
        fprintf(stderr, "kldiv: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = h >> 10 & 0x1f, mant = h & 0x3ff, bits;
    if (exp == 0x1f)
        bits = sign | 0x7f800000u | mant << 13; /* inf, NaN */
    else if (exp != 0)
        bits = sign | (exp + 112) << 23 | mant << 13;
    else if (mant == 0)
        bits = sign; /* zero */
    else {           /* subnormal half: normalise */
        int e = -1;
        do {
            mant <<= 1;
            e++;
        } while (!(mant & 0x400));
        bits = sign | (uint32_t)(112 - e) << 23 | (mant & 0x3ff) << 13;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Reads count elements of in into dst as float (or as double when dst64 is set and the input is
 * float64); little-endian hosts only (x86-64, aarch64). */
static int read_elements(input *in, size_t count, void *raw, float *dst, double *dst64)
{
    if (fread(raw, (size_t)in->itemsize, count, in->f) != count) {
        fprintf(stderr, "kldiv: %s: read failed: %s\n", in->path,
                ferror(in->f) ? strerror(errno) : "unexpected end of file");
        return -1;
    }
    if (dst64) {
        memcpy(dst64, raw, count * sizeof(double));
    } else if (in->dtype == NPY_F32) {
        memcpy(dst, raw, count * sizeof(float));
    } else if (in->dtype == NPY_F16) {
        const uint16_t *h = raw;
        for (size_t i = 0; i < count; i++)
            dst[i] = half_to_float(h[i]);
    } else {
        const double *d = raw;
        for (size_t i = 0; i < count; i++)
            dst[i] = (float)d[i];
    }
    return 0;
}

typedef struct {
    const float *a, *b;
    const double *a64, *b64;
    size_t first, count, vocab;
    int probs;
    float temperature;
    row_result *out;
} job;

/* the first index of the largest element */
#define DEFINE_ARGMAX(T, SUFFIX)                                                                 \
    static size_t argmax_##SUFFIX(const T *x, size_t n)                                          \
    {                                                                                            \
        size_t best = 0;                                                                         \
        for (size_t i = 1; i < n; i++)                                                           \
            if (x[i] > x[best])                                                                  \
                best = i;                                                                        \
        return best;                                                                             \
    }
DEFINE_ARGMAX(float, f32)
DEFINE_ARGMAX(double, f64)

/* Probabilities: a row is bad if either side has NaN, an infinity or a negative value. */
static void prob_row(const job *j, size_t r, row_result *res)
{
    size_t off = r * j->vocab, n = j->vocab, idx;
    kld_stats s;
    if (j->a64) {
        res->bad = kld_check_f64(j->a64 + off, n, INFINITY, &idx) != KLD_OK ||
                   kld_check_f64(j->b64 + off, n, INFINITY, &idx) != KLD_OK;
        kld_stats_f64(j->a64 + off, j->b64 + off, n, &s);
        res->top_base = argmax_f64(j->a64 + off, n);
        res->top_new = argmax_f64(j->b64 + off, n);
    } else {
        res->bad = kld_check_f32(j->a + off, n, INFINITY, &idx) != KLD_OK ||
                   kld_check_f32(j->b + off, n, INFINITY, &idx) != KLD_OK;
        kld_stats_f32(j->a + off, j->b + off, n, &s);
        res->top_base = argmax_f32(j->a + off, n);
        res->top_new = argmax_f32(j->b + off, n);
    }
    res->forward = s.forward;
    res->reverse = s.reverse;
    res->entropy_base = s.entropy_p;
    res->entropy_new = s.entropy_q;
}

static void *run_job(void *arg)
{
    const job *j = arg;
    if (j->probs) {
        for (size_t r = j->first; r < j->first + j->count; r++)
            prob_row(j, r, &j->out[r]);
        return NULL;
    }
    kld_logit_stats *s = malloc(j->count * sizeof *s);
    if (!s)
        return (void *)1;
    const float *a = j->a + j->first * j->vocab, *b = j->b + j->first * j->vocab;
    kld_rows_stats_logits_f32(a, b, j->count, j->vocab, j->vocab, j->vocab, j->temperature, s);
    for (size_t k = 0; k < j->count; k++) {
        row_result *res = &j->out[j->first + k];
        /* NaN or +inf in a row, or a row of all -inf: kld returns NaN for it */
        res->bad = isnan(s[k].kl.forward) || isnan(s[k].kl.reverse);
        res->forward = s[k].kl.forward;
        res->reverse = s[k].kl.reverse;
        res->entropy_base = s[k].kl.entropy_p;
        res->entropy_new = s[k].kl.entropy_q;
        res->top_base = s[k].argmax_a;
        res->top_new = s[k].argmax_b;
    }
    free(s);
    return NULL;
}

/* Runs the chunk's rows on `threads` threads: slices 1.. on new threads (inline if one cannot
 * start), slice 0 on the calling thread. */
static int run_chunk(job base, size_t rows, int threads)
{
    pthread_t tid[256];
    job jobs[256];
    int started[256] = {0}, failed = 0, n = 0;
    size_t per = (rows + (size_t)threads - 1) / (size_t)threads;
    for (; n < threads && (size_t)n * per < rows; n++) {
        jobs[n] = base;
        jobs[n].first = (size_t)n * per;
        jobs[n].count = rows - jobs[n].first < per ? rows - jobs[n].first : per;
    }
    for (int t = 1; t < n; t++)
        started[t] = pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0;
    for (int t = 0; t < n; t++)
        if (!started[t] && run_job(&jobs[t]))
            failed = 1;
    for (int t = 1; t < n; t++) {
        void *ret = NULL;
        if (started[t])
            pthread_join(tid[t], &ret);
        failed |= ret != NULL;
    }
    return failed ? -1 : 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* JSON has no NaN or infinities: those are written as null. */
static void json_num(FILE *o, const char *key, double v, const char *sep)
{
    if (isfinite(v))
        fprintf(o, "\"%s\": %.10g%s", key, v, sep);
    else
        fprintf(o, "\"%s\": null%s", key, sep);
}

typedef struct {
    size_t rows, vocab, good, agree;
    const char *dtype, *isa;
    dist_summary fwd;
    double rev_mean, rev_max, hb_mean, hn_mean, seconds, gbps;
    const size_t *bad;
    size_t n_bad;
} report;

static void print_json(const report *r)
{
    const dist_summary *f = &r->fwd;
    printf("{\"rows\": %zu, \"vocab\": %zu, \"dtype\": \"%s\", \"isa\": \"%s\", \"forward\": {",
           r->rows, r->vocab, r->dtype, r->isa);
    json_num(stdout, "mean", f->mean, ", ");
    json_num(stdout, "stderr", f->stderr_mean, ", ");
    json_num(stdout, "median", f->median, ", ");
    json_num(stdout, "p1", f->p1, ", ");
    json_num(stdout, "p5", f->p5, ", ");
    json_num(stdout, "p10", f->p10, ", ");
    json_num(stdout, "p90", f->p90, ", ");
    json_num(stdout, "p95", f->p95, ", ");
    json_num(stdout, "p99", f->p99, ", ");
    json_num(stdout, "p999", f->p999, ", ");
    json_num(stdout, "min", f->min, ", ");
    json_num(stdout, "max", f->max, "}, \"reverse\": {");
    json_num(stdout, "mean", r->rev_mean, ", ");
    json_num(stdout, "max", r->rev_max, "}, ");
    json_num(stdout, "top_agreement", r->good ? (double)r->agree / (double)r->good : NAN, ", ");
    json_num(stdout, "entropy_base_mean", r->hb_mean, ", ");
    json_num(stdout, "entropy_new_mean", r->hn_mean, ", \"bad_rows\": [");
    for (size_t i = 0; i < r->n_bad; i++)
        printf("%s%zu", i ? ", " : "", r->bad[i]);
    printf("], ");
    json_num(stdout, "seconds", r->seconds, ", ");
    json_num(stdout, "gb_per_s", r->gbps, "}\n");
}

static void print_text(const report *r, int probs, float temperature)
{
    const dist_summary *f = &r->fwd;
    printf("kldiv %d.%d.%d: %zu rows x %zu vocab, %s %s", KLD_VERSION_MAJOR, KLD_VERSION_MINOR,
           KLD_VERSION_PATCH, r->rows, r->vocab, r->dtype, probs ? "probabilities" : "logits");
    if (!probs)
        printf(", T = %g", (double)temperature);
    printf(", path %s\n", r->isa);
    printf("KL(base||new)  mean %.9g +/- %.3g (stderr), median %.9g\n", f->mean, f->stderr_mean,
           f->median);
    printf("               p1 %.6g  p5 %.6g  p10 %.6g  p90 %.6g  p95 %.6g  p99 %.6g  p99.9 %.6g\n",
           f->p1, f->p5, f->p10, f->p90, f->p95, f->p99, f->p999);
    printf("               min %.9g  max %.9g\n", f->min, f->max);
    printf("KL(new||base)  mean %.9g  max %.9g\n", r->rev_mean, r->rev_max);
    printf("top token      same in %.2f%% of rows\n",
           r->good ? 100.0 * (double)r->agree / (double)r->good : NAN);
    printf("entropy        base %.6g  new %.6g (mean nats)\n", r->hb_mean, r->hn_mean);
    printf("bad rows       %zu", r->n_bad);
    for (size_t i = 0; i < r->n_bad && i < 20; i++)
        printf("%s%zu", i ? ", " : " (", r->bad[i]);
    printf("%s\n", r->n_bad > 20 ? ", ...)" : r->n_bad ? ")" : "");
    printf("time           %.3f s, %.2f GB/s\n", r->seconds, r->gbps);
}

int main(int argc, char **argv)
{
    enum { OPT_VOCAB = 256, OPT_PROBS, OPT_TEMP, OPT_JSON, OPT_PER_ROW, OPT_ISA, OPT_VERSION };
    static const struct option longopts[] = {
        {"vocab", required_argument, NULL, OPT_VOCAB},
        {"probs", no_argument, NULL, OPT_PROBS},
        {"temperature", required_argument, NULL, OPT_TEMP},
        {"json", no_argument, NULL, OPT_JSON},
        {"per-row", required_argument, NULL, OPT_PER_ROW},
        {"isa", required_argument, NULL, OPT_ISA},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    unsigned long long vocab_opt = 0;
    int probs = 0, json = 0, quiet = 0, threads = 1, temp_given = 0;
    float temperature = 1.0f;
    const char *per_row_path = NULL;
    char *end;
    int c;
    while ((c = getopt_long(argc, argv, "t:qh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_VOCAB:
            errno = 0;
            vocab_opt = strtoull(optarg, &end, 10);
            if (errno || *end || vocab_opt == 0 || optarg[0] == '-' ||
                vocab_opt > (1ull << 40))
                return usage_error("--vocab needs a positive integer, not '%s'", optarg);
            break;
        case OPT_PROBS:
            probs = 1;
            break;
        case OPT_TEMP:
            temperature = strtof(optarg, &end);
            if (*end || !(temperature > 0) || isinf(temperature))
                return usage_error("--temperature needs a finite positive number, not '%s'",
                                   optarg);
            temp_given = 1;
            break;
        case OPT_JSON:
            json = 1;
            break;
        case OPT_PER_ROW:
            per_row_path = optarg;
            break;
        case OPT_ISA: {
            int found = -1;
            for (int i = 0; i < KLD_ISA_COUNT; i++)
                if (strcmp(optarg, kld_isa_name((kld_isa)i)) == 0)
                    found = i;
            if (found < 0)
                return usage_error("unknown path '%s' (scalar, avx2, avx512, neon)", optarg);
            if (kld_isa_force((kld_isa)found) != 0)
                return usage_error("path '%s' is not supported on this CPU", optarg);
            break;
        }
        case 't': {
            long t = strtol(optarg, &end, 10);
            if (*end || t < 1 || t > 256)
                return usage_error("-t needs a thread count from 1 to 256, not '%s'", optarg);
            threads = (int)t;
            break;
        }
        case 'q':
            quiet = 1;
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
    if (probs && temp_given)
        return usage_error("%s", "--temperature applies to logits, not to --probs");

    input in[2] = {{0}, {0}};
    int status = 1;
    FILE *csv = NULL;
    void *raw = NULL;
    float *buf32[2] = {NULL, NULL};
    double *buf64[2] = {NULL, NULL}, *fwd = NULL;
    row_result *res = NULL;
    size_t *bad = NULL;
    if (open_input(&in[0], argv[optind], vocab_opt) != 0 ||
        open_input(&in[1], argv[optind + 1], vocab_opt) != 0)
        goto out;
    if (in[0].rows != in[1].rows || in[0].vocab != in[1].vocab) {
        fprintf(stderr, "kldiv: shapes differ: %s is %llu x %llu, %s is %llu x %llu\n",
                in[0].path, (unsigned long long)in[0].rows, (unsigned long long)in[0].vocab,
                in[1].path, (unsigned long long)in[1].rows, (unsigned long long)in[1].vocab);
        goto out;
    }
    const size_t rows = (size_t)in[0].rows, vocab = (size_t)in[0].vocab;
    const int use64 = probs && in[0].dtype == NPY_F64 && in[1].dtype == NPY_F64;
    size_t chunk = CHUNK_BYTES / (vocab * sizeof(double));
    chunk = chunk ? (chunk < rows ? chunk : rows) : 1;
    raw = malloc(chunk * vocab * sizeof(double));
    res = malloc(rows * sizeof *res);
    for (int k = 0; k < 2; k++) {
        if (use64)
            buf64[k] = malloc(chunk * vocab * sizeof(double));
        else
            buf32[k] = malloc(chunk * vocab * sizeof(float));
    }
    if (!raw || !res || (use64 ? !buf64[0] || !buf64[1] : !buf32[0] || !buf32[1])) {
        fprintf(stderr, "kldiv: out of memory for %zu-row chunks of %zu entries\n", chunk, vocab);
        goto out;
    }
    if (per_row_path) {
        csv = fopen(per_row_path, "w");
        if (!csv) {
            fprintf(stderr, "kldiv: %s: %s\n", per_row_path, strerror(errno));
            goto out;
        }
        fprintf(csv, "row,forward,reverse,entropy_base,entropy_new,top_base,top_new\n");
    }

    const int show_progress = !quiet && isatty(STDERR_FILENO);
    const double start = now();
    int progress_shown = 0;
    for (size_t r0 = 0; r0 < rows; r0 += chunk) {
        size_t nr = rows - r0 < chunk ? rows - r0 : chunk;
        for (int k = 0; k < 2; k++)
            if (read_elements(&in[k], nr * vocab, raw, buf32[k], buf64[k]) != 0)
                goto out;
        job base = {buf32[0], buf32[1], buf64[0], buf64[1], 0, 0, vocab, probs, temperature,
                    res + r0};
        if (run_chunk(base, nr, threads) != 0) {
            fprintf(stderr, "kldiv: out of memory\n");
            goto out;
        }
        if (show_progress && (progress_shown || now() - start > 1.0)) {
            fprintf(stderr, "\rkldiv: %zu/%zu rows (%.0f%%)", r0 + nr, rows,
                    100.0 * (double)(r0 + nr) / (double)rows);
            progress_shown = 1;
        }
    }
    const double seconds = now() - start;
    if (progress_shown)
        fprintf(stderr, "\n");

    fwd = malloc(rows * sizeof *fwd);
    bad = malloc(rows * sizeof *bad);
    if (!fwd || !bad) {
        fprintf(stderr, "kldiv: out of memory\n");
        goto out;
    }
    report rep = {.rows = rows, .vocab = vocab, .isa = kld_isa_name(kld_isa_active()),
                  .rev_max = -INFINITY, .seconds = seconds, .bad = bad};
    char dtype[32];
    snprintf(dtype, sizeof dtype, "%s%s%s", dtype_name(in[0].dtype),
             in[0].dtype == in[1].dtype ? "" : "/", in[0].dtype == in[1].dtype ? "" : dtype_name(in[1].dtype));
    rep.dtype = dtype;
    for (size_t r = 0; r < rows; r++) {
        const row_result *x = &res[r];
        if (csv) {
            if (x->bad)
                fprintf(csv, "%zu,nan,nan,nan,nan,,\n", r);
            else
                fprintf(csv, "%zu,%.10g,%.10g,%.10g,%.10g,%zu,%zu\n", r, x->forward, x->reverse,
                        x->entropy_base, x->entropy_new, x->top_base, x->top_new);
        }
        if (x->bad) {
            bad[rep.n_bad++] = r;
            continue;
        }
        fwd[rep.good++] = x->forward;
        rep.rev_mean += x->reverse;
        rep.rev_max = x->reverse > rep.rev_max ? x->reverse : rep.rev_max;
        rep.hb_mean += x->entropy_base;
        rep.hn_mean += x->entropy_new;
        rep.agree += x->top_base == x->top_new;
    }
    if (rep.good) {
        summarise(fwd, rep.good, &rep.fwd);
        rep.rev_mean /= (double)rep.good;
        rep.hb_mean /= (double)rep.good;
        rep.hn_mean /= (double)rep.good;
    } else {
        rep.fwd = (dist_summary){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
        rep.rev_mean = rep.rev_max = rep.hb_mean = rep.hn_mean = NAN;
    }
    rep.gbps = (double)rows * (double)vocab * (in[0].itemsize + in[1].itemsize) / seconds / 1e9;
    if (json)
        print_json(&rep);
    else
        print_text(&rep, probs, temperature);
    status = 0;
    if (csv && fclose(csv) != 0) {
        fprintf(stderr, "kldiv: %s: %s\n", per_row_path, strerror(errno));
        status = 1;
    }
    csv = NULL;
out:
    if (csv)
        fclose(csv);
    for (int k = 0; k < 2; k++) {
        if (in[k].f)
            fclose(in[k].f);
        free(buf32[k]);
        free(buf64[k]);
    }
    free(raw);
    free(res);
    free(fwd);
    free(bad);
    return status;
}
