/* chunked_loop.h - the loop every SIMD kernel runs: chunks of up to KLD_CHUNK_VECS whole vectors,
 * then the tail through a one-vector copy padded with a neutral value (0 for probabilities, -inf
 * for logits), so nothing is read past n.
 *
 * CHUNK(state, x, y, nvec) handles nvec whole vectors starting at x and y, in vector accumulators
 * local to the call, which it adds into the double totals of state before it returns: the
 * rounding of the sums then grows with KLD_CHUNK_VECS + n / (KLD_CHUNK_VECS * KLD_LANES), not
 * with n / KLD_LANES, and the accumulators stay in registers.
 *
 * A chunk is also the unit of the two-phase structure of the kernels that call SLEEF: phase 1
 * makes every SLEEF call of the chunk back to back and stores the results to a stack buffer;
 * phase 2 reads them back and does the arithmetic that uses them. Every call forces all vector
 * registers out, and one vector's chain (division, then the log's polynomial) is long. With the
 * calls back to back nothing else is live across them, and the out-of-order window holds several
 * independent calls at once (measured: 0.70 -> 0.55 ns/element for kld_both_f32 on AVX-512). */
#ifndef KLD_CHUNKED_LOOP_H
#define KLD_CHUNKED_LOOP_H

#define KLD_CHUNK_VECS 32

/* For a chunk's rare vectors (zeros, specials): out of line, so that the hot loop around the call
 * keeps its accumulators in registers. gcc and clang, the compilers kld builds with. */
#define KLD_NOINLINE __attribute__((noinline))

#define KLD_CHUNKED_LOOP(x, y, n, state, CHUNK, PAD)                                             \
    do {                                                                                         \
        size_t i_ = 0, whole_ = (n) / KLD_LANES;                                                 \
        while (whole_ > 0) {                                                                     \
            size_t nv_ = whole_ < KLD_CHUNK_VECS ? whole_ : KLD_CHUNK_VECS;                      \
            CHUNK(state, (x) + i_, (y) + i_, nv_);                                               \
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
    } while (0)

#endif /* KLD_CHUNKED_LOOP_H */
