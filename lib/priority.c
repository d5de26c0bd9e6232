/* The Priority field value (RFC 9218 §4, §5): an RFC 8941 Dictionary,
 * parsed strictly (RFC 8941 §4.2, one routine per syntax rule), of which
 * the `u` and `i` members are kept. */
#include "priority.h"

/* The part of the value not parsed yet. */
typedef struct cursor {
  const uint8_t *at;
  const uint8_t *end;
} cursor;

/* What a member's value is, as far as RFC 9218 cares. */
typedef enum value_kind {
  VALUE_INTEGER,
  VALUE_BOOLEAN,
  VALUE_OTHER /* Decimal, String, Token, Byte Sequence, Inner List */
} value_kind;

typedef struct member_value {
  value_kind kind;
  int64_t number; /* Integer value, or Boolean 0/1 */
} member_value;

static int at_end(const cursor *c) {
  return c->at == c->end;
}

static int peek_is(const cursor *c, uint8_t ch) {
  return !at_end(c) && *c->at == ch;
}

static int is_digit(uint8_t ch) {
  return ch >= '0' && ch <= '9';
}

static int is_lcalpha(uint8_t ch) {
  return ch >= 'a' && ch <= 'z';
}

static int is_alpha(uint8_t ch) {
  return is_lcalpha(ch) || (ch >= 'A' && ch <= 'Z');
}

static int in_set(uint8_t ch, const char *set) {
  for (; *set; set++)
    if ((uint8_t)*set == ch)
      return 1;
  return 0;
}

/* RFC 9110 §5.6.2 tchar. */
static int is_tchar(uint8_t ch) {
  return is_alpha(ch) || is_digit(ch) || in_set(ch, "!#$%&'*+-.^_`|~");
}

static void skip_sp(cursor *c) {
  while (peek_is(c, ' '))
    c->at++;
}

/* OWS: SP and HTAB (RFC 8941 §4.2.2, around the commas). */
static void skip_ows(cursor *c) {
  while (peek_is(c, ' ') || peek_is(c, '\t'))
    c->at++;
}

/* RFC 8941 §4.2.3.3: key = (lcalpha / "*") *(lcalpha / DIGIT / "_" /
 * "-" / "." / "*"). Returns the key's length, 0 when there is none. */
static size_t parse_key(cursor *c) {
  const uint8_t *start = c->at;
  if (at_end(c) || !(is_lcalpha(*c->at) || *c->at == '*'))
    return 0;
  c->at++;
  while (!at_end(c) &&
         (is_lcalpha(*c->at) || is_digit(*c->at) || in_set(*c->at, "_-.*")))
    c->at++;
  return (size_t)(c->at - start);
}

/* RFC 8941 §4.2.4: Integer (at most 15 digits) or Decimal (at most 12
 * integer digits, 1 to 3 fractional ones). */
static int parse_number(cursor *c, member_value *v) {
  int negative = 0;
  if (peek_is(c, '-')) {
    negative = 1;
    c->at++;
  }
  if (at_end(c) || !is_digit(*c->at))
    return -1;
  int64_t number = 0;
  size_t digits = 0;
  while (!at_end(c) && is_digit(*c->at) && digits < 15) {
    number = number * 10 + (*c->at++ - '0');
    digits++;
  }
  if (!at_end(c) && is_digit(*c->at))
    return -1; /* a 16th digit */
  if (!peek_is(c, '.')) {
    v->kind = VALUE_INTEGER;
    v->number = negative ? -number : number;
    return 0;
  }
  if (digits > 12)
    return -1;
  c->at++;
  size_t fraction = 0;
  while (!at_end(c) && is_digit(*c->at)) {
    c->at++;
    if (++fraction > 3)
      return -1;
  }
  v->kind = VALUE_OTHER;
  return fraction == 0 ? -1 : 0;
}

