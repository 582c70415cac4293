/* positions.h - each row's position in its row of text (its context), where the inputs tell it:
 * a llama.cpp _logits_ BASE (n_ctx/2 + the row's index in its chunk), a 3-D safetensors tensor
 * (rows x seq), exllamav3's tensor.N list (a tensor a row of text), a safetensors --targets file
 * of token ids in one of those layouts, or --context N for 2-D dumps of whole rows of text. The
 * rows come in order: positions_next walks them. */
#ifndef KLDIV_POSITIONS_H
#define KLDIV_POSITIONS_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"
#include "targets.h"

typedef struct {
    uint64_t period;   /* rows of text of this many rows each (0: lengths) */
    uint64_t *lengths; /* else the rows of text, in rows each; NULL: positions unknown */
    size_t count;
    uint64_t offset;   /* the position of a row of text's first row (llama.cpp: n_ctx/2) */
    size_t text;       /* positions_next: the current row of text and the next row's index in it */
    uint64_t at;
} positions;

/* Rows of text of length rows each, the first at position offset. Returns 0. */
int positions_uniform(positions *p, uint64_t length, uint64_t offset);

/* The position of the next row (UINT64_MAX when unknown). */
uint64_t positions_next(positions *p);

/* The positions of the rows that inputs in (BASE, NEW) hand out, from the first that knows
 * them: BASE's layout, NEW's, the --targets file's rows of text (tg), else context (--context
 * N; 0: none). A layout of the targets that differs from BASE's or NEW's is an error, and so is
 * --context where a layout is known. 0, or -1 after printing why. */
int positions_of(positions *p, const input in[2], const targets *tg, uint64_t context);

void positions_free(positions *p);

#endif /* KLDIV_POSITIONS_H */
