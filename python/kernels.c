/* kernels.c - adapters from kld's typed rows entry points to kernels.h's untyped signatures
 * (stamped once per dtype), and the table of each Python function's entry points. */
#include "kernels.h"

#include <stdint.h>

#define PROB_TYPES(X) X(f32, float) X(f64, double) X(f16, uint16_t) X(bf16, uint16_t)
#define LOGIT_TYPES(X) X(f32, float) X(f16, uint16_t) X(bf16, uint16_t)
#define ROWS(T) (const T *)a, (const T *)b, rows, n, lda, ldb

#define BOTH(sfx, T)                                                                           \
    static void both_##sfx(KLD_PY_ROWS_ARGS, double *first, double *second)                   \
    {                                                                                          \
        (void)t;                                                                               \
        kld_rows_both_##sfx(ROWS(T), first, second);                                          \
    }
#define BOTH_LOGITS(sfx, T)                                                                    \
    static void both_logits_##sfx(KLD_PY_ROWS_ARGS, double *first, double *second)            \
    {                                                                                          \
        kld_rows_both_logits_##sfx(ROWS(T), t, first, second);                                \
    }
#define ONE(metric, sfx, T)                                                                    \
    static void metric##_##sfx(KLD_PY_ROWS_ARGS, double *first, double *second)               \
    {                                                                                          \
        (void)t, (void)second;                                                                 \
        kld_rows_##metric##_##sfx(ROWS(T), first);                                            \
    }
#define ONE_LOGITS(metric, sfx, T)                                                             \
    static void metric##_logits_##sfx(KLD_PY_ROWS_ARGS, double *first, double *second)        \
    {                                                                                          \
        (void)second;                                                                          \
        kld_rows_##metric##_logits_##sfx(ROWS(T), t, first);                                   \
    }
#define JS(sfx, T) ONE(js, sfx, T)
#define TV(sfx, T) ONE(tv, sfx, T)
#define JS_LOGITS(sfx, T) ONE_LOGITS(js, sfx, T)
#define TV_LOGITS(sfx, T) ONE_LOGITS(tv, sfx, T)
#define STATS(sfx, T)                                                                          \
    static void stats_##sfx(KLD_PY_ROWS_ARGS, kld_stats *out)                                 \
    {                                                                                          \
        (void)t;                                                                               \
        kld_rows_stats_##sfx(ROWS(T), out);                                                    \
    }
#define STATS_LOGITS(sfx, T)                                                                   \
    static void stats_logits_##sfx(KLD_PY_ROWS_ARGS, kld_logit_stats *out)                    \
    {                                                                                          \
        kld_rows_stats_logits_##sfx(ROWS(T), t, out);                                          \
    }

PROB_TYPES(BOTH)
PROB_TYPES(STATS)
PROB_TYPES(JS)
PROB_TYPES(TV)
LOGIT_TYPES(BOTH_LOGITS)
LOGIT_TYPES(STATS_LOGITS)
LOGIT_TYPES(JS_LOGITS)
LOGIT_TYPES(TV_LOGITS)

/* By dtype, in kld_py_dtype's order; no float64 logits kernel exists. */
#define PROB(f) {f##_f32, f##_f64, f##_f16, f##_bf16}
#define LOGIT(f) {f##_f32, NULL, f##_f16, f##_bf16}

const kld_function kld_fn_forward = {"forward", 0, RESULT_FIRST, {.pair = PROB(both)}};
const kld_function kld_fn_reverse = {"reverse", 0, RESULT_SECOND, {.pair = PROB(both)}};
const kld_function kld_fn_both = {"both", 0, RESULT_PAIR, {.pair = PROB(both)}};
const kld_function kld_fn_stats = {"stats", 0, RESULT_STATS, {.stats = PROB(stats)}};
const kld_function kld_fn_js = {"js", 0, RESULT_FIRST, {.pair = PROB(js)}};
const kld_function kld_fn_tv = {"tv", 0, RESULT_FIRST, {.pair = PROB(tv)}};
const kld_function kld_fn_forward_logits = {"forward_logits", 1, RESULT_FIRST,
                                            {.pair = LOGIT(both_logits)}};
const kld_function kld_fn_reverse_logits = {"reverse_logits", 1, RESULT_SECOND,
                                            {.pair = LOGIT(both_logits)}};
const kld_function kld_fn_both_logits = {"both_logits", 1, RESULT_PAIR,
                                         {.pair = LOGIT(both_logits)}};
const kld_function kld_fn_stats_logits = {"stats_logits", 1, RESULT_LOGIT_STATS,
                                          {.logit_stats = LOGIT(stats_logits)}};
const kld_function kld_fn_js_logits = {"js_logits", 1, RESULT_FIRST,
                                       {.pair = LOGIT(js_logits)}};
const kld_function kld_fn_tv_logits = {"tv_logits", 1, RESULT_FIRST,
                                       {.pair = LOGIT(tv_logits)}};