/* RFC 8941 §4.2.5: DQUOTE, printable ASCII with \" and \\ escapes,
 * DQUOTE. */
static int parse_string(cursor *c) {
  c->at++;
  while (!at_end(c)) {
    uint8_t ch = *c->at++;
    if (ch == '"')
      return 0;
    if (ch < 0x20 || ch > 0x7e)
      return -1;
    if (ch == '\\') {
      if (at_end(c) || !(*c->at == '"' || *c->at == '\\'))
        return -1;
      c->at++;
    }
  }
  return -1;
}

/* RFC 8941 §4.2.6: (ALPHA / "*") *(tchar / ":" / "/"). */
static void parse_token(cursor *c) {
  c->at++;
  while (!at_end(c) && (is_tchar(*c->at) || in_set(*c->at, ":/")))
    c->at++;
}

/* RFC 8941 §4.2.7: ":" base64 ":". */
static int parse_bytes(cursor *c) {
  c->at++;
  while (!at_end(c) && *c->at != ':') {
    uint8_t ch = *c->at++;
    if (!(is_alpha(ch) || is_digit(ch) || in_set(ch, "+/=")))
      return -1;
  }
  if (at_end(c))
    return -1;
  c->at++;
  return 0;
}

/* RFC 8941 §4.2.8: "?0" or "?1". */
static int parse_boolean(cursor *c, member_value *v) {
  c->at++;
  if (!peek_is(c, '0') && !peek_is(c, '1'))
    return -1;
  v->kind = VALUE_BOOLEAN;
  v->number = *c->at++ == '1';
  return 0;
}

/* RFC 8941 §4.2.3.1: one bare item, by its first character. */
static int parse_bare_item(cursor *c, member_value *v) {
  v->kind = VALUE_OTHER;
  if (at_end(c))
    return -1;
  uint8_t first = *c->at;
  if (first == '-' || is_digit(first))
    return parse_number(c, v);
  if (first == '"')
    return parse_string(c);
  if (first == ':')
    return parse_bytes(c);
  if (first == '?')
    return parse_boolean(c, v);
  if (is_alpha(first) || first == '*') {
    parse_token(c);
    return 0;
  }
  return -1;
}

/* RFC 8941 §4.2.3.2: *( ";" *SP key [ "=" bare-item ] ); RFC 9218 uses
 * no parameters, so they are checked and dropped. */
static int parse_parameters(cursor *c) {
  while (peek_is(c, ';')) {
    c->at++;
    skip_sp(c);
    if (parse_key(c) == 0)
      return -1;
    member_value ignored;
    if (peek_is(c, '=')) {
      c->at++;
      if (parse_bare_item(c, &ignored) < 0)
        return -1;
    }
  }
  return 0;
}

/* RFC 8941 §4.2.3: bare item and its parameters. */
static int parse_item(cursor *c, member_value *v) {
  if (parse_bare_item(c, v) < 0)
    return -1;
  return parse_parameters(c);
}

/* RFC 8941 §4.2.1.2: "(" items separated by SP ")" parameters. */
static int parse_inner_list(cursor *c, member_value *v) {
  c->at++;
  v->kind = VALUE_OTHER;
  for (;;) {
    skip_sp(c);
    if (peek_is(c, ')')) {
      c->at++;
      return parse_parameters(c);
    }
    member_value item;
    if (parse_item(c, &item) < 0)
      return -1;
    if (!peek_is(c, ' ') && !peek_is(c, ')'))
      return -1;
  }
}

/* RFC 9218 §4.1, §4.2: u is an Integer 0..7, i a Boolean; anything else
 * in them is ignored (their last value counts, RFC 8941 §4.2.2). */
