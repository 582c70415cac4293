/* args.h - the arguments of one kld function call, every one by position or by name, parsed
 * and checked for bad values and combinations before any array is read. */
#ifndef KLD_PY_ARGS_H
#define KLD_PY_ARGS_H

#include "kernels.h" /* Python.h, first of all headers */

typedef enum { REDUCE_NONE, REDUCE_SUM, REDUCE_MEAN, REDUCE_BATCHMEAN } reduction;

typedef struct kld_args {
    PyObject *a, *b;          /* p, q (probabilities) or a, b (logits): positional or by name */
    float t;                  /* temperature=1.0 (logits; third positional), rounded to float */
    int axis;                 /* axis= or dim= (torch's name), default -1 */
    reduction reduce;         /* reduction='none' */
    PyObject *mask, *labels;  /* mask=, labels= (borrowed; NULL when absent or None) */
    long long ignore_index;   /* ignore_index=-100 (torch's default), with labels */
    PyObject *out;            /* out= (borrowed; NULL when absent or None) */
} kld_args;

/* args_parse() : fn's METH_FASTCALL | METH_KEYWORDS arguments into *args. @return 0, or -1 with
 * TypeError (a missing, unknown or repeated argument, a wrong type, an argument fn does not
 * take, or two that do not go together) or ValueError (a reduction kld does not know). */
int args_parse(const kld_function *fn, PyObject *const *argv, Py_ssize_t nargs,
               PyObject *kwnames, kld_args *args);

#endif
