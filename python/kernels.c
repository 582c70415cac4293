/* kernels.c - adapters from kld's typed rows entry points to kernels.h's untyped signatures,
 * one per entry point of kernel_list.h, and the binding of each Python function to its family's. */
#include "kernels.h"

#include <stdint.h>
#include <string.h>

#include "kernel_list.h"

#define ROWS(T) (const T *)a, (const T *)b, rows, n, lda, ldb

/* One adapter per shape (kernel_list.h), named adapt_<family>_<type>. */
#define PY_ADAPT_PAIR(family, tn, T)                                                           \
    static void adapt_##family##_##tn(KLD_PY_ROWS_ARGS, double *first, double *second)       \
    {                                                                                          \
        (void)t;                                                                               \
        kld_rows_##family##_##tn(ROWS(T), first, second);                                      \
    }
#define PY_ADAPT_ONE(family, tn, T)                                                            \
    static void adapt_##family##_##tn(KLD_PY_ROWS_ARGS, double *first, double *second)       \
    {                                                                                          \
        (void)t, (void)second;                                                                 \
        kld_rows_##family##_##tn(ROWS(T), first);                                              \
    }
#define PY_ADAPT_STATS(family, tn, T)                                                          \
    static void adapt_##family##_##tn(KLD_PY_ROWS_ARGS, kld_stats *out)                       \
    {                                                                                          \
        (void)t;                                                                               \
        kld_rows_##family##_##tn(ROWS(T), out);                                                \
    }
#define PY_ADAPT_LOGIT_PAIR(family, tn, T)                                                     \
    static void adapt_##family##_##tn(KLD_PY_ROWS_ARGS, double *first, double *second)       \
    {                                                                                          \
        kld_rows_##family##_##tn(ROWS(T), t, first, second);                                   \
    }
#define PY_ADAPT_LOGIT_ONE(family, tn, T)                                                      \
    static void adapt_##family##_##tn(KLD_PY_ROWS_ARGS, double *first, double *second)       \
    {                                                                                          \
        (void)second;                                                                          \
        kld_rows_##family##_##tn(ROWS(T), t, first);                                           \
    }
#define PY_ADAPT_LOGIT_STATS(family, tn, T)                                                    \
    static void adapt_##family##_##tn(KLD_PY_ROWS_ARGS, kld_logit_stats *out)                 \
    {                                                                                          \
        kld_rows_##family##_##tn(ROWS(T), t, out);                                             \
    }
/* The fused stats + JS + TV families have no Python function (kld.stats with js and tv would
 * be one): their shapes expand to nothing here, adapter and table entry alike. */
#define PY_ADAPT_STATS_JS_TV(family, tn, T)
#define PY_ADAPT_LOGIT_STATS_JS_TV(family, tn, T)
#define PY_ADAPTER(a, family, SHAPE, tn, T) PY_ADAPT_##SHAPE(family, tn, T)
KLD_ENTRY_POINTS(PY_ADAPTER, )

/* Each shape's slot in kld_function.k, and whether it takes logits. */
#define PY_SLOT_PAIR pair
#define PY_SLOT_ONE pair
#define PY_SLOT_STATS stats
#define PY_SLOT_LOGIT_PAIR pair
#define PY_SLOT_LOGIT_ONE pair
#define PY_SLOT_LOGIT_STATS logit_stats
#define PY_LOGITS_PAIR 0
#define PY_LOGITS_ONE 0
#define PY_LOGITS_STATS 0
#define PY_LOGITS_LOGIT_PAIR 1
#define PY_LOGITS_LOGIT_ONE 1
#define PY_LOGITS_LOGIT_STATS 1
#define PY_DTYPE_f32 DTYPE_F32
#define PY_DTYPE_f64 DTYPE_F64
#define PY_DTYPE_f16 DTYPE_F16
#define PY_DTYPE_bf16 DTYPE_BF16

typedef struct {
    const char *family;
    kld_py_dtype dtype;
    int logits;
    union { /* the adapter, in the member of its shape */
        pair_kernel pair;
        stats_kernel stats;
        logit_stats_kernel logit_stats;
    } k;
} entry_point;

#define PY_ENTRY_BOUND(family, SHAPE, tn)                                                      \
    {#family, PY_DTYPE_##tn, PY_LOGITS_##SHAPE, {.PY_SLOT_##SHAPE = adapt_##family##_##tn}},
#define PY_ENTRY_PAIR(family, tn) PY_ENTRY_BOUND(family, PAIR, tn)
#define PY_ENTRY_ONE(family, tn) PY_ENTRY_BOUND(family, ONE, tn)
#define PY_ENTRY_STATS(family, tn) PY_ENTRY_BOUND(family, STATS, tn)
#define PY_ENTRY_LOGIT_PAIR(family, tn) PY_ENTRY_BOUND(family, LOGIT_PAIR, tn)
#define PY_ENTRY_LOGIT_ONE(family, tn) PY_ENTRY_BOUND(family, LOGIT_ONE, tn)
#define PY_ENTRY_LOGIT_STATS(family, tn) PY_ENTRY_BOUND(family, LOGIT_STATS, tn)
#define PY_ENTRY_STATS_JS_TV(family, tn)
#define PY_ENTRY_LOGIT_STATS_JS_TV(family, tn)
#define PY_ENTRY(a, family, SHAPE, tn, T) PY_ENTRY_##SHAPE(family, tn)
static const entry_point entry_points[] = {KLD_ENTRY_POINTS(PY_ENTRY, )};

int kernels_bind(kld_function *const *functions, size_t count)
{
    for (size_t f = 0; f < count; f++) {
        kld_function *fn = functions[f];
        for (size_t i = 0; i < sizeof entry_points / sizeof *entry_points; i++) {
            const entry_point *e = &entry_points[i];
            if (strcmp(e->family, fn->family) != 0)
                continue;
            if (fn->result == RESULT_STATS)
                fn->k.stats[e->dtype] = e->k.stats;
            else if (fn->result == RESULT_LOGIT_STATS)
                fn->k.logit_stats[e->dtype] = e->k.logit_stats;
            else
                fn->k.pair[e->dtype] = e->k.pair;
            fn->logits = e->logits;
            fn->dtypes |= 1u << e->dtype;
        }
        if (!fn->dtypes) {
            PyErr_Format(PyExc_SystemError, "kld: no entry points of family '%s'", fn->family);
            return -1;
        }
    }
    return 0;
}
