/* The HTTP layer's message checks (RFC 9113 §8): is a decoded field block
 * a well-formed request, response, trailer section or promised request?
 * Pure functions over the fields, one pass, no allocation; the answer is
 * NULL (well-formed) or a static reason citing the rule. Also the body
 * rule a head sets for its stream's DATA (§8.1.1: content-length) and the
 * cookie join of §8.2.3. */
#ifndef H2E_HTTP_CHECK_H
#define H2E_HTTP_CHECK_H

#include "h2e.h"

/* What a field block is meant to be. */
typedef enum h2e_http_kind {
  H2E_HTTP_REQUEST = 0, /* §8.3.1 */
  H2E_HTTP_PUSH,        /* §8.4: a promised request (safe, no content) */
  H2E_HTTP_RESPONSE,    /* §8.3.2: informational or final */
  H2E_HTTP_TRAILERS     /* §8.1: no pseudo-header fields */
} h2e_http_kind;

/* The methods the engine tells apart. */
typedef enum h2e_http_method {
  H2E_METHOD_OTHER = 0,
  H2E_METHOD_GET,
  H2E_METHOD_HEAD,
  H2E_METHOD_OPTIONS,
  H2E_METHOD_CONNECT
} h2e_http_method;

typedef struct h2e_http_rules {
  uint32_t flags;           /* H2E_HTTP_* of the config */
  uint8_t connect_protocol; /* RFC 8441 §3: :protocol may be used */
} h2e_http_rules;

/* What a well-formed head said. */
typedef struct h2e_http_head {
  uint64_t content_length;
  uint8_t has_content_length;
  uint8_t method; /* h2e_http_method (requests) */
  uint16_t status;
} h2e_http_head;

/* NULL when the block is a well-formed message of this kind (filling
 * *head), else why it is malformed (RFC 9113 §8.1.1). */
const char *h2e_http_check(const h2e_field *fields, size_t count,
                           h2e_http_kind kind, const h2e_http_rules *rules,
                           h2e_http_head *head);

/* ---- the body a head allows (RFC 9113 §8.1.1) -------------------------- */

enum {
  H2E_BODY_ANY = 0, /* no content-length (or raw mode) */
  H2E_BODY_EXACT,   /* exactly `left` more octets, then END_STREAM */
  H2E_BODY_NONE     /* HEAD response, 204, 304: no content */
};

/* Per stream: what DATA may still come. */
typedef struct h2e_http_body {
  uint64_t left;
  uint8_t rule;         /* H2E_BODY_* */
  uint8_t head_request; /* client: the request (or promise) was HEAD */
} h2e_http_body;

/* Sets the body rule from a request or final response head. */
void h2e_http_body_start(h2e_http_body *body, const h2e_http_head *head,
                         int is_response);
/* DATA of `octets` (payload, no padding), ending the stream or not: NULL
 * or why the message is malformed. */
const char *h2e_http_body_data(h2e_http_body *body, uint64_t octets,
                               int end_stream);

/* ---- cookie crumbs (RFC 9113 §8.2.3) ------------------------------------ */

/* The room joining the cookie fields of a list needs (0: fewer than two,
 * or one with whitespace at an end, which must stay visible). */
size_t h2e_http_cookies_room(const h2e_field *fields, size_t count);
/* Joins every cookie field into the first one with "; ", writing the
 * value into room (at least h2e_http_cookies_room octets); the others
 * leave the list, in order. Returns the new count. */
size_t h2e_http_join_cookies(h2e_field *fields, size_t count, uint8_t *room);

#endif
