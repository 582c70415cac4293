/* st_json.h - the strict JSON reader under safetensors.c's header parser: a cursor over the
 * header's bytes, a real tokenizer (strings decoded with every escape checked, numbers checked,
 * nesting capped), and errors that name the byte offset in the file. */
#ifndef KLDIV_ST_JSON_H
#define KLDIV_ST_JSON_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const unsigned char *s, *p, *end; /* the header's start (file byte 8), the next byte, its end */
    char *err;
    size_t errlen;
} json_cursor;

/* Writes "safetensors header: <what> at byte N" to c->err; returns -1. */
int json_fail(json_cursor *c, const char *fmt, ...);

void json_skip_ws(json_cursor *c);

/* The next non-space byte, which must be ch (taken). */
int json_expect(json_cursor *c, char ch);

/* The next non-space byte (without taking it), or 0 at the end. */
int json_peek(json_cursor *c);

/* A JSON string, decoded into a new NUL-terminated buffer (*out; out NULL: checked, not kept). */
int json_string(json_cursor *c, char **out);

/* An array of at most max non-negative integers; returns their count in *n. */
int json_uint_array(json_cursor *c, uint64_t *v, int max, int *n);

/* Any JSON value at nesting depth, checked and skipped. */
int json_skip_value(json_cursor *c, int depth);

#endif /* KLDIV_ST_JSON_H */
