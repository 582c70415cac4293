/* neon/arith.h - the lane operations whose AArch64 intrinsics differ only in lane type
 * (vaddq_f32, vaddq_f64, ...), stamped once per ops header; M is the mask lane type. */
#ifndef KLD_NEON_ARITH_H
#define KLD_NEON_ARITH_H

#define KLD_NEON_ARITH(T, M)                                                                     \
    static inline vec v_load(const elem *x) { return vld1q_##T(x); }                             \
    static inline void v_store(elem *x, vec v) { vst1q_##T(x, v); }                              \
    static inline vec v_set1(elem x) { return vdupq_n_##T(x); }                                  \
    static inline vec v_add(vec a, vec b) { return vaddq_##T(a, b); }                            \
    static inline vec v_sub(vec a, vec b) { return vsubq_##T(a, b); }                            \
    static inline vec v_mul(vec a, vec b) { return vmulq_##T(a, b); }                            \
    static inline vec v_div(vec a, vec b) { return vdivq_##T(a, b); }                            \
    static inline vec v_max(vec a, vec b) { return vmaxq_##T(a, b); }                            \
    static inline vec v_min(vec a, vec b) { return vminq_##T(a, b); }                            \
    static inline vec v_fmadd(vec a, vec b, vec c) { return vfmaq_##T(c, a, b); }               \
    static inline vec v_fnmadd(vec a, vec b, vec c) { return vfmsq_##T(c, a, b); }              \
    static inline vec v_select(mask m, vec t, vec f) { return vbslq_##T(m, t, f); }             \
    static inline mask m_gt(vec a, vec b) { return vcgtq_##T(a, b); }                            \
    static inline mask m_ge(vec a, vec b) { return vcgeq_##T(a, b); }                            \
    static inline mask m_le(vec a, vec b) { return vcleq_##T(a, b); }                            \
    static inline mask m_eq(vec a, vec b) { return vceqq_##T(a, b); }                            \
    static inline mask m_and(mask a, mask b) { return vandq_##M(a, b); }                         \
    static inline mask m_or(mask a, mask b) { return vorrq_##M(a, b); }

#endif /* KLD_NEON_ARITH_H */
