/* blocked_loop.h - the loop every SIMD kernel runs: whole vectors of x and y, then the tail through
 * a copy padded with a neutral value (0 for probabilities, -inf for logits), so nothing is read
 * past n. FOLD runs every KLD_FOLD elements: folding the vector accumulators into double totals
 * makes the rounding of the sums grow with KLD_FOLD / KLD_LANES + n / KLD_FOLD, not n / KLD_LANES.
 * Whole vectors go two at a time through BLOCK##2 (e.g. both_block2), which makes both vectors'
 * SLEEF calls before it touches the accumulators: every call forces all vector registers out, so
 * the accumulators are then reloaded once per two calls instead of once per call. */
#ifndef KLD_BLOCKED_LOOP_H
#define KLD_BLOCKED_LOOP_H

#define KLD_FOLD 1024

#define KLD_BLOCKED_LOOP(x, y, n, state, BLOCK, FOLD, PAD)                                       \
    do {                                                                                         \
        size_t i_ = 0;                                                                           \
        while (i_ + KLD_LANES <= (n)) {                                                          \
            size_t stop_ = (n) - i_ < KLD_FOLD ? (n) - (n) % KLD_LANES : i_ + KLD_FOLD;         \
            for (; i_ + 2 * KLD_LANES <= stop_; i_ += 2 * KLD_LANES) /* pairs: see BLOCK2 */       \
                BLOCK##2(state, v_load((x) + i_), v_load((y) + i_), v_load((x) + i_ + KLD_LANES),   \
                         v_load((y) + i_ + KLD_LANES));                                          \
            for (; i_ < stop_; i_ += KLD_LANES)                                                  \
                BLOCK(state, v_load((x) + i_), v_load((y) + i_));                                \
            FOLD(state);                                                                         \
        }                                                                                        \
        if (i_ < (n)) {                                                                          \
            elem xt_[KLD_LANES], yt_[KLD_LANES];                                                 \
            for (size_t k_ = 0; k_ < KLD_LANES; k_++)                                            \
                xt_[k_] = yt_[k_] = (PAD);                                                       \
            memcpy(xt_, (x) + i_, ((n) - i_) * sizeof(elem));                                    \
            memcpy(yt_, (y) + i_, ((n) - i_) * sizeof(elem));                                    \
            BLOCK(state, v_load(xt_), v_load(yt_));                                              \
            FOLD(state);                                                                         \
        }                                                                                        \
    } while (0)

#endif /* KLD_BLOCKED_LOOP_H */
