/* llama_logits.h - llama.cpp's --kl-divergence-base file (magic "_logits_", written by
 * llama-perplexity; tools/perplexity/perplexity.cpp is the authority). Little-endian:
 *   char[8] "_logits_", int32 n_ctx, int32 n_vocab, int32 n_chunk, int32 tokens[n_chunk*n_ctx],
 * then for each chunk one row per scored position j = n_ctx/2 ... n_ctx-2 (n_ctx-1-n_ctx/2 rows);
 * a row is nv = 2*((n_vocab+1)/2)+4 uint16 words: float32 scale, float32 min_log_prob, n_vocab
 * uint16 q[i] (and one padding word when n_vocab is odd). log p[i] = scale*q[i] + min_log_prob.
 * The row at position j of chunk c predicts token tokens[c*n_ctx + j + 1]. */
#ifndef KLDIV_LLAMA_LOGITS_H
#define KLDIV_LLAMA_LOGITS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int32_t n_ctx, n_vocab, n_chunk;
    const unsigned char *tokens; /* n_ctx * n_chunk little-endian int32, inside the file */
    uint64_t rows;               /* n_chunk * rows_per_chunk */
    uint64_t rows_per_chunk;     /* n_ctx - 1 - n_ctx/2 */
    uint64_t row_bytes;          /* 2 * nv */
    uint64_t data_start;         /* 20 + 4 * n_ctx * n_chunk */
    int32_t max_target;          /* the largest token id a scored row predicts */
    int mapped;                  /* tokens point into a map of the file (llama_parse's mapped) */
} llama_header;

/* Checks the header of a file of size bytes at file (its first min(size, 20) bytes at least, and
 * all of it when the size is right): n_vocab > 0, n_ctx >= 3, n_chunk > 0, the size exactly the
 * formula's, every token id in [0, n_vocab). mapped: file is a read-only shared map of the file,
 * whose token pages the scan drops as it goes (llama_tokens_done); 0 for any other memory.
 * Returns 0, or -1 with a one-line reason in err. */
int llama_parse(const unsigned char *file, uint64_t size, int mapped, llama_header *h, char *err,
                size_t errlen);

/* The token that row r (0-based over the scored rows) predicts. */
int32_t llama_target(const llama_header *h, uint64_t r);

/* The first scored row whose target is n or more, or -1 when there is none. Free when
 * max_target is below n; else a scan of the targets that drops their mapped pages as it goes
 * (llama_tokens_done) when the header was parsed from a map of the file. */
int64_t llama_first_target_from(const llama_header *h, int64_t n);

/* The token at position i of the file's token list. */
int32_t llama_token(const llama_header *h, uint64_t i);

/* Decodes the first n log-probabilities of a row: out[i] = scale*q[i] + min_log_prob, in float
 * as llama.cpp does. Returns 0, or -1 (out untouched) for a bad row: scale or min_log_prob NaN
 * or infinite, a negative scale, or log-probabilities above 0 (scale*65535 + min_log_prob > 0,
 * beyond float rounding). */
int llama_decode(const void *row, size_t n, float *out);

/* Drops the mapped pages of tokens [from, to) once a scan of them is done, so that scanning the
 * token array of a file of any size (4 bytes a position: gigabytes for a hostile header) keeps
 * resident memory bounded. llama_parse and the comparison of two files' tokens scan in windows
 * of LLAMA_TOKENS_A_WINDOW. Only for a map of the file (on other memory it would drop data). */
#define LLAMA_TOKENS_A_WINDOW ((uint64_t)1 << 21)
void llama_tokens_done(const llama_header *h, uint64_t from, uint64_t to);

#endif /* KLDIV_LLAMA_LOGITS_H */
