/* neon/arith_template.h - the lane operations whose AArch64 intrinsics differ only in lane type
 * (vaddq_f32, vaddq_f64, ...), written once. Included by each NEON lanes_<type>.h after its vec,
 * mask and lane types.
 *
 * Parameters, defined before the include (and #undef'd at its end): KLD_NEON(op), the intrinsic
 * for op on the lane type, e.g. op##q_f32; KLD_NEON_MASK(op), the same on the mask type
 * (op##q_u32). */
#if !defined(KLD_NEON) || !defined(KLD_NEON_MASK)
#error "neon/arith_template.h needs KLD_NEON(op) and KLD_NEON_MASK(op)"
#endif

static inline vec v_load_lanes(const lane *x) { return KLD_NEON(vld1)(x); }
static inline void v_store(lane *x, vec v) { KLD_NEON(vst1)(x, v); }
static inline vec v_add(vec a, vec b) { return KLD_NEON(vadd)(a, b); }
static inline vec v_sub(vec a, vec b) { return KLD_NEON(vsub)(a, b); }
static inline vec v_mul(vec a, vec b) { return KLD_NEON(vmul)(a, b); }
static inline vec v_div(vec a, vec b) { return KLD_NEON(vdiv)(a, b); }
static inline vec v_max(vec a, vec b) { return KLD_NEON(vmax)(a, b); }
static inline vec v_min(vec a, vec b) { return KLD_NEON(vmin)(a, b); }
static inline vec v_fmadd(vec a, vec b, vec c) { return KLD_NEON(vfma)(c, a, b); }
static inline vec v_fnmadd(vec a, vec b, vec c) { return KLD_NEON(vfms)(c, a, b); }
static inline vec v_select(mask m, vec t, vec f) { return KLD_NEON(vbsl)(m, t, f); }
static inline mask m_gt(vec a, vec b) { return KLD_NEON(vcgt)(a, b); }
static inline mask m_ge(vec a, vec b) { return KLD_NEON(vcge)(a, b); }
static inline mask m_le(vec a, vec b) { return KLD_NEON(vcle)(a, b); }
static inline mask m_eq(vec a, vec b) { return KLD_NEON(vceq)(a, b); }
static inline mask m_and(mask a, mask b) { return KLD_NEON_MASK(vand)(a, b); }
static inline mask m_or(mask a, mask b) { return KLD_NEON_MASK(vorr)(a, b); }

#undef KLD_NEON
#undef KLD_NEON_MASK
