/* safetensors.c - the safetensors header parser (see safetensors.h): its tensors, checked against
 * each other and the data, and the one kldiv reads. The JSON itself is st_json.c's. */
#include "safetensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_json.h"

static const struct {
    const char *name;
    int size;
} dtypes[] = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"U64", 8},
              {"I32", 4}, {"U32", 4}, {"I16", 2}, {"U16", 2}, {"I8", 1}, {"U8", 1},
              {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};

/* One tensor's object: dtype, shape and data_offsets, each exactly once (other keys skipped). */
static int tensor_info(json_cursor *c, st_tensor *t)
{
    int have = 0; /* 1 dtype, 2 shape, 4 data_offsets */
    if (json_expect(c, '{') != 0)
        return -1;
    do {
        char *key;
        if (json_string(c, &key) != 0)
            return -1;
        int which = !strcmp(key, "dtype") ? 1 : !strcmp(key, "shape") ? 2
                    : !strcmp(key, "data_offsets")                  ? 4
                                                                    : 0;
        free(key);
        if (have & which)
            return json_fail(c, "a tensor's field given twice");
        have |= which;
        if (json_expect(c, ':') != 0)
            return -1;
        if (which == 1) {
            char *d;
            if (json_string(c, &d) != 0)
                return -1;
            for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
                if (!strcmp(d, dtypes[i].name))
                    t->itemsize = dtypes[i].size;
            snprintf(t->dtype, sizeof t->dtype, "%s", d);
            int unknown = !t->itemsize;
            free(d);
            if (unknown)
                return json_fail(c, "unknown dtype '%s'", t->dtype);
        } else if (which == 2) {
            if (json_uint_array(c, t->shape, ST_MAX_DIMS, &t->ndim) != 0)
                return -1;
        } else if (which == 4) {
            uint64_t off[2];
            int n;
            if (json_uint_array(c, off, 2, &n) != 0)
                return -1;
            if (n != 2)
                return json_fail(c, "data_offsets needs two numbers");
            t->begin = off[0], t->end = off[1];
        } else if (json_skip_value(c, 1) != 0)
            return -1;
    } while (json_peek(c) == ',' && c->p++);
    if (json_expect(c, '}') != 0)
        return -1;
    if (have != 7)
        return json_fail(c, "tensor '%.40s' lacks %s", t->name,
                       !(have & 1) ? "dtype" : !(have & 2) ? "shape" : "data_offsets");
    return 0;
}

static int by_name(const void *x, const void *y)
{
    return strcmp((*(const st_tensor *const *)x)->name, (*(const st_tensor *const *)y)->name);
}

static int by_begin(const void *x, const void *y)
{
    const st_tensor *a = *(const st_tensor *const *)x, *b = *(const st_tensor *const *)y;
    return a->begin < b->begin ? -1 : a->begin > b->begin;
}

/* Duplicate names and overlapping data, each by one sort (n log n: a hostile header may list
 * ST_MAX_TENSORS tensors). Tensors of no bytes overlap nothing. */
static int check_names_and_overlaps(st_header *h, char *err, size_t errlen)
{
    const st_tensor **order = malloc((h->count ? h->count : 1) * sizeof *order);
    if (!order) {
        snprintf(err, errlen, "safetensors: out of memory");
        return -1;
    }
    for (size_t i = 0; i < h->count; i++)
        order[i] = &h->t[i];
    int rc = 0;
    qsort(order, h->count, sizeof *order, by_name);
    for (size_t i = 1; i < h->count && rc == 0; i++)
        if (!strcmp(order[i - 1]->name, order[i]->name)) {
            snprintf(err, errlen, "safetensors: duplicate tensor name '%.40s'", order[i]->name);
            rc = -1;
        }
    qsort(order, h->count, sizeof *order, by_begin);
    const st_tensor *reach = NULL; /* of the tensors so far, the one whose data ends last */
    for (size_t i = 0; i < h->count && rc == 0; i++) {
        const st_tensor *t = order[i];
        if (t->begin == t->end)
            continue;
        if (reach && t->begin < reach->end) {
            snprintf(err, errlen, "safetensors tensors '%.40s' and '%.40s' overlap", reach->name,
                     t->name);
            rc = -1;
        }
        if (!reach || t->end > reach->end)
            reach = t;
    }
    free(order);
    return rc;
}

