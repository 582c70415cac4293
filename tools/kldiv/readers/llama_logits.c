/* llama_logits.c - llama.cpp's _logits_ file (see llama_logits.h). */
#define _DEFAULT_SOURCE /* madvise */
#include "llama_logits.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int32_t le32(const unsigned char *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    int32_t s;
    memcpy(&s, &v, sizeof s);
    return s;
}

/* a * b + c into *out unless it overflows 64 bits. */
static int mul_add(uint64_t a, uint64_t b, uint64_t c, uint64_t *out)
{
    if (b && a > (UINT64_MAX - c) / b)
        return -1;
    *out = a * b + c;
    return 0;
}

int llama_parse(const unsigned char *file, uint64_t size, int mapped, llama_header *h, char *err,
                size_t errlen)
{
    *h = (llama_header){0};
    if (size < 20) {
        snprintf(err, errlen, "truncated _logits_ header: %llu bytes, the header has 20",
                 (unsigned long long)size);
        return -1;
    }
    h->n_ctx = le32(file + 8), h->n_vocab = le32(file + 12), h->n_chunk = le32(file + 16);
    /* n_ctx < 3 leaves no scored position (n_ctx - 1 - n_ctx/2 = 0 rows a chunk) */
    if (h->n_vocab <= 0 || h->n_ctx < 3 || h->n_chunk <= 0) {
        snprintf(err, errlen, "_logits_ header at byte %d: %s %d (need %s)",
                 h->n_vocab <= 0 ? 12 : h->n_ctx < 3 ? 8 : 16,
                 h->n_vocab <= 0 ? "n_vocab" : h->n_ctx < 3 ? "n_ctx" : "n_chunk",
                 h->n_vocab <= 0 ? h->n_vocab : h->n_ctx < 3 ? h->n_ctx : h->n_chunk,
                 h->n_vocab <= 0 ? "> 0" : h->n_ctx < 3 ? ">= 3: a scored position" : "> 0");
        return -1;
    }
    uint64_t ctx = (uint64_t)h->n_ctx, chunks = (uint64_t)h->n_chunk;
    uint64_t nv = 2 * (((uint64_t)h->n_vocab + 1) / 2) + 4, need;
    h->rows_per_chunk = ctx - 1 - ctx / 2;
    h->row_bytes = 2 * nv;
    h->rows = chunks * h->rows_per_chunk; /* < 2^62: both factors < 2^31 */
    h->data_start = 20 + 4 * ctx * chunks;
    if (mul_add(h->rows, h->row_bytes, h->data_start, &need) != 0) {
        snprintf(err, errlen, "_logits_ header (n_ctx %d, n_vocab %d, n_chunk %d) describes "
                              "more than 2^64 bytes; the file has %llu",
                 h->n_ctx, h->n_vocab, h->n_chunk, (unsigned long long)size);
        return -1;
    }
    if (need != size) {
        snprintf(err, errlen, "%s _logits_ file: %llu bytes, its header (n_ctx %d, n_vocab %d, "
                              "n_chunk %d) needs %llu",
                 size < need ? "truncated" : "oversized", (unsigned long long)size, h->n_ctx,
                 h->n_vocab, h->n_chunk, (unsigned long long)need);
        return -1;
    }
    h->tokens = file + 20;
    h->mapped = mapped;
    for (uint64_t i = 0, pos = 0; i < ctx * chunks; i++, pos = pos + 1 == ctx ? 0 : pos + 1) {
        int32_t t = llama_token(h, i);
        if (pos > ctx / 2 && t > h->max_target) /* a scored row's target */
            h->max_target = t;
        if (t < 0 || t >= h->n_vocab) {
            snprintf(err, errlen, "_logits_ token %llu at byte %llu: id %d out of range [0, %d)",
                     (unsigned long long)i, (unsigned long long)(20 + 4 * i), t, h->n_vocab);
            return -1;
        }
        if (mapped && (i + 1) % LLAMA_TOKENS_A_WINDOW == 0)
            llama_tokens_done(h, i + 1 - LLAMA_TOKENS_A_WINDOW, i + 1);
    }
    return 0;
}

void llama_tokens_done(const llama_header *h, uint64_t from, uint64_t to)
{
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)(h->tokens + 4 * from) + page - 1) / page * page;
    uintptr_t hi = (uintptr_t)(h->tokens + 4 * to) / page * page;
    if (hi > lo) /* a read-only shared map of the file: the pages come back from the cache */
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

int32_t llama_token(const llama_header *h, uint64_t i)
{
    return le32(h->tokens + 4 * i);
}

int64_t llama_first_target_from(const llama_header *h, int64_t n)
{
    if (h->max_target < n)
        return -1; /* known from the scan at open: no second one */
    const uint64_t ctx = (uint64_t)h->n_ctx, first = ctx / 2 + 1;
    uint64_t done = 0; /* tokens before this one are dropped from memory */
    for (uint64_t r = 0; r < h->rows; r++) {
        uint64_t c = r / h->rows_per_chunk, i = c * ctx + first + r % h->rows_per_chunk;
        if (llama_token(h, i) >= n)
            return (int64_t)r;
        if (h->mapped && i + 1 - done >= LLAMA_TOKENS_A_WINDOW) {
            llama_tokens_done(h, done, i + 1);
            done = i + 1;
        }
    }
    return -1;
}

int32_t llama_target(const llama_header *h, uint64_t r)
{
    uint64_t c = r / h->rows_per_chunk, j = (uint64_t)h->n_ctx / 2 + r % h->rows_per_chunk;
    return llama_token(h, c * (uint64_t)h->n_ctx + j + 1);
}

int llama_decode(const void *row, size_t n, float *out)
{
    float scale, min;
    memcpy(&scale, row, 4);
    memcpy(&min, (const char *)row + 4, 4);
    /* llama.cpp stores q = (logit - min logit)/scale, the top token at 65535, so the largest
     * decodable log-probability, scale*65535 + min_log_prob, is -log(sum of e^(logit - max)) <= 0
     * up to float rounding; a row beyond that (or with a negative scale) is no distribution */
    if (!isfinite(scale) || !isfinite(min) || !(scale >= 0) ||
        !(scale * 65535.0f + min <= 1e-4f * (1.0f + fabsf(min))))
        return -1;
    const unsigned char *q = (const unsigned char *)row + 8;
    for (size_t i = 0; i < n; i++) {
        uint16_t v;
        memcpy(&v, q + 2 * i, 2);
        out[i] = scale * (float)v + min;
    }
    return 0;
}
