/* api_template.h - the bodies of the public entry points, one static helper per result shape
 * (kernel_list.h's shapes), written once and instantiated per C element type by api_prob.c and
 * api_logits.c. Each helper applies the argument conventions of api_internal.h (kld.h), then
 * calls the kernel it is given, which the public function takes from the table of the active
 * path, once per call.
 *
 * Parameters, defined before the include (and #undef'd at its end): KLD_API_ELEM, the C element
 * type (float, double, uint16_t), and KLD_API_SHAPE(shape), the name of the helper of a shape
 * for that type (pair_f32, say); KLD_API_LOGITS, when defined, for the logits helpers instead
 * of the probability ones. */
#if !defined(KLD_API_ELEM) || !defined(KLD_API_SHAPE)
#error "api_template.h needs KLD_API_ELEM and KLD_API_SHAPE"
#endif

#define T KLD_API_ELEM

#ifndef KLD_API_LOGITS
/* both: forward and reverse; either output may be NULL. */
static void KLD_API_SHAPE(pair)(KLD_RET_PAIR (*kernel) KLD_ARGS_PAIR(T), const T *p, const T *q,
                                size_t n, double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    if (kld_missing_input(p, q, n))
        f = r = NAN;
    else if (n)
        kernel(p, q, n, &f, &r);
    kld_store_pair(forward, reverse, f, r);
}

static void KLD_API_SHAPE(stats)(KLD_RET_STATS (*kernel) KLD_ARGS_STATS(T), const T *p,
                                 const T *q, size_t n, kld_stats *out)
{
    if (!out)
        return;
    if (kld_missing_input(p, q, n))
        *out = kld_stats_nan();
    else if (n)
        kernel(p, q, n, out);
    else
        *out = (kld_stats){0};
}

/* JS or TV: NaN for a NULL input with n > 0, 0 for n == 0. */
static double KLD_API_SHAPE(one)(KLD_RET_ONE (*kernel) KLD_ARGS_ONE(T), const T *p, const T *q,
                                 size_t n)
{
    if (kld_missing_input(p, q, n))
        return NAN;
    return n ? kernel(p, q, n) : 0.0;
}

/* Rows: each row's result is the single-row helper's on that row. */
static void KLD_API_SHAPE(rows_pair)(KLD_RET_PAIR (*kernel) KLD_ARGS_PAIR(T), const T *p,
                                     const T *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                                     double *forward, double *reverse)
{
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    for (size_t r = 0; r < rows; r++) {
        double f = bad ? NAN : 0.0, b = f;
        if (!bad && n)
            kernel(p + r * ldp, q + r * ldq, n, &f, &b);
        kld_store_pair(forward ? &forward[r] : NULL, reverse ? &reverse[r] : NULL, f, b);
    }
}

static void KLD_API_SHAPE(rows_stats)(KLD_RET_STATS (*kernel) KLD_ARGS_STATS(T), const T *p,
                                      const T *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                                      kld_stats *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            out[r] = kld_stats_nan();
        else if (n)
            kernel(p + r * ldp, q + r * ldq, n, &out[r]);
        else
            out[r] = (kld_stats){0};
    }
}

static void KLD_API_SHAPE(rows_one)(KLD_RET_ONE (*kernel) KLD_ARGS_ONE(T), const T *p,
                                    const T *q, size_t rows, size_t n, size_t ldp, size_t ldq,
                                    double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    for (size_t r = 0; r < rows; r++)
        out[r] = bad ? NAN : n ? kernel(p + r * ldp, q + r * ldq, n) : 0.0;
}

/* The stats, JS and TV together: the conventions of stats and one, field by field. */
static void KLD_API_SHAPE(stats_js_tv)(KLD_RET_STATS_JS_TV (*kernel) KLD_ARGS_STATS_JS_TV(T),
                                       const T *p, const T *q, size_t n, kld_stats_js_tv *out)
{
    if (!out)
        return;
    if (kld_missing_input(p, q, n))
        *out = (kld_stats_js_tv){kld_stats_nan(), NAN, NAN};
    else if (n)
        kernel(p, q, n, out);
    else
        *out = (kld_stats_js_tv){{0}, 0.0, 0.0};
}

static void KLD_API_SHAPE(rows_stats_js_tv)(KLD_RET_STATS_JS_TV (*kernel)
                                                KLD_ARGS_STATS_JS_TV(T),
                                            const T *p, const T *q, size_t rows, size_t n,
                                            size_t ldp, size_t ldq, kld_stats_js_tv *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(p, q, rows, n, ldp, ldq);
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            out[r] = (kld_stats_js_tv){kld_stats_nan(), NAN, NAN};
        else
            KLD_API_SHAPE(stats_js_tv)(kernel, n ? p + r * ldp : p, n ? q + r * ldq : q, n,
                                       &out[r]);
    }
}

#else
/* Logits: the temperature rule first (NaN results for a T without a finite float 1/T). */
static void KLD_API_SHAPE(logit_stats)(KLD_RET_LOGIT_STATS (*kernel) KLD_ARGS_LOGIT_STATS(T),
                                       const T *a, const T *b, size_t n, float temperature,
                                       kld_logit_stats *out)
{
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        kld_logits_nan(out, n);
    else if (n)
        kernel(a, b, n, inv_t, out);
    else
        *out = (kld_logit_stats){{0}, -INFINITY, -INFINITY, 0, 0};
}

