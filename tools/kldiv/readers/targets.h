/* targets.h - the token that follows each row's position, where it is known: from a llama.cpp
 * _logits_ input, or from --targets FILE: an .npy file of one int32 or int64 token id per row,
 * shape (rows,), (rows, 1) or (1, rows) (a regular file, or a pipe or FIFO read as a stream), or
 * a safetensors file of the token ids of the rows of text (exllamav3's input_ids: I32 or I64,
 * one tensor (texts, seq) or (seq,), or a tensor.N list of (1, seq) tensors), where the target of
 * position s is token s + 1 and the last position of each row of text has none. Token
 * statistics (perplexities, Δp) need them. */
#ifndef KLDIV_TARGETS_H
#define KLDIV_TARGETS_H

#include <stdint.h>

#include "llama_logits.h"

typedef struct {
    const llama_header *llama; /* targets from a _logits_ input, or NULL */
    int32_t *ids;              /* --targets, or NULL; -1 where a row has no target */
    uint64_t count;
    uint64_t *lengths;         /* a safetensors --targets: its rows of text (positions each) */
    size_t texts;
} targets;

/* Reads path's ids, checking that there are rows of them, each in [0, vocab), and that they fit
 * in limit bytes. Returns 0, or -1 after printing why. */
int targets_load(targets *t, const char *path, uint64_t rows, uint64_t vocab, uint64_t limit);

/* The target of row r, or -1 when none is known. */
int64_t targets_at(const targets *t, uint64_t r);

void targets_free(targets *t);

#endif /* KLDIV_TARGETS_H */
