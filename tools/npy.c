/* npy.c - the .npy header parser (see npy.h). */
#include "npy.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NPY_MAX_HEADER (1u << 20)

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The value text after 'key': in the dict, or NULL. Keys are matched as whole quoted strings. */
static const char *find_key(const char *dict, size_t len, const char *key)
{
    size_t k = strlen(key);
    for (size_t i = 0; i + k + 2 <= len; i++) {
        if ((dict[i] == '\'' || dict[i] == '"') && dict[i + k + 1] == dict[i] &&
            memcmp(dict + i + 1, key, k) == 0) {
            size_t j = i + k + 2;
            while (j < len && isspace((unsigned char)dict[j]))
                j++;
            if (j < len && dict[j] == ':') {
                j++;
                while (j < len && isspace((unsigned char)dict[j]))
                    j++;
                return dict + j;
            }
        }
    }
    return NULL;
}

static int parse_uint(const char **s, const char *end, uint64_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    if (p >= end || !isdigit((unsigned char)*p))
        return -1;
    for (; p < end && isdigit((unsigned char)*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (p < end && (*p == 'L' || *p == 'l')) /* Python 2 longs */
        p++;
    *s = p;
    *out = v;
    return 0;
}

int npy_parse_dict(const char *dict, size_t len, npy_info *info, char *err, size_t errlen)
{
    const char *end = dict + len;
    const char *d = find_key(dict, len, "descr");
    if (!d || d >= end || (*d != '\'' && *d != '"'))
        return fail(err, errlen, "no 'descr' in the .npy header");
    char q = *d++;
    const char *de = memchr(d, q, (size_t)(end - d));
    if (!de || de - d > 8)
        return fail(err, errlen, "malformed 'descr' in the .npy header");
    char descr[9] = {0};
    memcpy(descr, d, (size_t)(de - d));
    if (strcmp(descr, "<f2") == 0)
        info->dtype = NPY_F16, info->itemsize = 2;
    else if (strcmp(descr, "<f4") == 0)
        info->dtype = NPY_F32, info->itemsize = 4;
    else if (strcmp(descr, "<f8") == 0)
        info->dtype = NPY_F64, info->itemsize = 8;
    else
        return fail(err, errlen,
                    "unsupported dtype '%s' (need little-endian float16, float32 or float64)",
                    descr);

    const char *f = find_key(dict, len, "fortran_order");
    if (!f)
        return fail(err, errlen, "no 'fortran_order' in the .npy header");
    if ((size_t)(end - f) >= 4 && memcmp(f, "True", 4) == 0)
        return fail(err, errlen, "Fortran-order arrays are not supported (save in C order)");
    if ((size_t)(end - f) < 5 || memcmp(f, "False", 5) != 0)
        return fail(err, errlen, "malformed 'fortran_order' in the .npy header");

    const char *s = find_key(dict, len, "shape");
    if (!s || s >= end || *s != '(')
        return fail(err, errlen, "no 'shape' tuple in the .npy header");
    s++;
    uint64_t dims[3];
    int nd = 0;
    for (;;) {
        while (s < end && isspace((unsigned char)*s))
            s++;
        if (s < end && *s == ')')
            break;
        if (nd == 3 || parse_uint(&s, end, &dims[nd]) != 0)
            return fail(err, errlen, "unsupported or malformed 'shape' in the .npy header");
        nd++;
        while (s < end && isspace((unsigned char)*s))
            s++;
        if (s < end && *s == ',')
            s++;
        else if (s >= end || *s != ')')
            return fail(err, errlen, "malformed 'shape' in the .npy header");
    }
    if (nd == 1)
        info->rows = 1, info->cols = dims[0];
    else if (nd == 2)
        info->rows = dims[0], info->cols = dims[1];
    else
        return fail(err, errlen, "%d-dimensional array (need shape (rows, vocab) or (vocab,))", nd);
    if (info->cols == 0 || info->rows == 0)
        return fail(err, errlen, "empty array");
    if (info->cols > UINT64_MAX / (uint64_t)info->itemsize / info->rows)
        return fail(err, errlen, "shape too large");
    return 0;
}

int npy_read_header(FILE *f, npy_info *info, char *err, size_t errlen)
{
    unsigned char pre[12];
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0)
        return fail(err, errlen, "not a .npy file (bad magic)");
    int major = pre[6];
    uint64_t hlen, prefix;
    if (major == 1) {
        hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8;
        prefix = 10;
    } else if (major == 2 || major == 3) {
        if (fread(pre + 10, 1, 2, f) != 2)
            return fail(err, errlen, "truncated .npy header");
        hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8 | (uint64_t)pre[10] << 16 |
               (uint64_t)pre[11] << 24;
        prefix = 12;
    } else {
        return fail(err, errlen, "unsupported .npy format version %d", major);
    }
    if (hlen == 0 || hlen > NPY_MAX_HEADER)
        return fail(err, errlen, "implausible .npy header length %llu", (unsigned long long)hlen);
    char *dict = malloc(hlen);
    if (!dict)
        return fail(err, errlen, "out of memory");
    int rc = fread(dict, 1, hlen, f) == hlen ? npy_parse_dict(dict, hlen, info, err, errlen)
                                               : fail(err, errlen, "truncated .npy header");
    free(dict);
    info->data_offset = prefix + hlen;
    return rc;
}
