/*
 * A small JSON reader for the tests: parses a whole document into a tree of json_value,
 * which json_free releases. Enough of RFC 8259 for testdata/ecmp_vectors.json and more:
 * objects, arrays, strings with every escape (\uXXXX and surrogate pairs to UTF-8),
 * numbers, true, false, null. Not for untrusted input: it recurses once per nesting level.
 *
 * SPDX-License-Identifier: MIT OR Apache-2.0
 */
#ifndef VPNHA_TEST_JSON_H
#define VPNHA_TEST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value {
    json_type type;
    bool boolean;
    double number;
    char *string;               /* JSON_STRING: NUL-terminated UTF-8 */
    size_t len;                 /* JSON_ARRAY, JSON_OBJECT: number of items */
    struct json_value *items;   /* array elements, or object values */
    char **keys;                /* JSON_OBJECT: one key per value */
} json_value;

typedef struct json_reader {
    const char *p;
    const char *end;
    bool failed;
} json_reader;

static void json_skip_space(json_reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) {
        r->p++;
    }
}

static bool json_parse_value(json_reader *r, json_value *out);

static int json_hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool json_read_u16(json_reader *r, unsigned *out) {
    if (r->end - r->p < 4) return false;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = json_hex(r->p[i]);
        if (h < 0) return false;
        v = v * 16 + (unsigned)h;
    }
    r->p += 4;
    *out = v;
    return true;
}

static size_t json_utf8(unsigned long cp, char *out) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parses a string starting at the opening quote into a new heap string. */
static char *json_parse_string(json_reader *r) {
    if (r->p >= r->end || *r->p != '"') return NULL;
    r->p++;
    /* The decoded text is never longer than the encoded text. */
    const char *q = r->p;
    while (q < r->end && *q != '"') q += (*q == '\\' && q + 1 < r->end) ? 2 : 1;
    if (q >= r->end) return NULL;
    char *s = malloc((size_t)(q - r->p) + 1);
    if (s == NULL) return NULL;
    size_t n = 0;
    while (r->p < r->end && *r->p != '"') {
        char c = *r->p++;
        if ((unsigned char)c < 0x20) { free(s); return NULL; }
        if (c != '\\') { s[n++] = c; continue; }
        if (r->p >= r->end) { free(s); return NULL; }
        char e = *r->p++;
        switch (e) {
        case '"': s[n++] = '"'; break;
        case '\\': s[n++] = '\\'; break;
        case '/': s[n++] = '/'; break;
        case 'b': s[n++] = '\b'; break;
        case 'f': s[n++] = '\f'; break;
        case 'n': s[n++] = '\n'; break;
        case 'r': s[n++] = '\r'; break;
        case 't': s[n++] = '\t'; break;
        case 'u': {
            unsigned hi, lo;
            if (!json_read_u16(r, &hi)) { free(s); return NULL; }
            unsigned long cp = hi;
            if (hi >= 0xD800 && hi < 0xDC00 && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
                r->p += 2;
                if (!json_read_u16(r, &lo) || lo < 0xDC00 || lo > 0xDFFF) { free(s); return NULL; }
                cp = 0x10000 + (((unsigned long)hi - 0xD800) << 10) + (lo - 0xDC00);
            }
            n += json_utf8(cp, s + n);
            break;
        }
        default: free(s); return NULL;
        }
    }
    r->p++; /* closing quote */
    s[n] = '\0';
    return s;
}

static bool json_parse_container(json_reader *r, json_value *out, bool object) {
    char close = object ? '}' : ']';
    size_t cap = 8;
    out->type = object ? JSON_OBJECT : JSON_ARRAY;
    out->len = 0;
    out->items = malloc(cap * sizeof *out->items);
    out->keys = object ? malloc(cap * sizeof *out->keys) : NULL;
    if (out->items == NULL || (object && out->keys == NULL)) return false;
    r->p++;
    json_skip_space(r);
    if (r->p < r->end && *r->p == close) { r->p++; return true; }
    for (;;) {
        if (out->len == cap) {
            cap *= 2;
            json_value *items = realloc(out->items, cap * sizeof *items);
            if (items == NULL) return false;
            out->items = items;
            if (object) {
                char **keys = realloc(out->keys, cap * sizeof *keys);
                if (keys == NULL) return false;
                out->keys = keys;
            }
        }
        json_skip_space(r);
        if (object) {
            out->keys[out->len] = json_parse_string(r);
            if (out->keys[out->len] == NULL) return false;
            json_skip_space(r);
            if (r->p >= r->end || *r->p != ':') { free(out->keys[out->len]); return false; }
            r->p++;
        }
        memset(&out->items[out->len], 0, sizeof out->items[0]);
        bool ok = json_parse_value(r, &out->items[out->len]);
        out->len++;
        if (!ok) return false;
        json_skip_space(r);
        if (r->p < r->end && *r->p == ',') { r->p++; continue; }
        if (r->p < r->end && *r->p == close) { r->p++; return true; }
        return false;
    }
}

static bool json_parse_value(json_reader *r, json_value *out) {
    json_skip_space(r);
    if (r->p >= r->end) return false;
    char c = *r->p;
    if (c == '{' || c == '[') return json_parse_container(r, out, c == '{');
    if (c == '"') {
        out->type = JSON_STRING;
        out->string = json_parse_string(r);
        return out->string != NULL;
    }
    if (r->end - r->p >= 4 && memcmp(r->p, "true", 4) == 0) {
        out->type = JSON_BOOL; out->boolean = true; r->p += 4; return true;
    }
    if (r->end - r->p >= 5 && memcmp(r->p, "false", 5) == 0) {
        out->type = JSON_BOOL; out->boolean = false; r->p += 5; return true;
    }
    if (r->end - r->p >= 4 && memcmp(r->p, "null", 4) == 0) {
        out->type = JSON_NULL; r->p += 4; return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char num[64];
        size_t n = 0;
        while (r->p < r->end && n < sizeof num - 1 && strchr("+-0123456789.eE", *r->p) != NULL) {
            num[n++] = *r->p++;
        }
        num[n] = '\0';
        char *end;
        out->type = JSON_NUMBER;
        out->number = strtod(num, &end);
        return end == num + n;
    }
    return false;
}

static void json_free(json_value *v) {
    if (v == NULL) return;
    if (v->type == JSON_STRING) free(v->string);
    if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
        for (size_t i = 0; i < v->len; i++) {
            json_free(&v->items[i]);
            if (v->keys != NULL) free(v->keys[i]);
        }
        free(v->items);
        free(v->keys);
    }
    memset(v, 0, sizeof *v);
}

/* Parses a whole document; false (with *out freed) on any syntax error. */
static bool json_parse(const char *text, size_t len, json_value *out) {
    json_reader r = {text, text + len, false};
    memset(out, 0, sizeof *out);
    bool ok = json_parse_value(&r, out);
    json_skip_space(&r);
    if (!ok || r.p != r.end) {
        json_free(out);
        return false;
    }
    return true;
}

/* The value of an object's key, or NULL. */
static const json_value *json_get(const json_value *object, const char *key) {
    if (object == NULL || object->type != JSON_OBJECT) return NULL;
    for (size_t i = 0; i < object->len; i++) {
        if (strcmp(object->keys[i], key) == 0) return &object->items[i];
    }
    return NULL;
}

#endif /* VPNHA_TEST_JSON_H */
