/* json_mini: a small JSON reader (RFC 8259) for test and bench data.
 *
 * Parses a whole document into a tree of heap nodes. Strings are decoded
 * (escapes, \uXXXX and surrogate pairs to UTF-8) and may hold NUL bytes, so
 * they always come with a length. Not for untrusted input of unbounded
 * depth: nesting is capped at JSON_MINI_MAX_DEPTH.
 */
#ifndef H2E_TEST_JSON_MINI_H
#define H2E_TEST_JSON_MINI_H

#include <stddef.h>

#define JSON_MINI_MAX_DEPTH 64

typedef enum json_kind {
  JSON_NULL,
  JSON_FALSE,
  JSON_TRUE,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT
} json_kind;

typedef struct json_value {
  json_kind kind;
  double number;            /* JSON_NUMBER */
  char *string;             /* JSON_STRING: decoded, NUL-terminated */
  size_t string_len;        /* JSON_STRING: bytes before the terminator */
  char *key;                /* member of a JSON_OBJECT: its decoded name */
  size_t key_len;           /* member of a JSON_OBJECT: bytes of key */
  struct json_value *items; /* JSON_ARRAY elements or JSON_OBJECT members */
  size_t count;             /* number of items */
} json_value;

/* Parses text[0..len) into *out. Returns 0, or -1 on a syntax error or
 * allocation failure (then *out holds nothing to free). When error_at is
 * not NULL it receives the offset where parsing stopped. */
int json_parse(json_value *out, const char *text, size_t len, size_t *error_at);

/* Reads and parses a whole file. Returns 0 or -1 (message on stderr). */
int json_parse_file(json_value *out, const char *path);

/* Frees everything *value owns (not value itself). */
void json_free(json_value *value);

/* The member of object named key (a NUL-terminated string), or NULL. */
const json_value *json_member(const json_value *object, const char *key);

#endif
