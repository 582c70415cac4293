/* st_json.c - the strict JSON reader of safetensors headers (see st_json.h). */
#include "st_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64 /* nesting inside __metadata__ or unknown fields */

int json_fail(json_cursor *c, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errlen, "safetensors header: %s at byte %llu", what,
             (unsigned long long)(8 + (size_t)(c->p - c->s)));
    return -1;
}

void json_skip_ws(json_cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

int json_expect(json_cursor *c, char ch)
{
    json_skip_ws(c);
    if (c->p >= c->end || *c->p != (unsigned char)ch)
        return json_fail(c, "malformed JSON (expected '%c')", ch);
    c->p++;
    return 0;
}

/* The next non-space byte (without taking it), or 0 at the end. */
int json_peek(json_cursor *c)
{
    json_skip_ws(c);
    return c->p < c->end ? *c->p : 0;
}

static int hex4(const unsigned char *p, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int ch = p[i], d = ch >= '0' && ch <= '9'   ? ch - '0'
                           : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                           : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                                    : -1;
        if (d < 0)
            return -1;
        *v = *v << 4 | (unsigned)d;
    }
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80)
        return o[0] = (char)cp, 1;
    if (cp < 0x800)
        return o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3f)), 2;
    if (cp < 0x10000)
        return o[0] = (char)(0xe0 | cp >> 12), o[1] = (char)(0x80 | (cp >> 6 & 0x3f)),
               o[2] = (char)(0x80 | (cp & 0x3f)), 3;
    return o[0] = (char)(0xf0 | cp >> 18), o[1] = (char)(0x80 | (cp >> 12 & 0x3f)),
           o[2] = (char)(0x80 | (cp >> 6 & 0x3f)), o[3] = (char)(0x80 | (cp & 0x3f)), 4;
}

/* One \uXXXX escape (a surrogate pair taking two) at c->p (after the backslash and 'u'). */
static int unicode_escape(json_cursor *c, unsigned *cp)
{
    if (c->end - c->p < 4 || hex4(c->p, cp) != 0)
        return json_fail(c, "malformed \\u escape");
    c->p += 4;
    if (*cp == 0) /* it would cut a decoded name short: "a\u0000b" would read as "a" */
        return json_fail(c, "\\u0000 in a string");
    if (*cp >= 0xdc00 && *cp <= 0xdfff)
        return json_fail(c, "lone low surrogate in a \\u escape");
    if (*cp >= 0xd800 && *cp <= 0xdbff) {
        unsigned lo;
        if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' || hex4(c->p + 2, &lo) != 0 ||
            lo < 0xdc00 || lo > 0xdfff)
            return json_fail(c, "high surrogate without its low half in a \\u escape");
        c->p += 6;
        *cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    return 0;
}

/* A JSON string, decoded into a new NUL-terminated buffer (*out; NULL: checked, not kept). A
 * decoded string is never longer than its JSON form. */
int json_string(json_cursor *c, char **out)
{
    if (json_expect(c, '"') != 0)
        return -1;
    const unsigned char *q = c->p;
    while (q < c->end && *q != '"')
        q += *q == '\\' ? 2 : 1;
    char *o = out ? malloc((size_t)(q - c->p) + 1) : NULL, *w = o;
    if (out && !o)
        return json_fail(c, "out of memory for a string");
    for (;;) {
        if (c->p >= c->end) {
            free(o);
            return json_fail(c, "unterminated string");
        }
        unsigned ch = *c->p++, cp = 0;
        if (ch == '"')
            break;
        if (ch < 0x20) {
            c->p--;
            free(o);
            return json_fail(c, "control character in a string");
        }
        if (ch == '\\') {
            if (c->p >= c->end) {
                free(o);
                return json_fail(c, "unterminated string");
            }
            const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t", *hit;
            ch = *c->p++;
            if (ch == 'u') {
                if (unicode_escape(c, &cp) != 0) {
                    free(o);
                    return -1;
                }
                if (w)
                    w += put_utf8(w, cp);
                continue;
            }
            if (!ch || !(hit = strchr(from, (int)ch))) {
                c->p--;
                free(o);
                return json_fail(c, "unknown escape in a string");
            }
            ch = (unsigned char)to[hit - from];
        }
        if (w)
            *w++ = (char)ch;
    }
    if (out) {
        *w = 0;
        *out = o;
    }
    return 0;
}

/* A non-negative JSON integer without sign, fraction or exponent, as the format's numbers are. */
static int uint_value(json_cursor *c, uint64_t *v)
{
    json_skip_ws(c);
    const unsigned char *start = c->p;
    *v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        unsigned d = *c->p - '0';
        if (*v > (UINT64_MAX - d) / 10)
            return json_fail(c, "integer overflows 64 bits");
        *v = *v * 10 + d;
        c->p++;
    }
    if (c->p == start || (c->p - start > 1 && *start == '0'))
        return json_fail(c, "malformed JSON (expected a non-negative integer)");
    if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E' || *c->p == '-'))
        return json_fail(c, "a non-integer number where an integer belongs");
    return 0;
}

/* A JSON number (any), checked and skipped. */
static int skip_number(json_cursor *c)
{
    const unsigned char *p = c->p, *e = c->end;
    if (p < e && *p == '-')
        p++;
    if (p < e && *p == '0')
        p++;
    else if (p < e && *p >= '1' && *p <= '9')
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    else
        return json_fail(c, "malformed JSON number");
    if (p < e && *p == '.') {
        const unsigned char *d = ++p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return c->p = p, json_fail(c, "malformed JSON number");
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        const unsigned char *d = p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        if (p == d)
            return c->p = p, json_fail(c, "malformed JSON number");
    }
    c->p = p;
    return 0;
}

/* The members or elements of an object or array (after its opening bracket), each checked with
 * member(). */
static int skip_container(json_cursor *c, int object, int depth)
{
    char close = object ? '}' : ']';
    if (json_peek(c) == close) {
        c->p++;
        return 0;
    }
    for (;;) {
        if (object && (json_string(c, NULL) != 0 || json_expect(c, ':') != 0))
            return -1;
        if (json_skip_value(c, depth + 1) != 0)
            return -1;
        int ch = json_peek(c);
        if (ch == close) {
            c->p++;
            return 0;
        }
        if (ch != ',')
            return json_fail(c, "malformed JSON (expected ',' or '%c')", close);
        c->p++;
    }
}

int json_skip_value(json_cursor *c, int depth)
{
    if (depth > MAX_DEPTH)
        return json_fail(c, "JSON nested deeper than %d", MAX_DEPTH);
    int ch = json_peek(c);
    if (ch == '"')
        return json_string(c, NULL);
    if (ch == '{' || ch == '[') {
        c->p++;
        return skip_container(c, ch == '{', depth);
    }
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(c->end - c->p) >= n && memcmp(c->p, words[i], n) == 0) {
            c->p += n;
            return 0;
        }
    }
    return skip_number(c);
}

/* An array of at most max non-negative integers; returns their count in *n. */
int json_uint_array(json_cursor *c, uint64_t *v, int max, int *n)
{
    *n = 0;
    if (json_expect(c, '[') != 0)
        return -1;
    if (json_peek(c) == ']') {
        c->p++;
        return 0;
    }
    for (;;) {
        if (*n == max)
            return json_fail(c, "more than %d numbers in an array", max);
        if (uint_value(c, &v[(*n)++]) != 0)
            return -1;
        int ch = json_peek(c);
        c->p += ch == ',' || ch == ']';
        if (ch == ']')
            return 0;
        if (ch != ',')
            return json_fail(c, "malformed JSON (expected ',' or ']')");
    }
}

