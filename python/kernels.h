/* kernels.h - what each Python function runs: the rows entry point of its family (kernel_list.h)
 * for the operands' dtype, behind one untyped signature per result shape. Every call goes
 * through the rows API (a vector is one row), whose rows equal the single-row calls. */
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
    const char *name;   /* the Python function */
    const char *family; /* the entry points it runs: kld_rows_<family>_<type> (kernel_list.h) */
    result_kind result;
    /* set by kernels_bind(): */
    int logits;         /* arguments are logits (a, b), with a temperature */
    unsigned dtypes;    /* bit d: a kernel for kld_py_dtype d (no float64 logits kernel exists) */
    union {             /* by dtype, as result says */
        pair_kernel pair[DTYPE_COUNT];
        stats_kernel stats[DTYPE_COUNT];
        logit_stats_kernel logit_stats[DTYPE_COUNT];
    } k;
} kld_function;

/* Fills each function's kernels from kernel_list.h's entry points of its family. Returns -1
 * with SystemError for a family the list does not have. */
int kernels_bind(kld_function *const *functions, size_t count);

#endif
