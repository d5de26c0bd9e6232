/* Header fields for the connection fuzz targets, for both the peer's
 * blocks and the application's submits: a head that fits the message
 * (request, response, informational response, trailers), then fields
 * picked from a table of common names and values or taken from the input,
 * with the never-index and no-index flags now and then. Strings point
 * into the input or static tables, which outlive the run. */
#ifndef CONN_FUZZ_FIELDS_H
#define CONN_FUZZ_FIELDS_H

#include "conn_fuzz_run.h"

#define CF_FIELDS_MAX 72

typedef enum cf_message {
  CF_REQUEST = 0,
  CF_RESPONSE,
  CF_INFORMATIONAL,
  CF_TRAILERS
} cf_message;

static const char *const cf_names[] = {":method",
                                       ":scheme",
                                       ":path",
                                       ":authority",
                                       ":status",
                                       ":protocol",
                                       "content-type",
                                       "content-length",
                                       "user-agent",
                                       "accept",
                                       "accept-encoding",
                                       "cookie",
                                       "authorization",
                                       "te",
                                       "x-request-id",
                                       "grpc-status",
                                       "set-cookie",
                                       "cache-control",
                                       "date",
                                       "server",
                                       "",
                                       "Upper-Case",
                                       "connection",
                                       "host"};

static const char *const cf_values[] = {"GET",
                                        "POST",
                                        "CONNECT",
                                        "https",
                                        "http",
                                        "/",
                                        "/api/items/1",
                                        "example.com",
                                        "200",
                                        "204",
                                        "100",
                                        "103",
                                        "404",
                                        "text/plain",
                                        "0",
                                        "5",
                                        "trailers",
                                        "gzip, deflate, br",
                                        "",
                                        "websocket",
                                        "a=b; c=d",
                                        "Bearer xyz",
                                        "curl/8.0",
                                        "*/*"};

/* Octets for long values (their content does not matter). */
static const uint8_t cf_long_value[8192];

static h2e_field cf_field_str(const char *name, const char *value,
                              uint32_t flags) {
  h2e_field f = {(const uint8_t *)name, (const uint8_t *)value,
                 (uint32_t)strlen(name), (uint32_t)strlen(value), flags};
  return f;
}

static size_t cf_head(cf_message kind, h2e_field *out) {
  switch (kind) {
  case CF_REQUEST:
    out[0] = cf_field_str(":method", "POST", 0);
    out[1] = cf_field_str(":scheme", "https", 0);
    out[2] = cf_field_str(":path", "/api/items/1", 0);
    out[3] = cf_field_str(":authority", "example.com", 0);
    return 4;
  case CF_RESPONSE:
    out[0] = cf_field_str(":status", "200", 0);
    return 1;
  case CF_INFORMATIONAL:
    out[0] = cf_field_str(":status", "103", 0);
    return 1;
  default:
    return 0;
  }
}

static h2e_field cf_pick_field(fuzz_input *in) {
  uint8_t nb = fuzz_byte(in), vb = fuzz_byte(in);
  static const uint32_t flag_choices[4] = {0, H2E_FIELD_NEVER_INDEX,
                                           H2E_FIELD_NO_INDEX, 0};
  h2e_field f;
  f.flags = flag_choices[nb >> 6];
  uint8_t n = nb & 0x3f;
  if (n < 48) {
    f.name = (const uint8_t *)cf_names[n % CF_COUNT(cf_names)];
    f.name_len = (uint32_t)strlen(cf_names[n % CF_COUNT(cf_names)]);
  } else {
    f.name_len = (uint32_t)fuzz_take(in, (size_t)(n - 47) * 2, &f.name);
  }
  if (vb < 0xc0) {
    f.value = (const uint8_t *)cf_values[vb % CF_COUNT(cf_values)];
    f.value_len = (uint32_t)strlen(cf_values[vb % CF_COUNT(cf_values)]);
  } else if (vb < 0xfc) {
    f.value_len = (uint32_t)fuzz_take(in, (size_t)(vb & 0x3f) * 8, &f.value);
  } else {
    /* long values: past table sizes, header list limits, output room */
    static const uint32_t lengths[4] = {3000, 4097, 6000, 8192};
    f.value = cf_long_value;
    f.value_len = lengths[vb & 3];
  }
  return f;
}

/* ctl: the kind's head or not (bit 7), and how many more fields. */
static size_t cf_make_fields(fuzz_input *in, cf_message kind, h2e_field *out) {
  uint8_t ctl = fuzz_byte(in);
  size_t count = (ctl & 0x80) ? 0 : cf_head(kind, out);
  size_t extra = ctl & 0x07;
  if ((ctl & 0x78) == 0x78)
    extra = 64; /* many fields: past the field storage and CONTINUATION */
  for (size_t i = 0; i < extra && count < CF_FIELDS_MAX; i++)
    out[count++] = cf_pick_field(in);
  return count;
}

#endif
