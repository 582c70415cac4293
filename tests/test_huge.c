/* test_huge.c - more than 2^32 elements in bounded physical memory, on the paths named on the
 * command line: any 32-bit truncation of an index, a count or an offset gives a wrong answer.
 *
 * Each input is a reserved PROT_NONE range with one small memfd block (4 MiB, a repeating
 * pattern) mapped over it again and again (MAP_SHARED | MAP_FIXED), and a private chunk at the
 * end for the entries past 2^32. Physical memory is the block and the page tables, whatever the
 * kernel does with zero pages; the test reports its Pss and the drop of MemAvailable, and fails
 * when Pss exceeds 256 MiB. The pattern is chosen so that every result has a closed form:
 * equal non-zero p and q (the arithmetic runs, each term is exactly 0), zeros, a pair with a
 * known p log(p/q) accumulated 2^30 times, and non-zero entries past index 2^32 (for logits,
 * the maxima sit there, so argmax must be an index above 2^32).
 *
 * usage: test_huge [--all | --rest] ISA...
 * By default: kld_both_f32 over n > 2^32 and every rows entry point at offsets past 2^32 (about
 * 11 s on AVX2 on a 2-vCPU Zen 3); --rest: every other kernel over n > 2^32; --all: both sets
 * (the slow suite runs --rest on the SIMD paths and the default set on the scalar path, whose
 * JS terms alone take ~50-100 ns an element: minutes each past 2^32). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kld.h"

#define BLOCK_ELEMS ((size_t)1 << 20)           /* one memfd block: 4 MiB of floats */
#define BLOCKS ((size_t)1 << 12)                /* 4096 blocks: 2^32 elements */
#define TAIL 37                                 /* elements past 2^32, in the private chunk */
#define N (BLOCKS * BLOCK_ELEMS + TAIL)         /* n, an index beyond 2^32 */
#define AT_I (BLOCKS * BLOCK_ELEMS + 5)         /* two entries past 2^32 */
#define AT_J (N - 1)
#define PSS_LIMIT_KIB (256 * 1024)

/* The probability pattern of a block: ZERO_RUN pairs (0, 0) first (whole vectors: a scattered
 * zero would send every vector down the rare-lane path), then (c, c) at even and (a, b) at odd
 * indices; past 2^32 zeros except (1/2, 1/4) at AT_I and (1/4, 1/2) at AT_J. Exact in float and
 * in double. */
#define ZERO_RUN 64
static const double PC = 0x1p-31, PA = 0x3p-34, PB = 0x1p-34;

/* The logits pattern, by index mod 4: (0, 0), (0, ln 2 in float), (-inf, -inf), (-1, 1); past
 * 2^32 -inf except (8, 7.5) at AT_I (both maxima) and (0, 1) at AT_J. */
#define LN2F 0.693147182f

/* One input: a reserved range, the memfd block repeated over it, and the private tail. */
typedef struct {
    char *base;
    size_t len;
} huge_map;

static size_t page_size(void)
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* Maps BLOCKS copies of the memfd's block at offset off, then a zero-filled private chunk;
 * returns the start, or NULL (with a message) where the address space cannot be reserved. */
static void *map_repeated(huge_map *m, int fd, off_t off, size_t elem_size)
{
    size_t block = BLOCK_ELEMS * elem_size, page = page_size();
    size_t tail = (TAIL * elem_size + page - 1) / page * page;
    m->len = BLOCKS * block + tail;
    m->base = mmap(NULL, m->len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m->base == MAP_FAILED) {
        print_message("cannot reserve %zu GiB of address space: %s\n", m->len >> 30,
                      strerror(errno));
        m->base = NULL;
        return NULL;
    }
    for (size_t k = 0; k < BLOCKS; k++)
        assert_true(mmap(m->base + k * block, block, PROT_READ, MAP_SHARED | MAP_FIXED, fd, off) !=
                    MAP_FAILED);
    assert_true(mmap(m->base + BLOCKS * block, tail, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED);
    return m->base;
}

static void unmap(huge_map *m)
{
    if (m->base)
        munmap(m->base, m->len);
}

/* A memfd holding the two blocks (x's, then y's) of elem_size-byte elements. */
static int block_fd(size_t elem_size, void (*fill)(void *x, void *y))
{
    size_t block = BLOCK_ELEMS * elem_size;
    int fd = memfd_create("kld-huge", 0);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)(2 * block)), 0);
    char *map = mmap(NULL, 2 * block, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    assert_true(map != MAP_FAILED);
    fill(map, map + block);
    munmap(map, 2 * block);
    return fd;
}

