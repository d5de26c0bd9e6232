/* RFC 9113 §8: is a decoded field block a well-formed message? One pass
 * over the fields: pseudo-header fields are collected (each at most once,
 * all before the regular ones, only those the kind defines), regular
 * names and every value are checked character by character through one
 * table, and the few names with rules of their own are picked out by
 * length. The rules that need the whole block follow the pass. */
#include "http_check.h"

#include <string.h>

/* Character classes: RFC 9110 §5.1 token characters without uppercase
 * (a strict field name), the visible characters but ':' (a lenient one),
 * what no field value may hold and what it may not start or end with
 * (RFC 9113 §8.2.1). */
enum { C_TOKEN = 1, C_NAME_LAX = 2, C_VALUE_BAD = 4, C_BLANK = 8 };

static const uint8_t char_class[256] = {
    4, 0, 0, 0, 0, 0, 0, 0, 0, 8, 4, 0, 0, 4, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    8, 3, 2, 3, 3, 3, 3, 3, 2, 2, 3, 3, 2, 3, 3, 2, /* 0x20 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 2, 2, 2, 2, 2, /* 0x30 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0x40 */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, /* 0x50 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x60 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 3, 2, 3, 0, /* 0x70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xa0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xb0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xc0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xd0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xe0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xf0 */
};

/* ---- eight octets at a time ---------------------------------------------
 * Most names are lowercase letters and '-', most values hold no octet
 * below 0x0e: a word test says so for eight octets in a few operations,
 * and only a word that fails it is looked at octet by octet. */

#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static uint64_t load8(const uint8_t *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

static uint64_t load4(const uint8_t *p) {
  uint32_t w;
  memcpy(&w, p, 4);
  return w;
}

/* High bits set where an octet is not in 'a'..'z' and not '-'. */
static uint64_t outside_lower_or_dash(uint64_t x) {
  uint64_t y = x & ~HIGHS; /* octets >= 0x80 are flagged by x & HIGHS */
  uint64_t from_a = (y + ONES * (0x80 - 'a')) & HIGHS;
  uint64_t to_z = ~(y + ONES * (0x80 - 'z' - 1)) & HIGHS;
  uint64_t dash = ~((y ^ (ONES * '-')) + ONES * 0x7f) & HIGHS;
  return (x & HIGHS) | (HIGHS & ~((from_a & to_z) | dash));
}

/* Nonzero when some octet is below 0x0e (NUL, CR and LF are). */
static uint64_t below_0e(uint64_t x) {
  return (x - ONES * 0x0e) & ~x & HIGHS;
}

/* The test ORed over words covering s[0..n), n >= 4: eight octets at a
 * time, the last word overlapping; under eight, two 4-octet halves. */
static uint64_t scan_words(const uint8_t *s, uint32_t n,
                           uint64_t (*test)(uint64_t)) {
  if (n < 8)
    return test(load4(s) | load4(s + n - 4) << 32);
  uint64_t flagged = 0;
  for (uint32_t i = 0; i + 8 < n; i += 8)
    flagged |= test(load8(s + i));
  return flagged | test(load8(s + n - 8));
}

/* Every octet has a class in `need`. */
static int all_in_class(const uint8_t *s, uint32_t n, uint8_t need) {
  for (uint32_t i = 0; i < n; i++)
    if ((char_class[s[i]] & need) == 0)
      return 0;
  return 1;
}

/* Pseudo-header fields, by index; a set of them is a mask of 1 << index. */
enum {
  PI_METHOD = 0,
  PI_SCHEME,
  PI_PATH,
  PI_AUTHORITY,
  PI_PROTOCOL,
  PI_STATUS
};
#define BIT(index) (1u << (index))

/* What each kind may carry: RFC 9113 §8.3.1, §8.3.2, §8.1 (trailers),
 * §8.4 (a promise is a plain request), RFC 8441 §4 (:protocol). */