static void KLD_API_SHAPE(logit_pair)(KLD_RET_LOGIT_PAIR (*kernel) KLD_ARGS_LOGIT_PAIR(T),
                                      const T *a, const T *b, size_t n, float temperature,
                                      double *forward, double *reverse)
{
    double f = 0.0, r = 0.0;
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        f = r = NAN;
    else if (n)
        kernel(a, b, n, inv_t, &f, &r);
    kld_store_pair(forward, reverse, f, r);
}

/* JS and TV from one kernel; an output that is NULL is not computed. */
static void KLD_API_SHAPE(logit_div)(KLD_RET_LOGIT_DIV (*kernel) KLD_ARGS_LOGIT_DIV(T),
                                     const T *a, const T *b, size_t n, float temperature,
                                     double *js, double *tv)
{
    double j = 0.0, v = 0.0;
    float inv_t;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n))
        j = v = NAN;
    else if (n)
        kernel(a, b, n, inv_t, js ? &j : NULL, tv ? &v : NULL);
    kld_store_pair(js, tv, j, v);
}

/* Rows of logits: n == 0 forms no row pointer (a and b may be NULL then). */
static void KLD_API_SHAPE(rows_logit_stats)(KLD_RET_LOGIT_STATS (*kernel)
                                                KLD_ARGS_LOGIT_STATS(T),
                                            const T *a, const T *b, size_t rows, size_t n,
                                            size_t lda, size_t ldb, float temperature,
                                            kld_logit_stats *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    for (size_t r = 0; r < rows; r++) {
        if (bad)
            kld_logits_nan(&out[r], n);
        else
            KLD_API_SHAPE(logit_stats)(kernel, n ? a + r * lda : a, n ? b + r * ldb : b, n,
                                       temperature, &out[r]);
    }
}

static void KLD_API_SHAPE(rows_logit_pair)(KLD_RET_LOGIT_PAIR (*kernel) KLD_ARGS_LOGIT_PAIR(T),
                                           const T *a, const T *b, size_t rows, size_t n,
                                           size_t lda, size_t ldb, float temperature,
                                           double *forward, double *reverse)
{
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    for (size_t r = 0; r < rows; r++) {
        double f = NAN, rv = NAN;
        if (!bad)
            KLD_API_SHAPE(logit_pair)(kernel, n ? a + r * lda : a, n ? b + r * ldb : b, n,
                                      temperature, &f, &rv);
        kld_store_pair(forward ? &forward[r] : NULL, reverse ? &reverse[r] : NULL, f, rv);
    }
}

/* One of JS (tv == 0) and TV (tv == 1) per row. */
static void KLD_API_SHAPE(rows_logit_div)(KLD_RET_LOGIT_DIV (*kernel) KLD_ARGS_LOGIT_DIV(T),
                                          int tv, const T *a, const T *b, size_t rows, size_t n,
                                          size_t lda, size_t ldb, float temperature, double *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    for (size_t r = 0; r < rows; r++) {
        out[r] = NAN;
        if (!bad)
            KLD_API_SHAPE(logit_div)(kernel, n ? a + r * lda : a, n ? b + r * ldb : b, n,
                                     temperature, tv ? NULL : &out[r], tv ? &out[r] : NULL);
    }
}
/* The stats, JS and TV together: the conventions of logit_stats and logit_div, field by
 * field. */
static void KLD_API_SHAPE(logit_stats_js_tv)(KLD_RET_LOGIT_STATS_JS_TV (*kernel)
                                                 KLD_ARGS_LOGIT_STATS_JS_TV(T),
                                             const T *a, const T *b, size_t n, float temperature,
                                             kld_logit_stats_js_tv *out)
{
    float inv_t;
    if (!out)
        return;
    if (!kld_inverse_temperature(temperature, &inv_t) || kld_missing_input(a, b, n)) {
        kld_logits_nan(&out->stats, n);
        out->js = out->tv = NAN;
    } else if (n) {
        kernel(a, b, n, inv_t, out);
    } else {
        *out = (kld_logit_stats_js_tv){{{0}, -INFINITY, -INFINITY, 0, 0}, 0.0, 0.0};
    }
}

static void KLD_API_SHAPE(rows_logit_stats_js_tv)(KLD_RET_LOGIT_STATS_JS_TV (*kernel)
                                                      KLD_ARGS_LOGIT_STATS_JS_TV(T),
                                                  const T *a, const T *b, size_t rows, size_t n,
                                                  size_t lda, size_t ldb, float temperature,
                                                  kld_logit_stats_js_tv *out)
{
    if (!out)
        return;
    int bad = kld_bad_rows(a, b, rows, n, lda, ldb);
    for (size_t r = 0; r < rows; r++) {
        if (bad) {
            kld_logits_nan(&out[r].stats, n);
            out[r].js = out[r].tv = NAN;
        } else {
            KLD_API_SHAPE(logit_stats_js_tv)(kernel, n ? a + r * lda : a, n ? b + r * ldb : b,
                                             n, temperature, &out[r]);
        }
    }
}
#endif

#undef T
#undef KLD_API_ELEM
#undef KLD_API_SHAPE
#undef KLD_API_LOGITS