static long kib_field(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    char line[256];
    long v = -1;
    size_t len = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, len) == 0)
            v = atol(line + len);
    if (f)
        fclose(f);
    return v;
}

/* A pair of huge inputs and what they cost; the memory check runs while they are mapped. */
typedef struct {
    huge_map x, y;
    long avail_before;
} huge_pair;

static int pair_open(huge_pair *h, size_t elem_size, void (*fill)(void *, void *),
                     void (*tail)(void *x, void *y))
{
    h->avail_before = kib_field("/proc/meminfo", "MemAvailable:");
    int fd = block_fd(elem_size, fill);
    void *x = map_repeated(&h->x, fd, 0, elem_size);
    void *y = x ? map_repeated(&h->y, fd, (off_t)(BLOCK_ELEMS * elem_size), elem_size) : NULL;
    close(fd);
    if (!y)
        return 0;
    tail((char *)x + BLOCKS * BLOCK_ELEMS * elem_size, (char *)y + BLOCKS * BLOCK_ELEMS * elem_size);
    return 1;
}

/* Called after the kernels ran over the whole pair: every page has been touched. */
static void pair_close(huge_pair *h, const char *what)
{
    long pss = kib_field("/proc/self/smaps_rollup", "Pss:");
    long drop = h->avail_before - kib_field("/proc/meminfo", "MemAvailable:");
    print_message("%s: Pss %.1f MiB, MemAvailable drop %.1f MiB (2 x %zu GiB mapped)\n", what,
                  pss / 1024.0, drop / 1024.0, h->x.len >> 30);
    assert_true(pss > 0 && pss <= PSS_LIMIT_KIB);
    unmap(&h->x);
    unmap(&h->y);
}

#define FILL_PROB(T)                                                                             \
    static void fill_prob_##T(void *xv, void *yv)                                                \
    {                                                                                            \
        T *x = xv, *y = yv;                                                                      \
        for (size_t i = 0; i < BLOCK_ELEMS; i++)                                                 \
            x[i] = i < ZERO_RUN ? 0 : i % 2 ? (T)PA : (T)PC,                                     \
            y[i] = i < ZERO_RUN ? 0 : i % 2 ? (T)PB : (T)PC;                                     \
    }                                                                                            \
    static void tail_prob_##T(void *xv, void *yv)                                                \
    {                                                                                            \
        T *x = xv, *y = yv;                                                                      \
        x[AT_I - BLOCKS * BLOCK_ELEMS] = 0.5, y[AT_I - BLOCKS * BLOCK_ELEMS] = 0.25;             \
        x[AT_J - BLOCKS * BLOCK_ELEMS] = 0.25, y[AT_J - BLOCKS * BLOCK_ELEMS] = 0.5;             \
    }
FILL_PROB(float)
FILL_PROB(double)

static void fill_logits(void *xv, void *yv)
{
    float *x = xv, *y = yv;
    const float px[4] = {0, 0, -INFINITY, -1}, py[4] = {0, LN2F, -INFINITY, 1};
    for (size_t i = 0; i < BLOCK_ELEMS; i++)
        x[i] = px[i % 4], y[i] = py[i % 4];
}

static void tail_logits(void *xv, void *yv)
{
    float *x = xv, *y = yv;
    for (size_t i = 0; i < TAIL; i++)
        x[i] = y[i] = -INFINITY;
    x[AT_I - BLOCKS * BLOCK_ELEMS] = 8, y[AT_I - BLOCKS * BLOCK_ELEMS] = 7.5f;
    x[AT_J - BLOCKS * BLOCK_ELEMS] = 0, y[AT_J - BLOCKS * BLOCK_ELEMS] = 1;
}