static const unsigned allowed[] = {
    [H2E_HTTP_REQUEST] = BIT(PI_METHOD) | BIT(PI_SCHEME) | BIT(PI_PATH) |
                         BIT(PI_AUTHORITY) | BIT(PI_PROTOCOL),
    [H2E_HTTP_PUSH] =
        BIT(PI_METHOD) | BIT(PI_SCHEME) | BIT(PI_PATH) | BIT(PI_AUTHORITY),
    [H2E_HTTP_RESPONSE] = BIT(PI_STATUS),
    [H2E_HTTP_TRAILERS] = 0};

static const char *const misplaced[] = {
    [H2E_HTTP_REQUEST] = "RFC 9113 §8.3: response pseudo-header field in a "
                         "request",
    [H2E_HTTP_PUSH] = "RFC 9113 §8.4: pseudo-header field a promised "
                      "request cannot carry",
    [H2E_HTTP_RESPONSE] = "RFC 9113 §8.3: request pseudo-header field in a "
                          "response",
    [H2E_HTTP_TRAILERS] = "RFC 9113 §8.1: pseudo-header field in trailers"};

static const char connection_specific[] =
    "RFC 9113 §8.2.2: connection-specific header field";
static const char bad_length[] =
    "RFC 9110 §8.6: content-length is not a number";

typedef struct scan {
  const h2e_field *pseudo[PI_STATUS + 1];
  unsigned seen;
  int regular_seen;
} scan;

/* ASCII case-insensitive: s (checked characters) against a lowercase
 * literal of n octets. */
static int folded_equal(const uint8_t *s, const char *lit, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((uint8_t)(s[i] | 0x20) != (uint8_t)lit[i])
      return 0;
  return 1;
}

static int pseudo_index(const uint8_t *name, uint32_t len) {
  switch (len) {
  case 5:
    return memcmp(name, ":path", 5) == 0 ? PI_PATH : -1;
  case 7:
    if (memcmp(name, ":method", 7) == 0)
      return PI_METHOD;
    if (memcmp(name, ":scheme", 7) == 0)
      return PI_SCHEME;
    return memcmp(name, ":status", 7) == 0 ? PI_STATUS : -1;
  case 9:
    return memcmp(name, ":protocol", 9) == 0 ? PI_PROTOCOL : -1;
  case 10:
    return memcmp(name, ":authority", 10) == 0 ? PI_AUTHORITY : -1;
  default:
    return -1;
  }
}

/* RFC 9113 §8.3: defined for this kind, once, before regular fields. */
static const char *pseudo_field(scan *s, const h2e_field *f,
                                h2e_http_kind kind) {
  if (s->regular_seen)
    return "RFC 9113 §8.3: pseudo-header field after a regular field";
  int index = pseudo_index(f->name, f->name_len);
  if (index < 0)
    return "RFC 9113 §8.3: undefined pseudo-header field";
  unsigned bit = BIT(index);
  if ((allowed[kind] & bit) == 0)
    return misplaced[kind];
  if (s->seen & bit)
    return "RFC 9113 §8.3: repeated pseudo-header field";
  s->seen |= bit;
  s->pseudo[index] = f;
  return NULL;
}

/* RFC 9110 §8.6: digits only; equal repeats are accepted. */
static const char *content_length(const h2e_field *f, h2e_http_head *head) {
  if (f->value_len == 0 || f->value_len > 18)
    return bad_length;
  uint64_t n = 0;
  for (uint32_t i = 0; i < f->value_len; i++) {
    unsigned digit = (unsigned)f->value[i] - '0';
    if (digit > 9)
      return bad_length;
    n = n * 10 + digit;
  }
  if (head->has_content_length && head->content_length != n)
    return "RFC 9110 §8.6: content-length values differ";
  head->content_length = n;
  head->has_content_length = 1;
  return NULL;
}

