/* kernel_list.h - the one list of kld's kernels: every path, and every kernel family x element
 * type, each named once. The kernel table and its prototypes (kernels.h), each path's table
 * (dispatch.c), the per-path definitions (generic/simd_kernels.h, generic/ref_kernels.h), the
 * bench registrations, the Python adapters and the tests that cover every entry point on every
 * path are expanded from these lists by the preprocessor; nothing else lists them.
 *
 * A kernel is named kld_<family>_<type>_<path>, e.g. kld_tv_f16_avx2: `grep -rn 'KLD_KERNEL(tv)'
 * src/` finds its template, `grep -rn kld_tv_f16 include src` its public entry points. */
#ifndef KLD_KERNEL_LIST_H
#define KLD_KERNEL_LIST_H

#include <stdint.h>

/* The paths, in kld_isa order (kld.h): X(NAME, name, BUILT) where BUILT(...) keeps its
 * arguments when this build compiles the path in (the target's CPU family), and drops them
 * otherwise. Adding a path: a line here, its kld_isa value (kld.h), its detection
 * (cpu_features.c), its folder src/arch/<family>/<name>/ and its flags (meson.build). */
#define KLD_ISAS(X)                                                                            \
    X(SCALAR, scalar, KLD_BUILT_ALWAYS)                                                        \
    X(AVX2, avx2, KLD_BUILT_ON_X86_64)                                                         \
    X(AVX512, avx512, KLD_BUILT_ON_X86_64)                                                     \
    X(NEON, neon, KLD_BUILT_ON_AARCH64)

#define KLD_BUILT_ALWAYS(...) __VA_ARGS__
#if defined(__x86_64__)
#define KLD_BUILT_ON_X86_64(...) __VA_ARGS__
#else
#define KLD_BUILT_ON_X86_64(...)
#endif
#if defined(__aarch64__)
#define KLD_BUILT_ON_AARCH64(...) __VA_ARGS__
#else
#define KLD_BUILT_ON_AARCH64(...)
#endif

/* The kernels: X(a, family, SHAPE, type, C type), a passed through (a path, say). The SHAPE
 * fixes the signature (KLD_RET_<SHAPE>, KLD_ARGS_<SHAPE> below). Each family is named once in the
 * per-type lists, each type once in KLD_KERNELS. Probabilities come in f32, f64, f16 and bf16,
 * logits in f32, f16 and bf16 (KLD_LOGITS_<type> is 1 where a type has the logits families). f16
 * and bf16 are their bits, as uint16_t. */
#define KLD_PROB_KERNELS(X, a, t, T)                                                           \
    X(a, both, PAIR, t, T)                                                                     \
    X(a, stats, STATS, t, T)                                                                   \
    X(a, stats_js_tv, STATS_JS_TV, t, T)                                                       \
    X(a, js, ONE, t, T)                                                                        \
    X(a, tv, ONE, t, T)
#define KLD_LOGIT_KERNELS(X, a, t, T)                                                          \
    X(a, stats_logits, LOGIT_STATS, t, T)                                                      \
    X(a, stats_js_tv_logits, LOGIT_STATS_JS_TV, t, T)                                          \
    X(a, both_logits, LOGIT_PAIR, t, T)                                                        \
    X(a, div_logits, LOGIT_DIV, t, T)
#define KLD_KERNELS(X, a)                                                                      \
    KLD_PROB_KERNELS(X, a, f32, float)                                                         \
    KLD_PROB_KERNELS(X, a, f64, double)                                                        \
    KLD_PROB_KERNELS(X, a, f16, uint16_t)                                                      \
    KLD_PROB_KERNELS(X, a, bf16, uint16_t)                                                     \
    KLD_LOGIT_KERNELS(X, a, f32, float)                                                        \
    KLD_LOGIT_KERNELS(X, a, f16, uint16_t)                                                     \
    KLD_LOGIT_KERNELS(X, a, bf16, uint16_t)                                                    \
    KLD_DISTILL_KERNELS(X, a)

/* Distillation (kld.h's kld_distill_*): the loss of one divergence between the teacher's
 * P = softmax(teacher/T) and the student's Q = softmax(student/T), and its gradient with respect
 * to the student's logits. f64 runs the scalar reference on every path (for float64 autograd
 * checks); f32, f16 and bf16 have SIMD kernels (generic/distill_template.h). */
#define KLD_DISTILL_KERNELS(X, a)                                                              \
    X(a, distill, DISTILL, f32, float)                                                         \
    X(a, distill, DISTILL, f64, double)                                                        \
    X(a, distill, DISTILL, f16, uint16_t)                                                      \
    X(a, distill, DISTILL, bf16, uint16_t)

#define KLD_LOGITS_f32 1
#define KLD_LOGITS_f64 0
#define KLD_LOGITS_f16 1
#define KLD_LOGITS_bf16 1