/* The exact sums over the pattern, in long double: each distinct (x, y) pair with its count. */
typedef struct {
    long double x, y, count;
} group;

static const long double quarter = (long double)(BLOCKS * BLOCK_ELEMS / 4);
static const long double half_rest = (long double)(BLOCKS * (BLOCK_ELEMS - ZERO_RUN) / 2);

static void prob_groups(group g[5])
{
    g[0] = (group){PC, PC, half_rest};
    g[1] = (group){PA, PB, half_rest};
    g[2] = (group){0, 0, (long double)(BLOCKS * ZERO_RUN)};
    g[3] = (group){0.5L, 0.25L, 1};
    g[4] = (group){0.25L, 0.5L, 1};
}

static long double xlogy_ratio(long double x, long double y)
{
    return x > 0 ? x * logl(x / y) : 0.0L;
}

static long double xlogx(long double x)
{
    return x > 0 ? x * logl(x) : 0.0L;
}

/* |got - want| <= 1e-6 * scale: with scale = sum |t| of a KL, 2.5 times the derived bound of
 * the f32 kernels (4.0e-7 * sum |t| + 2.2e-11 * sum p) and far above the f64 one; with
 * scale = |want|, 1e-6 relative, above the entropy bound (4.6e-7). */
static void check_within(const char *what, double got, long double want, long double scale)
{
    long double err = fabsl((long double)got - want);
    if (!(err <= 1e-6L * scale)) {
        print_error("%s = %.17g, want %.17Lg (error %.3Lg, allowed %.3Lg)\n", what, got, want,
                    err, 1e-6L * scale);
        fail();
    }
}

static void check_rel(const char *what, double got, long double want)
{
    check_within(what, got, want, fabsl(want));
}

/* forward and reverse of the probability pattern on its own and with kld_rows: row 1 starts past
 * 2^32, so its offset is the test. */
static void check_prob_both(double f, double r)
{
    group g[5];
    prob_groups(g);
    long double ef = 0, er = 0, af = 0, ar = 0;
    for (int k = 0; k < 5; k++) {
        ef += g[k].count * xlogy_ratio(g[k].x, g[k].y);
        er += g[k].count * xlogy_ratio(g[k].y, g[k].x);
        af += g[k].count * fabsl(xlogy_ratio(g[k].x, g[k].y));
        ar += g[k].count * fabsl(xlogy_ratio(g[k].y, g[k].x));
    }
    check_within("forward", f, ef, af);
    check_within("reverse", r, er, ar);
}

static void both_f32(void)
{
    huge_pair h;
    if (!pair_open(&h, sizeof(float), fill_prob_float, tail_prob_float))
        skip();
    double f, r;
    kld_both_f32((const float *)h.x.base, (const float *)h.y.base, N, &f, &r);
    check_prob_both(f, r);
    pair_close(&h, "kld_both_f32");
}

static void check_prob_stats(const kld_stats *s)
{
    group g[5];
    prob_groups(g);
    long double hp = 0, hq = 0, sp = 0, sq = 0;
    for (int k = 0; k < 5; k++) {
        hp -= g[k].count * xlogx(g[k].x);
        hq -= g[k].count * xlogx(g[k].y);
        sp += g[k].count * g[k].x;
        sq += g[k].count * g[k].y;
    }
    check_prob_both(s->forward, s->reverse);
    check_rel("entropy_p", s->entropy_p, hp);
    check_rel("entropy_q", s->entropy_q, hq);
    check_rel("cross_pq", s->cross_pq, hp + (s->forward));
    check_rel("cross_qp", s->cross_qp, hq + (s->reverse));
    check_rel("sum_p", s->sum_p, sp);
    check_rel("sum_q", s->sum_q, sq);
}