/* The names with rules of their own, told apart by length first. */
static const char *special_field(const h2e_field *f, h2e_http_kind kind,
                                 h2e_http_head *head) {
  const uint8_t *name = f->name;
  switch (f->name_len) {
  case 2: /* RFC 9113 §8.2.2: te carries nothing but "trailers" */
    if (folded_equal(name, "te", 2) &&
        !(f->value_len == 8 && folded_equal(f->value, "trailers", 8)))
      return "RFC 9113 §8.2.2: te with a value other than \"trailers\"";
    return NULL;
  case 7:
    return folded_equal(name, "upgrade", 7) ? connection_specific : NULL;
  case 10:
    return folded_equal(name, "connection", 10) ||
                   folded_equal(name, "keep-alive", 10)
               ? connection_specific
               : NULL;
  case 14:
    return kind != H2E_HTTP_TRAILERS && folded_equal(name, "content-length", 14)
               ? content_length(f, head)
               : NULL;
  case 16:
    return folded_equal(name, "proxy-connection", 16) ? connection_specific
                                                      : NULL;
  case 17:
    return folded_equal(name, "transfer-encoding", 17) ? connection_specific
                                                       : NULL;
  default:
    return NULL;
  }
}

/* RFC 9113 §8.2.1, RFC 9110 §5.1: a lowercase token (lenient: visible
 * characters but ':'; uppercase then passes). */
static const char *regular_field(const h2e_field *f, h2e_http_kind kind,
                                 uint32_t flags, h2e_http_head *head) {
  uint8_t need = (flags & H2E_HTTP_LENIENT_NAMES) ? C_NAME_LAX : C_TOKEN;
  int quick = f->name_len >= 4 &&
              scan_words(f->name, f->name_len, outside_lower_or_dash) == 0;
  if (!quick && !all_in_class(f->name, f->name_len, need))
    return "RFC 9113 §8.2.1: field name with uppercase or "
           "non-token characters";
  return special_field(f, kind, head);
}

/* RFC 9113 §8.2.1: no NUL, CR, LF; no whitespace at either end. */
static const char *check_value(const h2e_field *f, uint32_t flags) {
  const uint8_t *v = f->value;
  uint32_t n = f->value_len;
  int quick = n >= 4 && scan_words(v, n, below_0e) == 0;
  if (!quick)
    for (uint32_t i = 0; i < n; i++)
      if (char_class[v[i]] & C_VALUE_BAD)
        return "RFC 9113 §8.2.1: field value with NUL, CR or LF";
  if (n && !(flags & H2E_HTTP_LENIENT_WHITESPACE) &&
      ((char_class[v[0]] | char_class[v[n - 1]]) & C_BLANK))
    return "RFC 9113 §8.2.1: field value starts or ends with whitespace";
  return NULL;
}

static int value_is(const h2e_field *f, const char *lit, uint32_t n) {
  return f->value_len == n && memcmp(f->value, lit, n) == 0;
}

/* RFC 9110 §9.1: a method is a token, compared case-sensitively. */
static int method_of(const h2e_field *f, uint8_t *method) {
  if (f->value_len == 0)
    return -1;
  if (!all_in_class(f->value, f->value_len, C_NAME_LAX))
    return -1;
  *method = value_is(f, "GET", 3)       ? H2E_METHOD_GET
            : value_is(f, "HEAD", 4)    ? H2E_METHOD_HEAD
            : value_is(f, "OPTIONS", 7) ? H2E_METHOD_OPTIONS
            : value_is(f, "CONNECT", 7) ? H2E_METHOD_CONNECT
                                        : H2E_METHOD_OTHER;
  return 0;
}

/* RFC 9113 §8.3.1: :scheme and :path present; for http and https a path
 * that is absolute (or '*' for OPTIONS) and an authority without
 * userinfo. */
static const char *target_rules(const scan *s, uint8_t method) {
  const h2e_field *scheme = s->pseudo[PI_SCHEME];
  const h2e_field *path = s->pseudo[PI_PATH];
  if (scheme == NULL || path == NULL)
    return "RFC 9113 §8.3.1: request without :scheme or :path";
  if (path->value_len == 0)
    return "RFC 9113 §8.3.1: empty :path";
  int http =
      (scheme->value_len == 4 && folded_equal(scheme->value, "http", 4)) ||
      (scheme->value_len == 5 && folded_equal(scheme->value, "https", 5));
  if (!http)
    return NULL;
  if (path->value[0] != '/' &&
      !(method == H2E_METHOD_OPTIONS && value_is(path, "*", 1)))
    return "RFC 9113 §8.3.1: :path is neither an absolute path nor '*' "
           "for OPTIONS";
  const h2e_field *authority = s->pseudo[PI_AUTHORITY];
  if (authority && authority->value_len &&
      memchr(authority->value, '@', authority->value_len))
    return "RFC 9113 §8.3.1: :authority with userinfo";
  return NULL;
}

