/* One-shot frame parsing: payload decoders of the RFC 9113 §6 frame types,
 * dispatched by a table, and h2e_frame_parse. */
#include "frame.h"

#include <string.h>

typedef int (*payload_decoder)(const h2e_frame_header *hd,
                               const uint8_t *payload, h2e_frame *out,
                               h2e_frame_error *err);

/* The parts of a PADDED-capable payload (RFC 9113 §6.1, §6.2, §6.6). */
typedef struct padded_payload {
  uint8_t pad_len;
  const uint8_t *fields;  /* the fixed fields, after Pad Length */
  const uint8_t *content; /* data or field block fragment */
  size_t content_len;
} padded_payload;

static int split_padding(const h2e_frame_header *hd, const uint8_t *payload,
                         padded_payload *parts, h2e_frame_error *err) {
  int padded = (hd->flags & H2E_FLAG_PADDED) != 0;
  uint32_t prefix = h2e_frame_padded_prefix(hd);
  parts->pad_len = padded ? payload[0] : 0;
  if (padded && h2e_frame_check_padding(hd, parts->pad_len, err))
    return H2E_ERR_PROTOCOL;
  parts->fields = payload + padded;
  parts->content = payload + prefix;
  parts->content_len = hd->length - prefix - parts->pad_len;
  return 0;
}

static h2e_frame_priority priority_decode(const uint8_t *fields) {
  h2e_frame_priority priority;
  uint32_t word = h2e_get_u32(fields);
  priority.exclusive = (uint8_t)(word >> 31);
  priority.dependency = word & H2E_U31_MASK;
  priority.weight = fields[4];
  return priority;
}

static int decode_data(const h2e_frame_header *hd, const uint8_t *payload,
                       h2e_frame *out, h2e_frame_error *err) {
  padded_payload parts;
  if (split_padding(hd, payload, &parts, err))
    return H2E_ERR_PROTOCOL;
  out->u.data.data = parts.content;
  out->u.data.data_len = parts.content_len;
  out->u.data.pad_len = parts.pad_len;
  out->u.data.offset = 0;
  out->u.data.last = 1;
  return 0;
}

static int decode_headers(const h2e_frame_header *hd, const uint8_t *payload,
                          h2e_frame *out, h2e_frame_error *err) {
  padded_payload parts;
  if (split_padding(hd, payload, &parts, err))
    return H2E_ERR_PROTOCOL;
  out->u.headers.block = parts.content;
  out->u.headers.block_len = parts.content_len;
  out->u.headers.pad_len = parts.pad_len;
  if (!(hd->flags & H2E_FLAG_PRIORITY))
    return 0;
  out->u.headers.priority = priority_decode(parts.fields);
  /* RFC 7540 §5.3.1: a stream cannot depend on itself. A stream error
   * there, but this frame carries a field block the HPACK decoder must
   * see, so it is raised to a connection error (RFC 9113 §5.4.1). */
  if (out->u.headers.priority.dependency == hd->stream_id)
    return h2e_frame_fail(err, H2E_PROTOCOL_ERROR, H2E_SCOPE_CONNECTION,
                          hd->stream_id,
                          "RFC 7540 §5.3.1: HEADERS depends on its own stream");
  return 0;
}

static int decode_priority(const h2e_frame_header *hd, const uint8_t *payload,
                           h2e_frame *out, h2e_frame_error *err) {
  out->u.priority = priority_decode(payload);
  /* RFC 7540 §5.3.1: a stream cannot depend on itself. */
  if (out->u.priority.dependency == hd->stream_id)
    return h2e_frame_fail(err, H2E_PROTOCOL_ERROR, H2E_SCOPE_STREAM,
                          hd->stream_id,
                          "RFC 7540 §5.3.1: PRIORITY depends on its own "
                          "stream");
  return 0;
}

static int decode_rst_stream(const h2e_frame_header *hd, const uint8_t *payload,
                             h2e_frame *out, h2e_frame_error *err) {
  (void)hd;
  (void)err;
  out->u.rst_stream.error_code = h2e_get_u32(payload);
  return 0;
}

static int decode_settings(const h2e_frame_header *hd, const uint8_t *payload,
                           h2e_frame *out, h2e_frame_error *err) {
  out->u.settings.entries = payload;
  out->u.settings.count = hd->length / 6;
  for (size_t i = 0; i < out->u.settings.count; i++)
    if (h2e_setting_check(h2e_frame_setting(out, i), err))
      return H2E_ERR_PROTOCOL;
  return 0;
}

static int decode_push_promise(const h2e_frame_header *hd,
                               const uint8_t *payload, h2e_frame *out,
                               h2e_frame_error *err) {
  padded_payload parts;
  if (split_padding(hd, payload, &parts, err))
    return H2E_ERR_PROTOCOL;
  out->u.push_promise.promised_stream_id =
      h2e_get_u32(parts.fields) & H2E_U31_MASK;
  out->u.push_promise.block = parts.content;
  out->u.push_promise.block_len = parts.content_len;
  out->u.push_promise.pad_len = parts.pad_len;
  /* RFC 9113 §6.6, §5.1.1: stream 0 is never a valid new stream. */
  if (out->u.push_promise.promised_stream_id == 0)
    return h2e_frame_fail(err, H2E_PROTOCOL_ERROR, H2E_SCOPE_CONNECTION,
                          hd->stream_id,
                          "RFC 9113 §6.6: PUSH_PROMISE promises stream 0");
  return 0;
}