static void record(h2e_priority_scan *scan, const uint8_t *key, size_t key_len,
                   const member_value *v) {
  if (key_len != 1)
    return;
  int valid;
  if (key[0] == 'u') {
    valid = v->kind == VALUE_INTEGER && v->number >= 0 &&
            v->number < H2E_URGENCY_LEVELS;
    scan->urgency = (int8_t)(valid ? v->number : -1);
  } else if (key[0] == 'i') {
    valid = v->kind == VALUE_BOOLEAN;
    scan->incremental = (int8_t)(valid ? v->number : -1);
  }
}

/* RFC 8941 §4.2.2: one member; a key alone is Boolean true. */
static int parse_member(h2e_priority_scan *scan, cursor *c) {
  const uint8_t *key = c->at;
  size_t key_len = parse_key(c);
  if (key_len == 0)
    return -1;
  member_value v = {VALUE_BOOLEAN, 1};
  int rc;
  if (!peek_is(c, '=')) {
    rc = parse_parameters(c);
  } else {
    c->at++;
    rc = peek_is(c, '(') ? parse_inner_list(c, &v) : parse_item(c, &v);
  }
  if (rc == 0)
    record(scan, key, key_len, &v);
  return rc;
}

/* RFC 8941 §4.2, §4.2.2: members separated by commas with optional
 * whitespace around them; no trailing comma, nothing left over. */
static int parse_dictionary(h2e_priority_scan *scan, cursor *c) {
  skip_sp(c);
  while (!at_end(c)) {
    if (parse_member(scan, c) < 0)
      return -1;
    skip_ows(c);
    if (at_end(c))
      return 0;
    if (*c->at++ != ',')
      return -1;
    skip_ows(c);
    if (at_end(c))
      return -1;
  }
  return 0;
}

void h2e_priority_scan_init(h2e_priority_scan *scan) {
  scan->urgency = -1;
  scan->incremental = -1;
  scan->failed = 0;
}

int h2e_priority_scan_line(h2e_priority_scan *scan, const uint8_t *value,
                           size_t len) {
  cursor c = {value, value + len};
  if (parse_dictionary(scan, &c) < 0)
    scan->failed = 1;
  return scan->failed ? -1 : 0;
}

void h2e_priority_scan_result(const h2e_priority_scan *scan,
                              h2e_priority *out) {
  out->urgency = H2E_URGENCY_DEFAULT;
  out->incremental = 0;
  if (scan->failed)
    return;
  if (scan->urgency >= 0)
    out->urgency = (uint8_t)scan->urgency;
  if (scan->incremental >= 0)
    out->incremental = (uint8_t)scan->incremental;
}

int h2e_priority_parse(const uint8_t *value, size_t len, h2e_priority *out) {
  if (out == NULL || (value == NULL && len != 0))
    return H2E_ERR_INVALID_ARG;
  h2e_priority_scan scan;
  h2e_priority_scan_init(&scan);
  int rc = len ? h2e_priority_scan_line(&scan, value, len) : 0;
  h2e_priority_scan_result(&scan, out);
  return rc < 0 ? H2E_ERR_PROTOCOL : H2E_OK;
}

ptrdiff_t h2e_priority_format(const h2e_priority *priority, uint8_t *buf,
                              size_t cap) {
  if (priority == NULL || (buf == NULL && cap != 0) ||
      priority->urgency >= H2E_URGENCY_LEVELS || priority->incremental > 1)
    return H2E_ERR_INVALID_ARG;
  uint8_t text[H2E_PRIORITY_FORMAT_MAX];
  size_t len = 0;
  if (priority->urgency != H2E_URGENCY_DEFAULT) {
    text[len++] = 'u';
    text[len++] = '=';
    text[len++] = (uint8_t)('0' + priority->urgency);
  }
  if (priority->incremental) {
    if (len) {
      text[len++] = ',';
      text[len++] = ' ';
    }
    text[len++] = 'i';
  }
  if (len > cap)
    return H2E_ERR_BUFFER_TOO_SMALL;
  for (size_t k = 0; k < len; k++)
    buf[k] = text[k];
  return (ptrdiff_t)len;
}
