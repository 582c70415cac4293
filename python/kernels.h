/* kernels.h - the table of kld entry points behind each Python function, per input dtype. Every
 * call goes through the rows API (a vector is one row), whose rows equal the single-row calls. */
#ifndef KLD_PY_KERNELS_H
#define KLD_PY_KERNELS_H

#include "operand.h" /* Python.h, first of all headers */

#include <kld.h>

/* One signature per result shape; the temperature is ignored by the probability kernels. */
#define KLD_PY_ROWS_ARGS                                                                       \
    const void *a, const void *b, size_t rows, size_t n, size_t lda, size_t ldb, float t
typedef void (*pair_kernel)(KLD_PY_ROWS_ARGS, double *first, double *second);
typedef void (*stats_kernel)(KLD_PY_ROWS_ARGS, kld_stats *out);
typedef void (*logit_stats_kernel)(KLD_PY_ROWS_ARGS, kld_logit_stats *out);

/* What a Python function returns, per row: */
typedef enum {
    RESULT_FIRST,      /* a pair kernel's first value (forward, js, tv) */
    RESULT_SECOND,     /* its second (reverse) */
    RESULT_PAIR,       /* both, as a tuple */
    RESULT_STATS,      /* kld.Stats */
    RESULT_LOGIT_STATS /* kld.LogitStats */
} result_kind;

typedef struct kld_function {
    const char *name;
    int logits; /* arguments are logits (a, b), with a temperature */
    result_kind result;
    union {     /* by dtype; NULL where kld has no kernel for it (float64 logits) */
        pair_kernel pair[DTYPE_COUNT];
        stats_kernel stats[DTYPE_COUNT];
        logit_stats_kernel logit_stats[DTYPE_COUNT];
    } k;
} kld_function;

extern const kld_function kld_fn_forward, kld_fn_reverse, kld_fn_both, kld_fn_stats, kld_fn_js,
    kld_fn_tv, kld_fn_forward_logits, kld_fn_reverse_logits, kld_fn_both_logits,
    kld_fn_stats_logits, kld_fn_js_logits, kld_fn_tv_logits;

#endif
