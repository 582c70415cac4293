/* kld_example.c - compares two models' logits row by row with kld_stats_f32: the quick start's
 * main job until the kldiv tool exists. Usage: kld-example BASE.f32 NEW.f32 VOCAB */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kld.h"

static float *read_rows(const char *path, size_t vocab, size_t *rows)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "kld-example: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    float *data = NULL;
    size_t cap = 0, got = 0;
    for (;;) {
        if (got == cap) {
            cap = cap ? 2 * cap : vocab;
            float *grown = realloc(data, cap * sizeof(float));
            if (!grown) {
                fprintf(stderr, "kld-example: %s: out of memory\n", path);
                free(data);
                fclose(f);
                return NULL;
            }
            data = grown;
        }
        size_t k = fread(data + got, sizeof(float), cap - got, f);
        got += k;
        if (k == 0)
            break;
    }
    int bad = ferror(f) || got == 0 || got % vocab != 0;
    fclose(f);
    if (bad) {
        fprintf(stderr, "kld-example: %s: not a whole number of %zu-float rows\n", path, vocab);
        free(data);
        return NULL;
    }
    *rows = got / vocab;
    return data;
}

/* softmax of one row of logits, in double, stored as float probabilities */
static void softmax(const float *z, float *p, size_t n)
{
    double m = -INFINITY, s = 0.0;
    for (size_t i = 0; i < n; i++) /* not fmax: gcc 12's aarch64 vectoriser crashes on it */
        if (z[i] > m)
            m = z[i];
    for (size_t i = 0; i < n; i++)
        s += exp((double)z[i] - m);
    for (size_t i = 0; i < n; i++)
        p[i] = (float)(exp((double)z[i] - m) / s);
}

int main(int argc, char **argv)
{
    char *end;
    if (argc != 4) {
        fprintf(stderr, "usage: kld-example BASE.f32 NEW.f32 VOCAB\n");
        return 2;
    }
    unsigned long long vocab = strtoull(argv[3], &end, 10);
    if (*end || vocab == 0) {
        fprintf(stderr, "kld-example: VOCAB must be a positive integer\n");
        return 2;
    }
    size_t rows_a, rows_b;
    float *a = read_rows(argv[1], vocab, &rows_a), *b = read_rows(argv[2], vocab, &rows_b);
    float *p = malloc(vocab * sizeof(float)), *q = malloc(vocab * sizeof(float));
    int status = 1;
    if (!a || !b || !p || !q)
        goto out;
    if (rows_a != rows_b) {
        fprintf(stderr, "kld-example: %zu rows in %s but %zu in %s\n", rows_a, argv[1], rows_b,
                argv[2]);
        goto out;
    }
    printf("kld %d.%d.%d, path %s; %zu rows x %llu vocabulary\n", KLD_VERSION_MAJOR,
           KLD_VERSION_MINOR, KLD_VERSION_PATCH, kld_isa_name(kld_isa_active()), rows_a, vocab);
    printf("%4s %14s %14s %10s %10s\n", "row", "KL(base||new)", "KL(new||base)", "H(base)",
           "H(new)");
    double sum = 0.0;
    for (size_t r = 0; r < rows_a; r++) {
        kld_stats s;
        softmax(a + r * vocab, p, vocab);
        softmax(b + r * vocab, q, vocab);
        kld_stats_f32(p, q, vocab, &s);
        printf("%4zu %14.9f %14.9f %10.6f %10.6f\n", r, s.forward, s.reverse, s.entropy_p,
               s.entropy_q);
        sum += s.forward;
    }
    printf("mean KL(base||new) = %.9f nats\n", sum / (double)rows_a);
    status = 0;
out:
    free(a);
    free(b);
    free(p);
    free(q);
    return status;
}