static void stats_f32(void)
{
    huge_pair h;
    if (!pair_open(&h, sizeof(float), fill_prob_float, tail_prob_float))
        skip();
    kld_stats s;
    kld_stats_f32((const float *)h.x.base, (const float *)h.y.base, N, &s);
    check_prob_stats(&s);
    pair_close(&h, "kld_stats_f32");
}

static void both_f64(void)
{
    huge_pair h;
    if (!pair_open(&h, sizeof(double), fill_prob_double, tail_prob_double))
        skip();
    double f, r;
    kld_both_f64((const double *)h.x.base, (const double *)h.y.base, N, &f, &r);
    check_prob_both(f, r);
    pair_close(&h, "kld_both_f64");
}

static void stats_f64(void)
{
    huge_pair h;
    if (!pair_open(&h, sizeof(double), fill_prob_double, tail_prob_double))
        skip();
    kld_stats s;
    kld_stats_f64((const double *)h.x.base, (const double *)h.y.base, N, &s);
    check_prob_stats(&s);
    pair_close(&h, "kld_stats_f64");
}

/* Rows whose offsets r * ld pass 2^32 (row 1 is the private tail): cheap, as only the rows'
 * pages are read. Each row equals the single-row call on the same pointers, bit for bit. */
static void rows_past_2_to_32(void)
{
    const size_t ld = BLOCKS * BLOCK_ELEMS;
    huge_pair h;
    if (!pair_open(&h, sizeof(float), fill_prob_float, tail_prob_float))
        skip();
    const float *p = (const float *)h.x.base, *q = (const float *)h.y.base;
    double rf[2], rr[2], f, r;
    kld_rows_both_f32(p, q, 2, TAIL, ld, ld, rf, rr);
    kld_both_f32(p + ld, q + ld, TAIL, &f, &r);
    check_rel("row 1 forward", rf[1], 0.25L * logl(2.0L)); /* 0.5 ln 2 - 0.25 ln 2 */
    check_rel("row 1 reverse", rr[1], 0.25L * logl(2.0L));
    assert_true(rf[1] == f && rr[1] == r);
    kld_stats sr[2], s;
    kld_rows_stats_f32(p, q, 2, TAIL, ld, ld, sr);
    kld_stats_f32(p + ld, q + ld, TAIL, &s);
    assert_memory_equal(&sr[1], &s, sizeof s);
    pair_close(&h, "kld_rows_*_f32");
    if (!pair_open(&h, sizeof(float), fill_logits, tail_logits))
        skip();
    const float *a = (const float *)h.x.base, *b = (const float *)h.y.base;
    kld_logit_stats lr[2], l;
    kld_rows_stats_logits_f32(a, b, 2, TAIL, ld, ld, 1.0f, lr);
    kld_stats_logits_f32(a + ld, b + ld, TAIL, 1.0f, &l);
    assert_true(lr[1].argmax_a == 5 && lr[1].argmax_b == 5); /* (8, 7.5) at ld + 5 */
    assert_memory_equal(&lr[1], &l, sizeof l);
    kld_rows_both_logits_f32(a, b, 2, TAIL, ld, ld, 1.0f, rf, rr);
    assert_true(rf[1] == l.kl.forward && rr[1] == l.kl.reverse);
    pair_close(&h, "kld_rows_*_logits_f32");
}

/* The logits pattern's groups (the quarter masked in both adds nothing). */
static void logits_groups(group g[5])
{
    g[0] = (group){0, 0, quarter};
    g[1] = (group){0, LN2F, quarter};
    g[2] = (group){-1, 1, quarter};
    g[3] = (group){8, 7.5L, 1};
    g[4] = (group){0, 1, 1};
}

