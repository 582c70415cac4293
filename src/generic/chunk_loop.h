/* chunk_loop.h - the loop every SIMD kernel runs, as an inline function: chunks of up to
 * KLD_CHUNK_VECS whole vectors, then the tail through a one-vector copy padded with a neutral
 * value (0 for probabilities, -inf for logits), so nothing is read past n. Part of the SIMD
 * templates: include after a lanes header (elem, KLD_LANES).
 *
 * chunk(state, x, y, nvec) handles nvec whole vectors starting at x and y, in vector
 * accumulators local to the call (so they stay in registers), and adds their lane sums into the
 * block totals of state. fold(state) adds the block totals into the grand totals, after every
 * KLD_FOLD_CHUNKS chunks and at the end. The longest chain of additions a term goes through is
 * then KLD_CHUNK_VECS (its lane) + log2(KLD_LANES) (the lane sum) + KLD_FOLD_CHUNKS (the block)
 * + n / (KLD_CHUNK_VECS * KLD_FOLD_CHUNKS * KLD_LANES) (the grand total), not n / KLD_LANES:
 * 65 + n/2048 for NEON doubles (2 lanes, the narrowest vectors), 66 + n/4096 for AVX2 doubles
 * and NEON floats; the error bounds count it as gamma.
 *
 * A chunk is also the unit of the two-phase structure of the kernels that call SLEEF: phase 1
 * makes every SLEEF call of the chunk back to back and stores the results to a stack buffer;
 * phase 2 reads them back and does the arithmetic that uses them. Every call forces all vector
 * registers out, and one vector's chain (division, then the log's polynomial) is long. With the
 * calls back to back nothing else is live across them, and the out-of-order window holds several
 * independent calls at once (tuning.h). */
#ifndef KLD_CHUNK_LOOP_H
#define KLD_CHUNK_LOOP_H

#include <string.h>

#include "tuning.h"

/* For a chunk's rare vectors (zeros, specials): out of line, so that the hot loop around the call
 * keeps its accumulators in registers. gcc and clang, the compilers kld builds with. */
#define KLD_NOINLINE __attribute__((noinline))

/* m_bits of a mask with every lane set. */
#define KLD_ALL_LANES ((1u << KLD_LANES) - 1u)

typedef void (*kld_chunk_fn)(void *state, const elem *x, const elem *y, size_t nvec);
typedef void (*kld_fold_fn)(void *state);

/* Always inlined, so that chunk and fold, constants at every call site, become direct calls. */
static inline __attribute__((always_inline)) void
kld_run_chunks(void *state, const elem *x, const elem *y, size_t n, elem pad, kld_chunk_fn chunk,
               kld_fold_fn fold)
{
    size_t at = 0, whole = n / KLD_LANES, chunks = 0;
    while (whole > 0) {
        size_t nvec = whole < KLD_CHUNK_VECS ? whole : KLD_CHUNK_VECS;
        chunk(state, x + at, y + at, nvec);
        if (++chunks % KLD_FOLD_CHUNKS == 0)
            fold(state);
        at += nvec * KLD_LANES;
        whole -= nvec;
    }
    if (at < n) {
        elem xt[KLD_LANES], yt[KLD_LANES];
        for (size_t k = 0; k < KLD_LANES; k++)
            xt[k] = yt[k] = pad;
        memcpy(xt, x + at, (n - at) * sizeof(elem));
        memcpy(yt, y + at, (n - at) * sizeof(elem));
        chunk(state, xt, yt, 1);
    }
    fold(state);
}

#endif /* KLD_CHUNK_LOOP_H */