/* The tensors' sizes and offsets against the data's length. */
static int check_tensors(st_header *h, uint64_t data_len, char *err, size_t errlen)
{
    for (size_t i = 0; i < h->count; i++) {
        st_tensor *t = &h->t[i];
        uint64_t bytes = (uint64_t)t->itemsize;
        for (int d = 0; d < t->ndim; d++) {
            if (t->shape[d] && bytes > UINT64_MAX / t->shape[d]) {
                snprintf(err, errlen, "safetensors tensor '%.40s': shape overflows 64 bits",
                         t->name);
                return -1;
            }
            bytes *= t->shape[d];
        }
        if (t->begin > t->end || t->end > data_len) {
            snprintf(err, errlen, "safetensors tensor '%.40s': data_offsets [%llu, %llu] out of "
                                  "range (the data has %llu bytes)",
                     t->name, (unsigned long long)t->begin, (unsigned long long)t->end,
                     (unsigned long long)data_len);
            return -1;
        }
        if (t->end - t->begin != bytes) {
            snprintf(err, errlen, "safetensors tensor '%.40s': shape x item size is %llu bytes, "
                                  "data_offsets span %llu",
                     t->name, (unsigned long long)bytes, (unsigned long long)(t->end - t->begin));
            return -1;
        }
    }
    return check_names_and_overlaps(h, err, errlen);
}

static int add_tensor(json_cursor *c, st_header *h, size_t *cap, char *name)
{
    if (h->count == ST_MAX_TENSORS) {
        free(name);
        return json_fail(c, "more than %d tensors (kldiv reads logit dumps, not model weights)",
                       ST_MAX_TENSORS);
    }
    if (h->count == *cap) {
        size_t n = *cap ? 2 * *cap : 8;
        st_tensor *t = realloc(h->t, n * sizeof *t);
        if (!t) {
            free(name);
            return json_fail(c, "out of memory");
        }
        h->t = t, *cap = n;
    }
    st_tensor *t = &h->t[h->count++];
    *t = (st_tensor){.name = name};
    return tensor_info(c, t);
}

int st_parse(const unsigned char *file, uint64_t size, st_header *h, char *err, size_t errlen)
{
    *h = (st_header){0};
    if (size < 8) {
        snprintf(err, errlen, "safetensors: %llu bytes, too short for the header length",
                 (unsigned long long)size);
        return -1;
    }
    uint64_t len = 0;
    for (int i = 7; i >= 0; i--)
        len = len << 8 | file[i];
    if (len > ST_MAX_HEADER || len > size - 8) {
        snprintf(err, errlen, "safetensors: header length %llu %s", (unsigned long long)len,
                 len > ST_MAX_HEADER ? "is over the format's 100 MB limit"
                                     : "runs past the end of the file");
        return -1;
    }
    json_cursor c = {file + 8, file + 8, file + 8 + len, err, errlen};
    size_t cap = 0;
    if (json_expect(&c, '{') != 0)
        return -1;
    if (json_peek(&c) != '}')
        do {
            char *name = NULL;
            if (json_string(&c, &name) != 0)
                goto bad;
            if (json_expect(&c, ':') != 0) {
                free(name);
                goto bad;
            }
            if (!strcmp(name, "__metadata__")) {
                free(name);
                if (json_peek(&c) != '{') {
                    json_fail(&c, "__metadata__ is not an object");
                    goto bad;
                }
                if (json_skip_value(&c, 1) != 0)
                    goto bad;
            } else if (add_tensor(&c, h, &cap, name) != 0)
                goto bad;
        } while (json_peek(&c) == ',' && c.p++);
    if (json_expect(&c, '}') != 0)
        goto bad;
    json_skip_ws(&c);
    if (c.p != c.end) {
        json_fail(&c, "bytes after the JSON object");
        goto bad;
    }
    h->data_start = 8 + len;
    if (check_tensors(h, size - h->data_start, err, errlen) == 0)
        return 0;
bad:
    st_free(h);
    return -1;
}

/* The shape without leading 1s beyond two dimensions ((1, rows, vocab) is (rows, vocab)); returns
 * its dimension count. */
static int squeezed(const st_tensor *t, const uint64_t **dims)
{
    int lead = 0;
    while (t->ndim - lead > 2 && t->shape[lead] == 1)
        lead++;
    *dims = t->shape + lead;
    return t->ndim - lead;
}

static void list_keys(const st_header *h, char *err, size_t errlen, const char *why)
{
    size_t used = (size_t)snprintf(err, errlen, "%s; its tensors:", why);
    for (size_t i = 0; i < h->count && used < errlen; i++)
        used += (size_t)snprintf(err + used, errlen - used, "%s %.60s (%d-D %s)", i ? "," : "",
                                 h->t[i].name, h->t[i].ndim, h->t[i].dtype);
    if (!h->count && used < errlen)
        snprintf(err + used, errlen - used, " none");
}

