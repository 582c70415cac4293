/* x86/arith_template.h - the lane operations whose AVX2 and AVX-512 intrinsics differ only in
 * width and type (_mm256_add_ps, _mm512_add_pd, ...), written once. Included by each x86
 * lanes_<type>.h after its vec and lane types.
 *
 * Parameter, defined before the include (and #undef'd at its end): KLD_MM(op), the intrinsic
 * for op, e.g. _mm256_##op##_ps. */
#ifndef KLD_MM
#error "x86/arith_template.h needs KLD_MM(op)"
#endif

static inline vec v_load_lanes(const lane *x) { return KLD_MM(loadu)(x); }
static inline void v_store(lane *x, vec v) { KLD_MM(storeu)(x, v); }
static inline vec v_set1(lane x) { return KLD_MM(set1)(x); }
static inline vec v_add(vec a, vec b) { return KLD_MM(add)(a, b); }
static inline vec v_sub(vec a, vec b) { return KLD_MM(sub)(a, b); }
static inline vec v_mul(vec a, vec b) { return KLD_MM(mul)(a, b); }
static inline vec v_div(vec a, vec b) { return KLD_MM(div)(a, b); }
static inline vec v_max(vec a, vec b) { return KLD_MM(max)(a, b); }
static inline vec v_min(vec a, vec b) { return KLD_MM(min)(a, b); }
static inline vec v_fmadd(vec a, vec b, vec c) { return KLD_MM(fmadd)(a, b, c); }
static inline vec v_fnmadd(vec a, vec b, vec c) { return KLD_MM(fnmadd)(a, b, c); }

#undef KLD_MM