static int decode_ping(const h2e_frame_header *hd, const uint8_t *payload,
                       h2e_frame *out, h2e_frame_error *err) {
  (void)hd;
  (void)err;
  memcpy(out->u.ping.opaque_data, payload, sizeof out->u.ping.opaque_data);
  return 0;
}

static int decode_goaway(const h2e_frame_header *hd, const uint8_t *payload,
                         h2e_frame *out, h2e_frame_error *err) {
  (void)err;
  out->u.goaway.last_stream_id = h2e_get_u32(payload) & H2E_U31_MASK;
  out->u.goaway.error_code = h2e_get_u32(payload + 4);
  out->u.goaway.debug_data = payload + 8;
  out->u.goaway.debug_len = hd->length - 8;
  return 0;
}

static int decode_window_update(const h2e_frame_header *hd,
                                const uint8_t *payload, h2e_frame *out,
                                h2e_frame_error *err) {
  out->u.window_update.increment = h2e_get_u32(payload) & H2E_U31_MASK;
  if (out->u.window_update.increment != 0)
    return 0;
  /* RFC 9113 §6.9: an increment of 0 is an error of the window's scope. */
  if (hd->stream_id == 0)
    return h2e_frame_fail(err, H2E_PROTOCOL_ERROR, H2E_SCOPE_CONNECTION, 0,
                          "RFC 9113 §6.9: WINDOW_UPDATE increment of 0 on "
                          "the connection");
  return h2e_frame_fail(err, H2E_PROTOCOL_ERROR, H2E_SCOPE_STREAM,
                        hd->stream_id,
                        "RFC 9113 §6.9: WINDOW_UPDATE increment of 0");
}

static int decode_continuation(const h2e_frame_header *hd,
                               const uint8_t *payload, h2e_frame *out,
                               h2e_frame_error *err) {
  (void)err;
  out->u.continuation.block = payload;
  out->u.continuation.block_len = hd->length;
  return 0;
}

static const payload_decoder payload_decoders[] = {
    [H2E_FRAME_DATA] = decode_data,
    [H2E_FRAME_HEADERS] = decode_headers,
    [H2E_FRAME_PRIORITY] = decode_priority,
    [H2E_FRAME_RST_STREAM] = decode_rst_stream,
    [H2E_FRAME_SETTINGS] = decode_settings,
    [H2E_FRAME_PUSH_PROMISE] = decode_push_promise,
    [H2E_FRAME_PING] = decode_ping,
    [H2E_FRAME_GOAWAY] = decode_goaway,
    [H2E_FRAME_WINDOW_UPDATE] = decode_window_update,
    [H2E_FRAME_CONTINUATION] = decode_continuation,
    [H2E_FRAME_ALTSVC] = h2e_frame_decode_altsvc,
    [H2E_FRAME_ORIGIN] = h2e_frame_decode_origin,
    [H2E_FRAME_PRIORITY_UPDATE] = h2e_frame_decode_priority_update,
};

#define DECODER_COUNT (sizeof(payload_decoders) / sizeof(payload_decoders[0]))

int h2e_frame_decode_payload(const h2e_frame_header *hd, const uint8_t *payload,
                             h2e_frame *out, h2e_frame_error *err) {
  memset(&out->u, 0, sizeof out->u);
  out->payload = payload;
  out->payload_len = hd->length;
  out->ignore = H2E_FRAME_USE;
  if (hd->type >= DECODER_COUNT || payload_decoders[hd->type] == NULL) {
    /* RFC 9113 §4.1, §5.5: unknown types are skipped. */
    out->ignore = H2E_FRAME_IGNORE_UNKNOWN_TYPE;
    return 0;
  }
  return payload_decoders[hd->type](hd, payload, out, err);
}

ptrdiff_t h2e_frame_parse(const uint8_t *buf, size_t len,
                          uint32_t max_frame_size, h2e_frame *out,
                          h2e_frame_error *err) {
  h2e_frame_error unused;
  if (out == NULL || (buf == NULL && len != 0))
    return H2E_ERR_INVALID_ARG;
  if (err == NULL)
    err = &unused;
  if (len < H2E_FRAME_HEADER_LEN)
    return H2E_ERR_NEED_MORE;
  h2e_frame_header_decode(buf, &out->hd);
  int header_result = h2e_frame_check_header(&out->hd, max_frame_size, err);
  if (header_result && err->scope == H2E_SCOPE_CONNECTION)
    return header_result;
  if (len - H2E_FRAME_HEADER_LEN < out->hd.length)
    return H2E_ERR_NEED_MORE;
  if (header_result)
    return header_result;
  int payload_result =
      h2e_frame_decode_payload(&out->hd, buf + H2E_FRAME_HEADER_LEN, out, err);
  if (payload_result)
    return payload_result;
  return (ptrdiff_t)(H2E_FRAME_HEADER_LEN + out->hd.length);
}
