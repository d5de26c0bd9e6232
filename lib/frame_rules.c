/* The rules a frame header can break on its own (RFC 9113 §4, §6), as a
 * table by frame type. */
#include "frame.h"

#include <stddef.h>

enum stream_rule { ANY_STREAM, ON_STREAM, ON_CONNECTION };

enum length_rule {
  LENGTH_ANY,     /* at least min_length (plus Pad Length / priority) */
  LENGTH_EXACT,   /* exactly min_length */
  LENGTH_MULTIPLE /* a multiple of min_length */
};

typedef struct frame_rule {
  uint8_t known;
  uint8_t defined_flags;
  uint8_t stream_rule;
  uint8_t length_rule;
  uint8_t min_length;
  uint8_t length_scope; /* h2e_error_scope of a length violation */
  const char *stream_reason;
  const char *length_reason;
} frame_rule;

#define CONN H2E_SCOPE_CONNECTION

/* RFC 9113 §4.2: a frame size error in a frame that can alter the
 * connection is a connection error; only PRIORITY (§6.3) is stream-scoped.
 * Extension frames: RFC 7838 §4, RFC 8336 §2, RFC 9218 §7.1. */
static const frame_rule frame_rules[] = {
    [H2E_FRAME_DATA] = {1, H2E_FLAG_END_STREAM | H2E_FLAG_PADDED, ON_STREAM,
                        LENGTH_ANY, 0, CONN, "RFC 9113 §6.1: DATA on stream 0",
                        "RFC 9113 §6.1: DATA too short for Pad Length"},
    [H2E_FRAME_HEADERS] = {1,
                           H2E_FLAG_END_STREAM | H2E_FLAG_END_HEADERS |
                               H2E_FLAG_PADDED | H2E_FLAG_PRIORITY,
                           ON_STREAM, LENGTH_ANY, 0, CONN,
                           "RFC 9113 §6.2: HEADERS on stream 0",
                           "RFC 9113 §6.2: HEADERS too short for its fields"},
    [H2E_FRAME_PRIORITY] = {1, 0, ON_STREAM, LENGTH_EXACT, 5, H2E_SCOPE_STREAM,
                            "RFC 9113 §6.3: PRIORITY on stream 0",
                            "RFC 9113 §6.3: PRIORITY length is not 5"},
    [H2E_FRAME_RST_STREAM] = {1, 0, ON_STREAM, LENGTH_EXACT, 4, CONN,
                              "RFC 9113 §6.4: RST_STREAM on stream 0",
                              "RFC 9113 §6.4: RST_STREAM length is not 4"},
    [H2E_FRAME_SETTINGS] = {1, H2E_FLAG_ACK, ON_CONNECTION, LENGTH_MULTIPLE, 6,
                            CONN, "RFC 9113 §6.5: SETTINGS on a stream",
                            "RFC 9113 §6.5: SETTINGS length is not a "
                            "multiple of 6"},
    [H2E_FRAME_PUSH_PROMISE] = {1, H2E_FLAG_END_HEADERS | H2E_FLAG_PADDED,
                                ON_STREAM, LENGTH_ANY, 4, CONN,
                                "RFC 9113 §6.6: PUSH_PROMISE on stream 0",
                                "RFC 9113 §6.6: PUSH_PROMISE too short for "
                                "its fields"},
    [H2E_FRAME_PING] = {1, H2E_FLAG_ACK, ON_CONNECTION, LENGTH_EXACT, 8, CONN,
                        "RFC 9113 §6.7: PING on a stream",
                        "RFC 9113 §6.7: PING length is not 8"},
    [H2E_FRAME_GOAWAY] = {1, 0, ON_CONNECTION, LENGTH_ANY, 8, CONN,
                          "RFC 9113 §6.8: GOAWAY on a stream",
                          "RFC 9113 §6.8: GOAWAY shorter than 8"},
    [H2E_FRAME_WINDOW_UPDATE] = {1, 0, ANY_STREAM, LENGTH_EXACT, 4, CONN, NULL,
                                 "RFC 9113 §6.9: WINDOW_UPDATE length is not "
                                 "4"},
    [H2E_FRAME_CONTINUATION] = {1, H2E_FLAG_END_HEADERS, ON_STREAM, LENGTH_ANY,
                                0, CONN,
                                "RFC 9113 §6.10: CONTINUATION on stream 0",
                                NULL},
    [H2E_FRAME_ALTSVC] = {1, 0, ANY_STREAM, LENGTH_ANY, 0, CONN, NULL, NULL},
    [H2E_FRAME_ORIGIN] = {1, 0, ANY_STREAM, LENGTH_ANY, 0, CONN, NULL, NULL},
    [H2E_FRAME_PRIORITY_UPDATE] = {1, 0, ON_CONNECTION, LENGTH_ANY, 4, CONN,
                                   "RFC 9218 §7.1: PRIORITY_UPDATE on a "
                                   "stream",
                                   "RFC 9218 §7.1: PRIORITY_UPDATE shorter "
                                   "than 4"},
};

