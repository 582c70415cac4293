/* rows.h - the walk over the vectors of two operands of one leading shape (operand.h), as few
 * calls of a rows kernel (kld.h's rows API) as their layouts allow. Runs without the GIL. */
#ifndef KLD_PY_ROWS_H
#define KLD_PY_ROWS_H

#include "operand.h" /* Python.h, first of all headers */

/* A block: rows vectors of a and of b, lda and ldb elements apart (>= n, as the rows API
 * asks), results to go to output rows [at, at + rows) (C order of the leading shape). */
typedef void (*block_fn)(void *ctx, const void *a, const void *b, size_t rows, size_t lda,
                         size_t ldb, size_t at);

/* rows_walk() : calls fn on every vector of a and b whose keep byte is nonzero (keep NULL: all),
 * in order. The leading axes are merged from the innermost while both operands' strides chain,
 * so that a C-contiguous, a row-strided or a sliced (batch, seq, vocab) input is one block per
 * run of kept vectors; where a stride is negative, zero or shorter than a vector (flipped,
 * broadcast or overlapping rows) each vector is its own block, as the rows API's results equal
 * the single-row calls. If either operand is strided (operand.h), both are gathered into two
 * scratch buffers of about 256 KiB, a chunk of vectors at a time (reused: in cache, and
 * memory that does not grow with the input), and each chunk is a block. @return 0, or -1 when
 * the scratch cannot be allocated (the caller raises MemoryError once it holds the GIL). */
int rows_walk(const operand *a, const operand *b, const unsigned char *keep, block_fn fn,
              void *ctx);

#endif
