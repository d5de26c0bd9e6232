/* Internal: the server side of the h2c Upgrade (RFC 7540 §3.2). A
 * connection that opens with an HTTP/1.1 request instead of the preface is
 * read up to the end of its head; a request asking for h2c with valid
 * HTTP2-Settings becomes stream 1 of an upgraded engine, anything else is
 * answered in HTTP/1.1 and closed (the adapters serve HTTP/2 only). */
#ifndef H2E_LOOP_UPGRADE_H
#define H2E_LOOP_UPGRADE_H

#include "h2e.h"

/* The largest request head taken (RFC 9112 leaves it to the server). */
#define H2E_UPGRADE_HEAD_MAX     8192
#define H2E_UPGRADE_FIELDS_MAX   64
#define H2E_UPGRADE_SETTINGS_MAX 16

typedef enum h2e_upgrade_result {
  H2E_UPGRADE_NEED_MORE = 0, /* the head has not ended yet */
  H2E_UPGRADE_OK,            /* switch: fields and settings are filled */
  H2E_UPGRADE_DECLINED,      /* HTTP/1.1 without a usable h2c upgrade */
  H2E_UPGRADE_MALFORMED      /* not an HTTP/1.1 request head (or too big) */
} h2e_upgrade_result;

typedef struct h2e_upgrade_request {
  /* The request as HTTP/2 fields (RFC 7540 §3.2: it becomes stream 1):
   * :method, :scheme "http", :authority from Host, :path, then the other
   * fields with lowercase names, without connection-specific ones. Slices
   * point into the input and into `names`. */
  h2e_field fields[H2E_UPGRADE_FIELDS_MAX];
  size_t field_count;
  h2e_setting settings[H2E_UPGRADE_SETTINGS_MAX];
  size_t settings_count;
  size_t head_len; /* octets of the head, blank line included */
  char names[H2E_UPGRADE_HEAD_MAX]; /* lowercased field names */
} h2e_upgrade_request;

/* Parses the start of a connection. in must stay unchanged while the
 * fields are used. */
h2e_upgrade_result h2e_upgrade_parse(const uint8_t *in, size_t len,
                                     h2e_upgrade_request *out);

/* What the server writes before its HTTP/2 bytes (OK), or alone before
 * closing (DECLINED, MALFORMED). */
const char *h2e_upgrade_response(h2e_upgrade_result result);

#endif /* H2E_LOOP_UPGRADE_H */