/* The signature of each shape. Kernels assume n > 0, non-NULL inputs and non-NULL outputs (the
 * public entry points check); the logits kernels take inv_t = fl32(1/T), finite and > 0
 * (api_internal.h), and every path scales a logit as (a - max a) * inv_t. */
#define KLD_RET_PAIR void
#define KLD_ARGS_PAIR(T) (const T *p, const T *q, size_t n, double *forward, double *reverse)
#define KLD_RET_STATS void
#define KLD_ARGS_STATS(T) (const T *p, const T *q, size_t n, kld_stats *out)
#define KLD_RET_ONE double /* one divergence: JS, or TV (the sum of |p - q|, halved) */
#define KLD_ARGS_ONE(T) (const T *p, const T *q, size_t n)
#define KLD_RET_LOGIT_STATS void
#define KLD_ARGS_LOGIT_STATS(T) (const T *a, const T *b, size_t n, float inv_t, kld_logit_stats *out)
#define KLD_RET_LOGIT_PAIR void /* the two KLs alone: no entropies, no argmax */
#define KLD_ARGS_LOGIT_PAIR(T)                                                                 \
    (const T *a, const T *b, size_t n, float inv_t, double *forward, double *reverse)
#define KLD_RET_LOGIT_DIV void /* JS and TV from one body; an output that is NULL is skipped */
#define KLD_ARGS_LOGIT_DIV(T) (const T *a, const T *b, size_t n, float inv_t, double *js, double *tv)
/* The stats, JS and TV of one pair together: every field the separate kernels' result. */
#define KLD_RET_STATS_JS_TV void
#define KLD_ARGS_STATS_JS_TV(T) (const T *p, const T *q, size_t n, kld_stats_js_tv *out)
#define KLD_RET_LOGIT_STATS_JS_TV void
#define KLD_ARGS_LOGIT_STATS_JS_TV(T)                                                          \
    (const T *a, const T *b, size_t n, float inv_t, kld_logit_stats_js_tv *out)
#define KLD_RET_DISTILL void /* kind: a kld_distill_kind; the gradient goes to grad (float) if it
                              * is not NULL, else to grad_native (the input's type) if that is not
                              * NULL; the loss to *loss, never NULL */
#define KLD_ARGS_DISTILL(T)                                                                    \
    (const T *student, const T *teacher, size_t n, float inv_t, int kind, double *loss,       \
     float *grad, T *grad_native)

/* The public entry points of each family and type, for the users that cover all of them (bench,
 * Python, tests): X(a, family, SHAPE, type, C type), where kld_<family>_<type> is the single-row
 * entry point and kld_rows_<family>_<type> the rows one. They are the kernels' families, but for
 * div_logits: one kernel behind two families of entry points, js_logits and tv_logits. */
#define KLD_LOGIT_ENTRY_POINTS(X, a, t, T)                                                     \
    X(a, stats_logits, LOGIT_STATS, t, T)                                                      \
    X(a, stats_js_tv_logits, LOGIT_STATS_JS_TV, t, T)                                          \
    X(a, both_logits, LOGIT_PAIR, t, T)                                                        \
    X(a, js_logits, LOGIT_ONE, t, T)                                                           \
    X(a, tv_logits, LOGIT_ONE, t, T)
#define KLD_ENTRY_POINTS(X, a)                                                                 \
    KLD_PROB_KERNELS(X, a, f32, float)                                                         \
    KLD_PROB_KERNELS(X, a, f64, double)                                                        \
    KLD_PROB_KERNELS(X, a, f16, uint16_t)                                                      \
    KLD_PROB_KERNELS(X, a, bf16, uint16_t)                                                     \
    KLD_LOGIT_ENTRY_POINTS(X, a, f32, float)                                                   \
    KLD_LOGIT_ENTRY_POINTS(X, a, f16, uint16_t)                                                \
    KLD_LOGIT_ENTRY_POINTS(X, a, bf16, uint16_t)

/* The distillation entry points (kld_distill_<type>, kld_rows_distill_<type>: the gradient in
 * float, or double for f64; kld_distill_native_<type>: in the input's type), a list of their own
 * because their shape writes a gradient row, which the users of KLD_ENTRY_POINTS do not take. */
#define KLD_DISTILL_ENTRY_POINTS(X, a)                                                         \
    X(a, distill, DISTILL, f32, float)                                                         \
    X(a, distill, DISTILL, f64, double)                                                        \
    X(a, distill, DISTILL, f16, uint16_t)                                                      \
    X(a, distill, DISTILL, bf16, uint16_t)                                                     \
    X(a, distill_native, DISTILL, f16, uint16_t)                                               \
    X(a, distill_native, DISTILL, bf16, uint16_t)

#define KLD_CAT_(x, y) x##y
#define KLD_CAT(x, y) KLD_CAT_(x, y)

#endif /* KLD_KERNEL_LIST_H */