/* The float dtypes kldiv reads rows of. */
static int float_dtype(const st_tensor *t, npy_dtype *dtype)
{
    static const struct {
        const char *name;
        npy_dtype type;
    } floats[] = {{"F32", NPY_F32}, {"F16", NPY_F16}, {"BF16", NPY_BF16}, {"F64", NPY_F64}};
    for (size_t k = 0; k < sizeof floats / sizeof floats[0]; k++)
        if (!strcmp(t->dtype, floats[k].name))
            return *dtype = floats[k].type, 0;
    return -1;
}

int st_rows_of(const st_tensor *t, npy_dtype *dtype, uint64_t *rows, uint64_t *vocab,
               uint64_t *seq, char *err, size_t errlen)
{
    const uint64_t *dims;
    int nd = squeezed(t, &dims);
    if (nd < 1 || nd > 3) {
        snprintf(err, errlen, "safetensors tensor '%.40s' has %d dimensions (need (rows, vocab), "
                              "(rows, seq, vocab) or (vocab,))", t->name, t->ndim);
        return -1;
    }
    if (float_dtype(t, dtype) != 0) {
        snprintf(err, errlen, "safetensors tensor '%.40s' has dtype %s (need F32, F16, BF16 or "
                              "F64)", t->name, t->dtype);
        return -1;
    }
    /* (rows, seq, vocab): rows x seq rows of text positions; the product fits 64 bits, as the
     * tensor's bytes do (st_parse) */
    *rows = nd == 3 ? dims[0] * dims[1] : nd == 2 ? dims[0] : 1;
    *vocab = dims[nd - 1];
    *seq = t->ndim >= 3 ? t->shape[t->ndim - 2] : 0;
    if (*rows == 0 || *vocab == 0) {
        snprintf(err, errlen, "safetensors tensor '%.40s' is empty", t->name);
        return -1;
    }
    return 0;
}

long st_pick(const st_header *h, const char *key, npy_dtype *dtype, uint64_t *rows,
             uint64_t *vocab, uint64_t *seq, char *err, size_t errlen)
{
    long pick = -1;
    const uint64_t *dims;
    /* without a key: the only 2-D tensor, else the only 3-D one ((rows, seq, vocab)) */
    for (int want = 2; want <= 3 && pick < 0; want++)
        for (size_t i = 0; i < h->count; i++) {
            if (key ? strcmp(h->t[i].name, key) != 0 : squeezed(&h->t[i], &dims) != want)
                continue;
            if (pick >= 0) {
                list_keys(h, err, errlen, want == 2 ? "more than one 2-D tensor: pick one with "
                                                      "--key"
                                                    : "more than one 3-D tensor: pick one with "
                                                      "--key");
                return -1;
            }
            pick = (long)i;
        }
    if (pick < 0 && !key && h->count == 1 && squeezed(&h->t[0], &dims) == 1)
        pick = 0; /* a file of one 1-D tensor: one row */
    if (pick < 0) {
        char why[96];
        snprintf(why, sizeof why, key ? "no tensor named '%.40s'" : "no 2-D or 3-D tensor%s",
                 key ? key : " (pick one with --key)");
        list_keys(h, err, errlen, why);
        return -1;
    }
    return st_rows_of(&h->t[pick], dtype, rows, vocab, seq, err, errlen) ? -1 : pick;
}

/* n when name is "tensor.n" (decimal digits, no leading zero but in "0", at most 9 of them),
 * else -1. */
static long list_index(const char *name)
{
    if (strncmp(name, "tensor.", 7) != 0)
        return -1;
    const char *d = name + 7;
    size_t len = strspn(d, "0123456789");
    if (len == 0 || len > 9 || d[len] != '\0' || (d[0] == '0' && len > 1))
        return -1;
    return strtol(d, NULL, 10);
}

long st_list(const st_header *h, size_t *order, char *err, size_t errlen)
{
    if (h->count == 0)
        return 0;
    for (size_t i = 0; i < h->count; i++)
        order[i] = SIZE_MAX;
    for (size_t i = 0; i < h->count; i++) {
        long n = list_index(h->t[i].name);
        if (n < 0)
            return 0; /* not a list */
        if ((size_t)n >= h->count) {
            snprintf(err, errlen, "safetensors tensors tensor.0 ... : %zu tensors, one named "
                                  "'%.40s' (a list needs tensor.0 to tensor.%zu)",
                     h->count, h->t[i].name, h->count - 1);
            return -1;
        }
        order[n] = i; /* names are unique (st_parse): no slot is taken twice */
    }
    return (long)h->count;
}
void st_free(st_header *h)
{
    for (size_t i = 0; i < h->count; i++)
        free(h->t[i].name);
    free(h->t);
    *h = (st_header){0};
}