/* The logits pattern's exact KLs and log-sum-exps (T = 1). */
static void logits_exact(long double *fwd, long double *rev, long double *lse_a,
                         long double *lse_b)
{
    group g[5];
    logits_groups(g);
    long double za = 0, zb = 0;
    for (int k = 0; k < 5; k++) {
        za += g[k].count * expl(g[k].x);
        zb += g[k].count * expl(g[k].y);
    }
    *lse_a = logl(za);
    *lse_b = logl(zb);
    *fwd = *rev = 0;
    for (int k = 0; k < 5; k++) {
        long double lp = g[k].x - *lse_a, lq = g[k].y - *lse_b;
        *fwd += g[k].count * expl(lp) * (lp - lq);
        *rev += g[k].count * expl(lq) * (lq - lp);
    }
}

static void stats_logits_f32(void)
{
    huge_pair h;
    if (!pair_open(&h, sizeof(float), fill_logits, tail_logits))
        skip();
    const float *a = (const float *)h.x.base, *b = (const float *)h.y.base;
    kld_logit_stats s;
    kld_stats_logits_f32(a, b, N, 1.0f, &s);
    long double fwd, rev, lse_a, lse_b;
    logits_exact(&fwd, &rev, &lse_a, &lse_b);
    check_rel("logits forward", s.kl.forward, fwd);
    check_rel("logits reverse", s.kl.reverse, rev);
    check_rel("lse_a", s.lse_a, lse_a);
    check_rel("lse_b", s.lse_b, lse_b);
    assert_true(s.argmax_a == AT_I && s.argmax_b == AT_I);
    pair_close(&h, "kld_stats_logits_f32");
}

static void both_logits_f32(void)
{
    huge_pair h;
    if (!pair_open(&h, sizeof(float), fill_logits, tail_logits))
        skip();
    double f, r;
    kld_both_logits_f32((const float *)h.x.base, (const float *)h.y.base, N, &f, &r);
    long double fwd, rev, lse_a, lse_b;
    logits_exact(&fwd, &rev, &lse_a, &lse_b);
    check_rel("logits forward", f, fwd);
    check_rel("logits reverse", r, rev);
    pair_close(&h, "kld_both_logits_f32");
}

/* (x log(2x/(x+y)) + y log(2y/(x+y)))/2, the JS term, for x, y >= 0 */
static long double js_term(long double x, long double y)
{
    return (xlogy_ratio(x, (x + y) / 2) + xlogy_ratio(y, (x + y) / 2)) / 2;
}

/* JS and TV of the probability pattern: TV counts the (a, b) pairs and the two past 2^32. */
static void js_tv_f32(void)
{
    huge_pair h;
    if (!pair_open(&h, sizeof(float), fill_prob_float, tail_prob_float))
        skip();
    const float *p = (const float *)h.x.base, *q = (const float *)h.y.base;
    group g[5];
    prob_groups(g);
    long double js = 0, tv = 0;
    for (int k = 0; k < 5; k++) {
        js += g[k].count * js_term(g[k].x, g[k].y);
        tv += g[k].count * fabsl(g[k].x - g[k].y) / 2;
    }
    double js_got = kld_js_f32(p, q, N), tv_got = kld_tv_f32(p, q, N);
    check_rel("js", js_got, js);
    check_rel("tv", tv_got, tv);
    if (kld_isa_active() != KLD_ISA_SCALAR) { /* whose fused kernel is these calls */
        kld_stats_js_tv all;
        kld_stats_js_tv_f32(p, q, N, &all);
        assert_memory_equal(&all.js, &js_got, sizeof js_got);
        assert_memory_equal(&all.tv, &tv_got, sizeof tv_got);
    }
    pair_close(&h, "kld_js_f32, kld_tv_f32, kld_stats_js_tv_f32");
}