#define RULE_COUNT (sizeof(frame_rules) / sizeof(frame_rules[0]))

static const frame_rule *rule_of(uint8_t type) {
  if (type >= RULE_COUNT || !frame_rules[type].known)
    return NULL;
  return &frame_rules[type];
}

int h2e_frame_fail(h2e_frame_error *err, h2e_h2_error code,
                   h2e_error_scope scope, uint32_t stream_id,
                   const char *reason) {
  if (err) {
    err->code = code;
    err->scope = scope;
    err->stream_id = stream_id;
    err->reason = reason;
  }
  return H2E_ERR_PROTOCOL;
}

uint8_t h2e_frame_defined_flags(uint8_t type) {
  const frame_rule *rule = rule_of(type);
  return rule ? rule->defined_flags : 0xff;
}

void h2e_frame_header_decode(const uint8_t *buf, h2e_frame_header *hd) {
  hd->length = h2e_get_u24(buf);
  hd->type = buf[3];
  /* RFC 9113 §4.1: unused flags and the reserved bit are ignored. */
  hd->flags = buf[4] & h2e_frame_defined_flags(buf[3]);
  hd->stream_id = h2e_get_u32(buf + 5) & H2E_U31_MASK;
}

/* Pad Length and priority fields come and go with flags. */
static uint32_t optional_fields(const h2e_frame_header *hd) {
  uint32_t length = (hd->flags & H2E_FLAG_PADDED) ? 1 : 0;
  if (hd->type == H2E_FRAME_HEADERS && (hd->flags & H2E_FLAG_PRIORITY))
    length += 5;
  return length;
}

/* For LENGTH_ANY types: everything in front of the variable part. */
static uint32_t mandatory_length(const frame_rule *rule,
                                 const h2e_frame_header *hd) {
  return rule->min_length + optional_fields(hd);
}

uint32_t h2e_frame_padded_prefix(const h2e_frame_header *hd) {
  const frame_rule *rule = rule_of(hd->type);
  return rule ? mandatory_length(rule, hd) : 0;
}

static int stream_ok(const frame_rule *rule, uint32_t stream_id) {
  switch (rule->stream_rule) {
  case ON_STREAM:
    return stream_id != 0;
  case ON_CONNECTION:
    return stream_id == 0;
  default:
    return 1;
  }
}

static int length_ok(const frame_rule *rule, const h2e_frame_header *hd) {
  switch (rule->length_rule) {
  case LENGTH_EXACT:
    return hd->length == rule->min_length;
  case LENGTH_MULTIPLE:
    return hd->length % rule->min_length == 0;
  default:
    /* RFC 9113 §4.2: too small to contain mandatory frame data. */
    return hd->length >= mandatory_length(rule, hd);
  }
}

int h2e_frame_check_header(const h2e_frame_header *hd, uint32_t max_frame_size,
                           h2e_frame_error *err) {
  const frame_rule *rule = rule_of(hd->type);
  /* RFC 9113 §4.2: applies to every frame, known or not. */
  if (hd->length > max_frame_size)
    return h2e_frame_fail(
        err, H2E_FRAME_SIZE_ERROR, H2E_SCOPE_CONNECTION, hd->stream_id,
        "RFC 9113 §4.2: frame exceeds SETTINGS_MAX_FRAME_SIZE");
  if (!rule)
    return 0;
  if (!stream_ok(rule, hd->stream_id))
    return h2e_frame_fail(err, H2E_PROTOCOL_ERROR, H2E_SCOPE_CONNECTION,
                          hd->stream_id, rule->stream_reason);
  /* RFC 9113 §6.5: an ACK carries nothing. */
  if (hd->type == H2E_FRAME_SETTINGS && (hd->flags & H2E_FLAG_ACK) &&
      hd->length != 0)
    return h2e_frame_fail(err, H2E_FRAME_SIZE_ERROR, H2E_SCOPE_CONNECTION, 0,
                          "RFC 9113 §6.5: SETTINGS ACK with a payload");
  if (!length_ok(rule, hd))
    return h2e_frame_fail(err, H2E_FRAME_SIZE_ERROR,
                          (h2e_error_scope)rule->length_scope, hd->stream_id,
                          rule->length_reason);
  return 0;
}

int h2e_frame_check_padding(const h2e_frame_header *hd, uint8_t pad_len,
                            h2e_frame_error *err) {
  /* RFC 9113 §6.1, §6.2, §6.6: padding as long as the rest of the payload
   * or longer is a connection error. */
  if (pad_len > hd->length - h2e_frame_padded_prefix(hd))
    return h2e_frame_fail(
        err, H2E_PROTOCOL_ERROR, H2E_SCOPE_CONNECTION, hd->stream_id,
        "RFC 9113 §6.1: padding not shorter than the payload");
  return 0;
}
