/* json_mini: recursive descent over RFC 8259 grammar. */
#include "json_mini.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct json_reader {
  const char *text;
  size_t len;
  size_t pos;
} json_reader;

static int parse_value(json_reader *reader, json_value *out, int depth);

/* RFC 8259 §2: insignificant whitespace is space, tab, LF and CR. */
static void skip_whitespace(json_reader *reader) {
  while (reader->pos < reader->len) {
    char c = reader->text[reader->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
      return;
    reader->pos++;
  }
}

static int peek(const json_reader *reader) {
  return reader->pos < reader->len ? (unsigned char)reader->text[reader->pos]
                                   : -1;
}

static int expect_literal(json_reader *reader, const char *literal) {
  size_t n = strlen(literal);
  if (reader->len - reader->pos < n ||
      memcmp(reader->text + reader->pos, literal, n) != 0)
    return -1;
  reader->pos += n;
  return 0;
}

static int hex_digit(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the four hex digits after "\u". */
static int read_hex4(json_reader *reader, uint32_t *unit) {
  if (reader->len - reader->pos < 4)
    return -1;
  *unit = 0;
  for (int i = 0; i < 4; i++) {
    int digit = hex_digit((unsigned char)reader->text[reader->pos++]);
    if (digit < 0)
      return -1;
    *unit = *unit << 4 | (uint32_t)digit;
  }
  return 0;
}

static size_t put_utf8(char *dst, uint32_t code_point) {
  if (code_point < 0x80) {
    dst[0] = (char)code_point;
    return 1;
  }
  if (code_point < 0x800) {
    dst[0] = (char)(0xc0 | code_point >> 6);
    dst[1] = (char)(0x80 | (code_point & 0x3f));
    return 2;
  }
  if (code_point < 0x10000) {
    dst[0] = (char)(0xe0 | code_point >> 12);
    dst[1] = (char)(0x80 | (code_point >> 6 & 0x3f));
    dst[2] = (char)(0x80 | (code_point & 0x3f));
    return 3;
  }
  dst[0] = (char)(0xf0 | code_point >> 18);
  dst[1] = (char)(0x80 | (code_point >> 12 & 0x3f));
  dst[2] = (char)(0x80 | (code_point >> 6 & 0x3f));
  dst[3] = (char)(0x80 | (code_point & 0x3f));
  return 4;
}

/* RFC 8259 §7: \uXXXX, where a high surrogate must be followed by an
 * escaped low surrogate; the pair names one code point. */
static int read_unicode_escape(json_reader *reader, uint32_t *code_point) {
  uint32_t high, low;
  if (read_hex4(reader, &high) != 0)
    return -1;
  if (high >= 0xdc00 && high <= 0xdfff)
    return -1;
  if (high < 0xd800 || high > 0xdbff) {
    *code_point = high;
    return 0;
  }
  if (expect_literal(reader, "\\u") != 0 || read_hex4(reader, &low) != 0 ||
      low < 0xdc00 || low > 0xdfff)
    return -1;
  *code_point = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
  return 0;
}

/* The character a one-letter escape stands for, or -1. */
static int simple_escape(int letter) {
  static const char letters[] = "\"\\/bfnrt";
  static const char meanings[] = "\"\\/\b\f\n\r\t";
  const char *found = letter > 0 ? strchr(letters, letter) : NULL;
  return found ? meanings[found - letters] : -1;
}

/* Bytes from the current position to the closing quote (or the end). */
static size_t quoted_span(const json_reader *reader) {
  size_t end = reader->pos;
  while (end < reader->len && reader->text[end] != '"')
    end += reader->text[end] == '\\' ? 2 : 1;
  return (end < reader->len ? end : reader->len) - reader->pos;
}

/* Decodes the string starting at the opening quote. Escapes never expand,
 * so the decoded text fits in the span of the source text. */
static int parse_string(json_reader *reader, char **out, size_t *out_len) {
  if (peek(reader) != '"')
    return -1;
  reader->pos++;
  char *decoded = malloc(quoted_span(reader) + 1);
  size_t n = 0;
  if (decoded == NULL)
    return -1;
  for (;;) {
    int c = peek(reader);
    if (c < 0x20) /* end of input or an unescaped control character */
      goto fail;
    reader->pos++;
    if (c == '"')
      break;
    if (c != '\\') {
      decoded[n++] = (char)c;
      continue;
    }
    int letter = peek(reader);
    reader->pos++;
    if (letter == 'u') {
      uint32_t code_point;
      if (read_unicode_escape(reader, &code_point) != 0)
        goto fail;
      n += put_utf8(decoded + n, code_point);
    } else if (simple_escape(letter) >= 0) {
      decoded[n++] = (char)simple_escape(letter);
    } else {
      goto fail;
    }
  }
  decoded[n] = '\0';
  *out = decoded;
  *out_len = n;
  return 0;
fail:
  free(decoded);
  return -1;
}

/* RFC 8259 §6: -?int frac? exp? */
static int parse_number(json_reader *reader, double *out) {
  size_t start = reader->pos;
  const char *accepted = "-+.eE0123456789";
  while (peek(reader) > 0 && strchr(accepted, peek(reader)) != NULL)
    reader->pos++;
  char token[64];
  size_t n = reader->pos - start;
  if (n == 0 || n >= sizeof token)
    return -1;
  memcpy(token, reader->text + start, n);
  token[n] = '\0';
  char *end;
  *out = strtod(token, &end);
  return *end == '\0' ? 0 : -1;
}

static int append_item(json_value *container, const json_value *item) {
  size_t count = container->count;
  /* Capacity doubles from 4: grow when count is 0 or a power of two >= 4. */
  if (count == 0 || (count >= 4 && (count & (count - 1)) == 0)) {
    size_t capacity = count ? count * 2 : 4;
    json_value *grown =
        realloc(container->items, capacity * sizeof *container->items);
    if (grown == NULL)
      return -1;
    container->items = grown;
  }
  container->items[container->count++] = *item;
  return 0;
}

/* Parses "[ v, ... ]" or "{ "k": v, ... }" after the opening bracket. */
static int parse_container(json_reader *reader, json_value *out, char close,
                           int depth) {
  skip_whitespace(reader);
  if (peek(reader) == close) {
    reader->pos++;
    return 0;
  }
  for (;;) {
    json_value item = {0};
    skip_whitespace(reader);
    if (out->kind == JSON_OBJECT) {
      if (parse_string(reader, &item.key, &item.key_len) != 0)
        return -1;
      skip_whitespace(reader);
      if (peek(reader) != ':') {
        free(item.key);
        return -1;
      }
      reader->pos++;
    }
    if (parse_value(reader, &item, depth + 1) != 0 ||
        append_item(out, &item) != 0) {
      json_free(&item);
      return -1;
    }
    skip_whitespace(reader);
    int c = peek(reader);
    reader->pos++;
    if (c == close)
      return 0;
    if (c != ',')
      return -1;
  }
}

static int parse_value(json_reader *reader, json_value *out, int depth) {
  if (depth > JSON_MINI_MAX_DEPTH)
    return -1;
  skip_whitespace(reader);
  switch (peek(reader)) {
  case '{':
  case '[': {
    char close = peek(reader) == '{' ? '}' : ']';
    out->kind = close == '}' ? JSON_OBJECT : JSON_ARRAY;
    reader->pos++;
    return parse_container(reader, out, close, depth);
  }
  case '"':
    out->kind = JSON_STRING;
    return parse_string(reader, &out->string, &out->string_len);
  case 'n':
    out->kind = JSON_NULL;
    return expect_literal(reader, "null");
  case 't':
    out->kind = JSON_TRUE;
    return expect_literal(reader, "true");
  case 'f':
    out->kind = JSON_FALSE;
    return expect_literal(reader, "false");
  default:
    out->kind = JSON_NUMBER;
    return parse_number(reader, &out->number);
  }
}

int json_parse(json_value *out, const char *text, size_t len,
               size_t *error_at) {
  json_reader reader = {text, len, 0};
  memset(out, 0, sizeof *out);
  int rv = parse_value(&reader, out, 0);
  skip_whitespace(&reader);
  if (rv == 0 && reader.pos != len)
    rv = -1;
  if (rv != 0)
    json_free(out);
  if (error_at != NULL)
    *error_at = reader.pos;
  return rv;
}

static char *read_whole_file(const char *path, size_t *len) {
  FILE *file = fopen(path, "rb");
  char *text = NULL;
  long size;
  if (file == NULL)
    return NULL;
  if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 &&
      fseek(file, 0, SEEK_SET) == 0 &&
      (text = malloc((size_t)size + 1)) != NULL) {
    *len = fread(text, 1, (size_t)size, file);
    if (*len != (size_t)size) {
      free(text);
      text = NULL;
    }
  }
  fclose(file);
  return text;
}

int json_parse_file(json_value *out, const char *path) {
  size_t len = 0, error_at = 0;
  char *text = read_whole_file(path, &len);
  if (text == NULL) {
    fprintf(stderr, "json_mini: cannot read %s\n", path);
    return -1;
  }
  int rv = json_parse(out, text, len, &error_at);
  if (rv != 0)
    fprintf(stderr, "json_mini: %s: syntax error at byte %zu\n", path,
            error_at);
  free(text);
  return rv;
}

void json_free(json_value *value) {
  for (size_t i = 0; i < value->count; i++)
    json_free(&value->items[i]);
  free(value->items);
  free(value->string);
  free(value->key);
  memset(value, 0, sizeof *value);
}

const json_value *json_member(const json_value *object, const char *key) {
  size_t key_len = strlen(key);
  if (object == NULL || object->kind != JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < object->count; i++) {
    const json_value *member = &object->items[i];
    if (member->key_len == key_len && memcmp(member->key, key, key_len) == 0)
      return member;
  }
  return NULL;
}