/* RFC 9113 §8.5: CONNECT names just an authority; RFC 8441 §4: extended
 * CONNECT (with :protocol, if we allowed it) names a full target. */
static const char *connect_rules(const scan *s, const h2e_http_rules *rules) {
  if (s->pseudo[PI_AUTHORITY] == NULL)
    return "RFC 9113 §8.5: CONNECT without :authority";
  if (s->pseudo[PI_PROTOCOL] == NULL)
    return (s->seen & (BIT(PI_SCHEME) | BIT(PI_PATH)))
               ? "RFC 9113 §8.5: CONNECT with :scheme or :path"
               : NULL;
  if (!rules->connect_protocol)
    return "RFC 8441 §3: :protocol without SETTINGS_ENABLE_CONNECT_PROTOCOL";
  return target_rules(s, H2E_METHOD_CONNECT);
}

/* RFC 9113 §8.4: a promise is safe, cacheable and has no content. */
static const char *promise_rules(const h2e_http_head *head) {
  if (head->method != H2E_METHOD_GET && head->method != H2E_METHOD_HEAD)
    return "RFC 9113 §8.4: promised request is not safe and cacheable";
  if (head->has_content_length && head->content_length != 0)
    return "RFC 9113 §8.4: promised request with content";
  return NULL;
}

static const char *request_rules(const scan *s, h2e_http_kind kind,
                                 const h2e_http_rules *rules,
                                 h2e_http_head *head) {
  if (s->pseudo[PI_METHOD] == NULL)
    return "RFC 9113 §8.3.1: request without :method";
  if (method_of(s->pseudo[PI_METHOD], &head->method) < 0)
    return "RFC 9110 §9.1: :method is not a token";
  if (kind == H2E_HTTP_PUSH) {
    const char *why = promise_rules(head);
    if (why)
      return why;
  }
  if (head->method == H2E_METHOD_CONNECT)
    return connect_rules(s, rules);
  if (s->pseudo[PI_PROTOCOL])
    return "RFC 8441 §4: :protocol on a request other than CONNECT";
  return target_rules(s, head->method);
}

/* RFC 9113 §8.3.2: one :status of three digits (RFC 9110 §15: 100..599);
 * §8.6: no 101 in HTTP/2. */
static const char *response_rules(const scan *s, h2e_http_head *head) {
  const h2e_field *status = s->pseudo[PI_STATUS];
  if (status == NULL)
    return "RFC 9113 §8.3.2: response without :status";
  unsigned code = 0;
  for (uint32_t i = 0; i < status->value_len && code < 1000; i++) {
    unsigned digit = (unsigned)status->value[i] - '0';
    code = digit > 9 ? 1000 : code * 10 + digit;
  }
  if (status->value_len != 3 || code < 100 || code > 599)
    return "RFC 9113 §8.3.2: :status is not a three-digit code";
  if (code == 101)
    return "RFC 9113 §8.6: 101 (Switching Protocols) in HTTP/2";
  head->status = (uint16_t)code;
  return NULL;
}

const char *h2e_http_check(const h2e_field *fields, size_t count,
                           h2e_http_kind kind, const h2e_http_rules *rules,
                           h2e_http_head *head) {
  scan s;
  memset(&s, 0, sizeof s);
  memset(head, 0, sizeof *head);
  for (size_t i = 0; i < count; i++) {
    const h2e_field *f = &fields[i];
    const char *why;
    if (f->name_len == 0)
      why = "RFC 9113 §8.2.1: empty field name";
    else if (f->name[0] == ':')
      why = pseudo_field(&s, f, kind);
    else {
      s.regular_seen = 1;
      why = regular_field(f, kind, rules->flags, head);
    }
    if (why == NULL)
      why = check_value(f, rules->flags);
    if (why)
      return why;
  }
  if (kind == H2E_HTTP_RESPONSE)
    return response_rules(&s, head);
  if (kind == H2E_HTTP_TRAILERS)
    return NULL;
  return request_rules(&s, kind, rules, head);
}