/* JS and TV of the logits pattern (T = 1), from its groups' probabilities. */
static void js_tv_logits_f32(void)
{
    huge_pair h;
    if (!pair_open(&h, sizeof(float), fill_logits, tail_logits))
        skip();
    const float *a = (const float *)h.x.base, *b = (const float *)h.y.base;
    group g[5];
    logits_groups(g);
    long double fwd, rev, lse_a, lse_b, js = 0, tv = 0;
    logits_exact(&fwd, &rev, &lse_a, &lse_b);
    for (int k = 0; k < 5; k++) {
        long double p = expl(g[k].x - lse_a), q = expl(g[k].y - lse_b);
        js += g[k].count * js_term(p, q);
        tv += g[k].count * fabsl(p - q) / 2;
    }
    double js_got = kld_js_logits_f32(a, b, N, 1.0f), tv_got = kld_tv_logits_f32(a, b, N, 1.0f);
    check_rel("js logits", js_got, js);
    check_rel("tv logits", tv_got, tv);
    if (kld_isa_active() != KLD_ISA_SCALAR) { /* whose fused kernel is these calls */
        kld_logit_stats_js_tv all;
        kld_stats_js_tv_logits_f32(a, b, N, 1.0f, &all);
        assert_memory_equal(&all.js, &js_got, sizeof js_got);
        assert_memory_equal(&all.tv, &tv_got, sizeof tv_got);
    }
    pair_close(&h, "kld_js_logits_f32, kld_tv_logits_f32, kld_stats_js_tv_logits_f32");
}

/* One cmocka test per (kernel, path): the path is forced before the kernel runs and must still
 * be active after it; a path this CPU cannot run is reported as skipped. */
typedef struct {
    void (*fn)(void);
    kld_isa isa;
} huge_case;

static void run_case(void **state)
{
    const huge_case *c = *state;
    if (!kld_isa_supported(c->isa)) {
        print_message("%s: not supported by this CPU or build\n", kld_isa_name(c->isa));
        skip();
    }
    assert_int_equal(kld_isa_force(c->isa), 0);
    c->fn();
    assert_int_equal(kld_isa_active(), c->isa);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(void);
        int always; /* the default set: one kernel over n > 2^32, and rows at offsets past it */
    } kernels[] = {{"both_f32", both_f32, 1},   {"rows", rows_past_2_to_32, 1},
                   {"stats_f32", stats_f32, 0}, {"both_f64", both_f64, 0},
                   {"stats_f64", stats_f64, 0}, {"stats_logits_f32", stats_logits_f32, 0},
                   {"both_logits_f32", both_logits_f32, 0}, {"js_tv_f32", js_tv_f32, 0},
                   {"js_tv_logits_f32", js_tv_logits_f32, 0}};
    enum { KERNELS = sizeof kernels / sizeof *kernels, MAX = KERNELS * KLD_ISA_COUNT };
    static struct CMUnitTest tests[MAX];
    static huge_case cases[MAX];
    static char names[MAX][64];
    int want_default = 1, want_rest = 0;
    size_t k = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "--rest") == 0) {
            want_rest = 1;
            want_default = argv[i][2] == 'a';
            continue;
        }
        int isa = 0;
        if (k + KERNELS > MAX) {
            fprintf(stderr, "test_huge: too many paths\n");
            return 2;
        }
        while (isa < KLD_ISA_COUNT && strcmp(argv[i], kld_isa_name((kld_isa)isa)) != 0)
            isa++;
        if (isa == KLD_ISA_COUNT) {
            fprintf(stderr, "test_huge: unknown path '%s'\n", argv[i]);
            return 2;
        }
        for (size_t j = 0; j < KERNELS; j++)
            if (kernels[j].always ? want_default : want_rest) {
                snprintf(names[k], sizeof names[k], "huge_%s/%s", kernels[j].name, argv[i]);
                cases[k] = (huge_case){kernels[j].fn, (kld_isa)isa};
                tests[k] = (struct CMUnitTest){names[k], run_case, NULL, NULL, &cases[k]};
                k++;
            }
    }
    if (k == 0) {
        fprintf(stderr, "usage: test_huge [--all | --rest] scalar|avx2|avx512|neon ...\n");
        return 2;
    }
    size_t runnable = 0;
    for (size_t j = 0; j < k; j++)
        runnable += (size_t)kld_isa_supported(cases[j].isa);
    if (runnable == 0) {
        printf("test_huge: no path named is supported by this CPU or build: skipped\n");
        return 77; /* meson's SKIP */
    }
    return _cmocka_run_group_tests("huge", tests, k, NULL, NULL);
}
