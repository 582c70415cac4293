/* chunked_loop.h - the loop every SIMD kernel runs: chunks of up to KLD_CHUNK_VECS whole vectors,
 * then the tail through a one-vector copy padded with a neutral value (0 for probabilities, -inf
 * for logits), so nothing is read past n.
 *
 * CHUNK(state, x, y, nvec) handles nvec whole vectors starting at x and y, in vector accumulators
 * local to the call (so they stay in registers), and adds their lane sums into the block totals
 * of state. FOLD(state) adds the block totals into the grand totals, after every KLD_FOLD_CHUNKS
 * chunks and at the end. The longest chain of additions a term goes through is then
 * KLD_CHUNK_VECS (its lane) + log2(KLD_LANES) (the lane sum) + KLD_FOLD_CHUNKS (the block) +
 * n / (KLD_CHUNK_VECS * KLD_FOLD_CHUNKS * KLD_LANES) (the grand total), not n / KLD_LANES: at most
 * 70 + n/4096 (AVX2 doubles, the narrowest vectors), which the error bounds count as gamma.
 *
 * A chunk is also the unit of the two-phase structure of the kernels that call SLEEF: phase 1
 * makes every SLEEF call of the chunk back to back and stores the results to a stack buffer;
 * phase 2 reads them back and does the arithmetic that uses them. Every call forces all vector
 * registers out, and one vector's chain (division, then the log's polynomial) is long. With the
 * calls back to back nothing else is live across them, and the out-of-order window holds several
 * independent calls at once (measured: 0.73 -> 0.66 ns/element for kld_both_f32 on AVX-512). */
#ifndef KLD_CHUNKED_LOOP_H
#define KLD_CHUNKED_LOOP_H

#define KLD_CHUNK_VECS 32
#define KLD_FOLD_CHUNKS 32

/* For a chunk's rare vectors (zeros, specials): out of line, so that the hot loop around the call
 * keeps its accumulators in registers. gcc and clang, the compilers kld builds with. */
#define KLD_NOINLINE __attribute__((noinline))

#define KLD_CHUNKED_LOOP(x, y, n, state, CHUNK, FOLD, PAD)                                       \
    do {                                                                                         \
        size_t i_ = 0, whole_ = (n) / KLD_LANES, chunks_ = 0;                                    \
        while (whole_ > 0) {                                                                     \
            size_t nv_ = whole_ < KLD_CHUNK_VECS ? whole_ : KLD_CHUNK_VECS;                      \
            CHUNK(state, (x) + i_, (y) + i_, nv_);                                               \
            if (++chunks_ % KLD_FOLD_CHUNKS == 0)                                                \
                FOLD(state);                                                                     \
            i_ += nv_ * KLD_LANES;                                                               \
            whole_ -= nv_;                                                                       \
        }                                                                                        \
        if (i_ < (n)) {                                                                          \
            elem xt_[KLD_LANES], yt_[KLD_LANES];                                                 \
            for (size_t k_ = 0; k_ < KLD_LANES; k_++)                                            \
                xt_[k_] = yt_[k_] = (PAD);                                                       \
            memcpy(xt_, (x) + i_, ((n) - i_) * sizeof(elem));                                    \
            memcpy(yt_, (y) + i_, ((n) - i_) * sizeof(elem));                                    \
            CHUNK(state, xt_, yt_, 1);                                                           \
        }                                                                                        \
        FOLD(state);                                                                             \
    } while (0)

#endif /* KLD_CHUNKED_LOOP_H */
