/* npy.c - the .npy header parser (see npy.h): a small tokenizer for the subset of Python literals
 * that numpy writes in a header, with numpy's rules for what it accepts. */
#include "npy.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NPY_MAX_HEADER 10000u /* numpy's default max_header_size: it refuses longer ones */
#define NPY_MAX_DIMS 32 /* numpy's NPY_MAXDIMS: more is malformed, not only unsupported */

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A cursor over the header text; long_suffix: Python 2's L suffix on integers is accepted (numpy
 * filters it from format 1.0 and 2.0 headers, not from 3.0). */
typedef struct {
    const char *s, *end;
    int long_suffix;
} cursor;

/* Python's whitespace between tokens (inside braces newlines are too); not \v. */
static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void skip_space(cursor *c)
{
    while (c->s < c->end && is_space(*c->s))
        c->s++;
}

/* Consumes ch after optional whitespace. */
static int eat(cursor *c, char ch)
{
    skip_space(c);
    if (c->s < c->end && *c->s == ch) {
        c->s++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes ('...' or "..."); *text and *len point into the header. */
static int string_token(cursor *c, const char **text, size_t *len)
{
    skip_space(c);
    if (c->s >= c->end || (*c->s != '\'' && *c->s != '"'))
        return 0;
    char q = *c->s++;
    const char *start = c->s;
    while (c->s < c->end && *c->s != q) {
        if (*c->s == '\\' || *c->s == '\n')
            return 0; /* numpy never writes escapes; refuse rather than guess */
        c->s++;
    }
    if (c->s >= c->end)
        return 0;
    *text = start;
    *len = (size_t)(c->s - start);
    c->s++;
    return 1;
}

/* True or False as a whole word. */
static int bool_token(cursor *c, int *value)
{
    skip_space(c);
    static const char *const words[2] = {"False", "True"};
    for (int v = 0; v < 2; v++) {
        size_t k = strlen(words[v]);
        if ((size_t)(c->end - c->s) >= k && memcmp(c->s, words[v], k) == 0 &&
            ((size_t)(c->end - c->s) == k ||
             !(c->s[k] == '_' || (c->s[k] >= '0' && c->s[k] <= '9') ||
               ((c->s[k] | 0x20) >= 'a' && (c->s[k] | 0x20) <= 'z')))) {
            c->s += k;
            *value = v;
            return 1;
        }
    }
    return 0;
}

/* A non-negative decimal integer as Python reads it (no leading zeros; Python 2's L suffix where
 * allowed), with overflow checks. */
static int uint_token(cursor *c, uint64_t *out)
{
    skip_space(c);
    uint64_t v = 0;
    const char *start = c->s;
    if (c->s + 1 < c->end && c->s[0] == '0' && c->s[1] >= '0' && c->s[1] <= '9')
        return 0; /* 02 is a syntax error in Python 3 */
    while (c->s < c->end && *c->s >= '0' && *c->s <= '9') {
        unsigned d = (unsigned)(*c->s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
        c->s++;
    }
    if (c->s == start)
        return 0;
    if (c->long_suffix && c->s < c->end && *c->s == 'L')
        c->s++;
    *out = v;
    return 1;
}

/* A tuple of integers: (), (n,), (n, m), with an optional trailing comma after the last. */
static int shape_token(cursor *c, uint64_t *dims, int *nd)
{
    if (!eat(c, '('))
        return 0;
    *nd = 0;
    if (eat(c, ')'))
        return 1;
    for (;;) {
        if (*nd == NPY_MAX_DIMS || !uint_token(c, &dims[*nd]))
            return 0;
        (*nd)++;
        int comma = eat(c, ',');
        if (eat(c, ')'))
            return *nd > 1 || comma; /* (n) is an int in Python, not a tuple */
        if (!comma)
            return 0;
    }
}

static int key_is(const char *text, size_t len, const char *key)
{
    return len == strlen(key) && memcmp(text, key, len) == 0;
}

int npy_parse_dict(const char *dict, size_t len, int major, npy_info *info, char *err,
                   size_t errlen)
{
    cursor c = {dict, dict + len, major < 3};
    info->descr[0] = '\0';
    info->unsupported = 0;
    const char *descr = NULL;
    size_t descr_len = 0;
    int fortran = -1, nd = -1;
    uint64_t dims[NPY_MAX_DIMS];
    if (!eat(&c, '{'))
        return fail(err, errlen, "malformed .npy header (no dict)");
    /* Python keeps the last of duplicate keys, and so does numpy; so does this parser. */
    while (!eat(&c, '}')) {
        const char *key;
        size_t key_len;
        if (!string_token(&c, &key, &key_len) || !eat(&c, ':'))
            return fail(err, errlen, "malformed .npy header (expected 'key':)");
        if (key_is(key, key_len, "descr")) {
            if (!string_token(&c, &descr, &descr_len))
                return fail(err, errlen, "malformed 'descr' in the .npy header (need a string: "
                                         "structured dtypes are not supported)");
        } else if (key_is(key, key_len, "fortran_order")) {
            if (!bool_token(&c, &fortran))
                return fail(err, errlen, "malformed 'fortran_order' in the .npy header");
        } else if (key_is(key, key_len, "shape")) {
            if (!shape_token(&c, dims, &nd))
                return fail(err, errlen, "malformed 'shape' in the .npy header");
        } else {
            return fail(err, errlen, "unexpected key '%.*s' in the .npy header",
                        (int)(key_len < 40 ? key_len : 40), key);
        }
        if (!eat(&c, ',')) {
            if (!eat(&c, '}'))
                return fail(err, errlen, "malformed .npy header (expected , or })");
            break;
        }
    }
    skip_space(&c);
    if (c.s != c.end)
        return fail(err, errlen, "malformed .npy header (bytes after the dict)");
    if (!descr || fortran < 0 || nd < 0)
        return fail(err, errlen, "the .npy header lacks %s",
                    !descr ? "'descr'" : fortran < 0 ? "'fortran_order'" : "'shape'");

    snprintf(info->descr, sizeof info->descr, "%.*s", (int)(descr_len < 16 ? descr_len : 16),
             descr);
    if (key_is(descr, descr_len, "<f2"))
        info->dtype = NPY_F16, info->itemsize = 2;
    else if (key_is(descr, descr_len, "<f4"))
        info->dtype = NPY_F32, info->itemsize = 4;
    else if (key_is(descr, descr_len, "<f8"))
        info->dtype = NPY_F64, info->itemsize = 8;
    else if (key_is(descr, descr_len, "<i4"))
        info->dtype = NPY_I32, info->itemsize = 4;
    else if (key_is(descr, descr_len, "<i8"))
        info->dtype = NPY_I64, info->itemsize = 8;
    else {
        info->unsupported = 1;
        return fail(err, errlen,
                    "unsupported dtype '%.*s' (need little-endian float16, float32, float64, int32 or "
                    "int64)",
                    (int)(descr_len < 16 ? descr_len : 16), descr);
    }
    if (fortran)
        return fail(err, errlen, "Fortran-order arrays are not supported (save in C order)");
    if (nd == 1)
        info->rows = 1, info->cols = dims[0];
    else if (nd == 2)
        info->rows = dims[0], info->cols = dims[1];
    else
        return fail(err, errlen, "%d-dimensional array (need shape (rows, vocab) or (vocab,))", nd);
    if (info->cols == 0 || info->rows == 0)
        return fail(err, errlen, "empty array");
    if (info->cols > UINT64_MAX / (uint64_t)info->itemsize / info->rows)
        return fail(err, errlen, "shape too large: %llu x %llu elements overflow 64 bits",
                    (unsigned long long)info->rows, (unsigned long long)info->cols);
    return 0;
}

int npy_read_header(FILE *f, npy_info *info, char *err, size_t errlen)
{
    unsigned char pre[12];
    info->descr[0] = '\0';
    info->unsupported = 0;
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0)
        return fail(err, errlen, "not a .npy file (bad magic)");
    return npy_read_header_after_magic(f, pre, info, err, errlen);
}

int npy_read_header_after_magic(FILE *f, const unsigned char pre[10], npy_info *info, char *err,
                                size_t errlen)
{
    int major = pre[6], minor = pre[7];
    if (minor != 0)
        return fail(err, errlen, "unsupported .npy format version %d.%d", major, minor);
    uint64_t hlen, prefix;
    if (major == 1) {
        hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8;
        prefix = 10;
    } else if (major == 2 || major == 3) {
        unsigned char more[2];
        if (fread(more, 1, 2, f) != 2)
            return fail(err, errlen, "truncated .npy header");
        hlen = (uint64_t)pre[8] | (uint64_t)pre[9] << 8 | (uint64_t)more[0] << 16 |
               (uint64_t)more[1] << 24;
        prefix = 12;
    } else {
        return fail(err, errlen, "unsupported .npy format version %d", major);
    }
    if (hlen == 0 || hlen > NPY_MAX_HEADER)
        return fail(err, errlen, "implausible .npy header length %llu (numpy reads at most %u)",
                    (unsigned long long)hlen, NPY_MAX_HEADER);
    char *dict = malloc(hlen);
    if (!dict)
        return fail(err, errlen, "out of memory");
    int rc = fread(dict, 1, hlen, f) == hlen ? npy_parse_dict(dict, hlen, major, info, err, errlen)
                                               : fail(err, errlen, "truncated .npy header");
    free(dict);
    info->data_offset = prefix + hlen;
    return rc;
}
