/* Frame comparison by meaning, for the round-trip tests and fuzzers. */
#include "frame_equal.h"

#include <string.h>

static int bytes_equal(const uint8_t *a, size_t a_len, const uint8_t *b,
                       size_t b_len) {
  return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

static int header_equal(const h2e_frame_header *a, const h2e_frame_header *b) {
  return a->length == b->length && a->type == b->type && a->flags == b->flags &&
         a->stream_id == b->stream_id;
}

static int priority_equal(const h2e_frame_priority *a,
                          const h2e_frame_priority *b) {
  return a->dependency == b->dependency && a->exclusive == b->exclusive &&
         a->weight == b->weight;
}

static int payload_equal(const h2e_frame *a, const h2e_frame *b) {
  return bytes_equal(a->payload, a->payload_len, b->payload, b->payload_len);
}

static int data_equal(const h2e_frame *a, const h2e_frame *b) {
  return bytes_equal(a->u.data.data, a->u.data.data_len, b->u.data.data,
                     b->u.data.data_len) &&
         a->u.data.pad_len == b->u.data.pad_len &&
         a->u.data.offset == b->u.data.offset &&
         a->u.data.last == b->u.data.last;
}

static int headers_equal(const h2e_frame *a, const h2e_frame *b) {
  return bytes_equal(a->u.headers.block, a->u.headers.block_len,
                     b->u.headers.block, b->u.headers.block_len) &&
         a->u.headers.pad_len == b->u.headers.pad_len &&
         priority_equal(&a->u.headers.priority, &b->u.headers.priority);
}

static int push_promise_equal(const h2e_frame *a, const h2e_frame *b) {
  return a->u.push_promise.promised_stream_id ==
             b->u.push_promise.promised_stream_id &&
         a->u.push_promise.pad_len == b->u.push_promise.pad_len &&
         bytes_equal(a->u.push_promise.block, a->u.push_promise.block_len,
                     b->u.push_promise.block, b->u.push_promise.block_len);
}

static int goaway_equal(const h2e_frame *a, const h2e_frame *b) {
  return a->u.goaway.last_stream_id == b->u.goaway.last_stream_id &&
         a->u.goaway.error_code == b->u.goaway.error_code &&
         bytes_equal(a->u.goaway.debug_data, a->u.goaway.debug_len,
                     b->u.goaway.debug_data, b->u.goaway.debug_len);
}

static int altsvc_equal(const h2e_frame *a, const h2e_frame *b) {
  return bytes_equal(a->u.altsvc.origin, a->u.altsvc.origin_len,
                     b->u.altsvc.origin, b->u.altsvc.origin_len) &&
         bytes_equal(a->u.altsvc.field_value, a->u.altsvc.field_value_len,
                     b->u.altsvc.field_value, b->u.altsvc.field_value_len);
}

static int priority_update_equal(const h2e_frame *a, const h2e_frame *b) {
  return a->u.priority_update.prioritized_stream_id ==
             b->u.priority_update.prioritized_stream_id &&
         bytes_equal(a->u.priority_update.field_value,
                     a->u.priority_update.field_value_len,
                     b->u.priority_update.field_value,
                     b->u.priority_update.field_value_len);
}

static int fields_equal(const h2e_frame *a, const h2e_frame *b) {
  switch (a->hd.type) {
  case H2E_FRAME_DATA:
    return data_equal(a, b);
  case H2E_FRAME_HEADERS:
    return headers_equal(a, b);
  case H2E_FRAME_PRIORITY:
    return priority_equal(&a->u.priority, &b->u.priority);
  case H2E_FRAME_RST_STREAM:
    return a->u.rst_stream.error_code == b->u.rst_stream.error_code;
  case H2E_FRAME_PUSH_PROMISE:
    return push_promise_equal(a, b);
  case H2E_FRAME_PING:
    return memcmp(a->u.ping.opaque_data, b->u.ping.opaque_data, 8) == 0;
  case H2E_FRAME_GOAWAY:
    return goaway_equal(a, b);
  case H2E_FRAME_WINDOW_UPDATE:
    return a->u.window_update.increment == b->u.window_update.increment;
  case H2E_FRAME_CONTINUATION:
    return bytes_equal(a->u.continuation.block, a->u.continuation.block_len,
                       b->u.continuation.block, b->u.continuation.block_len);
  case H2E_FRAME_ALTSVC:
    return altsvc_equal(a, b);
  case H2E_FRAME_PRIORITY_UPDATE:
    return priority_update_equal(a, b);
  case H2E_FRAME_SETTINGS:
    return bytes_equal(a->u.settings.entries, 6 * a->u.settings.count,
                       b->u.settings.entries, 6 * b->u.settings.count);
  default: /* ORIGIN: the types without a decoder are never USE */
    return bytes_equal(a->u.origin.entries, a->u.origin.entries_len,
                       b->u.origin.entries, b->u.origin.entries_len);
  }
}

int h2e_frame_equal(const h2e_frame *a, const h2e_frame *b) {
  if (!header_equal(&a->hd, &b->hd) || a->ignore != b->ignore)
    return 0;
  if (a->ignore != H2E_FRAME_USE)
    return payload_equal(a, b);
  return fields_equal(a, b);
}
