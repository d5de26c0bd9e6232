/* The scripted peer: the engine's output, drained, parsed, checked
 * and expected (see peer.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "peer_internal.h"

#include "hpack_fields.h"

/* ---- the engine's output ------------------------------------------------- */

static void wire_append(peer *p, const uint8_t *bytes, size_t len) {
  if (p->wire_pos == p->wire_len)
    p->wire_pos = p->wire_len = 0;
  peer_reserve(&p->wire, &p->wire_cap, p->wire_len + len);
  memcpy(p->wire + p->wire_len, bytes, len);
  p->wire_len += len;
}

static void wire_append_file(peer *p, const h2e_output_vec *vec) {
  uint8_t *bytes = peer_alloc(vec->len);
  ssize_t got = pread(vec->fd, bytes, vec->len, (off_t)vec->offset);
  assert_int_equal((size_t)got, vec->len);
  wire_append(p, bytes, vec->len);
  free(bytes);
}

void peer_drain(peer *p) {
  h2e_output_vec vecs[16];
  for (;;) {
    size_t n = h2e_conn_output(p->conn, vecs, PEER_COUNT(vecs));
    if (n == 0)
      return;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
      if (vecs[i].fd >= 0)
        wire_append_file(p, &vecs[i]);
      else
        wire_append(p, vecs[i].base, vecs[i].len);
      total += vecs[i].len;
    }
    h2e_conn_output_done(p->conn, total);
  }
}

/* Flags RFC 9113 §6 defines per type; others must be zero when sending
 * (§4.1). */
static uint8_t defined_flags(uint8_t type) {
  switch (type) {
  case H2E_FRAME_DATA:
    return H2E_FLAG_END_STREAM | H2E_FLAG_PADDED;
  case H2E_FRAME_HEADERS:
    return H2E_FLAG_END_STREAM | H2E_FLAG_END_HEADERS | H2E_FLAG_PADDED |
           H2E_FLAG_PRIORITY;
  case H2E_FRAME_SETTINGS:
  case H2E_FRAME_PING:
    return H2E_FLAG_ACK;
  case H2E_FRAME_PUSH_PROMISE:
    return H2E_FLAG_END_HEADERS | H2E_FLAG_PADDED;
  case H2E_FRAME_CONTINUATION:
    return H2E_FLAG_END_HEADERS;
  default:
    return 0;
  }
}

/* What RFC 9113 asks of every frame an endpoint sends. */
static void check_sent_frame(const uint8_t *raw, const h2e_frame *f,
                             const char *file, int line) {
  char text[512];
  peer_describe_frame(f, text, sizeof text);
  if (raw[4] & ~defined_flags(raw[3]))
    peer_fail_at(file, line,
                 "engine sent %s with unused flags set (raw 0x%02x), "
                 "RFC 9113 §4.1",
                 text, raw[4]);
  if (raw[5] & 0x80)
    peer_fail_at(file, line,
                 "engine sent %s with the reserved bit set, "
                 "RFC 9113 §4.1",
                 text);
  const uint8_t *payload = raw + H2E_FRAME_HEADER_LEN;
  if ((f->hd.type == H2E_FRAME_WINDOW_UPDATE ||
       f->hd.type == H2E_FRAME_GOAWAY) &&
      (payload[0] & 0x80))
    peer_fail_at(file, line,
                 "engine sent %s with the payload's reserved bit set, "
                 "RFC 9113 §6.8/§6.9",
                 text);
  uint8_t pad_len = f->hd.type == H2E_FRAME_DATA ? f->u.data.pad_len
                    : f->hd.type == H2E_FRAME_HEADERS
                        ? f->u.headers.pad_len
                        : f->u.push_promise.pad_len;
  if (f->hd.flags & H2E_FLAG_PADDED) {
    for (size_t i = f->hd.length - pad_len; i < f->hd.length; i++)
      if (payload[i] != 0)
        peer_fail_at(file, line,
                     "engine sent %s with non-zero padding, "
                     "RFC 9113 §6.1",
                     text);
  }
}

/* Runs the engine's header blocks through our decoder, in order, so the
 * HPACK state stays in sync whatever the test looks at; and checks that
 * each block goes out as one contiguous run of frames (RFC 9113 §4.3). */
static void track_block(peer *p, const h2e_frame *f, const char *text,
                        const char *file, int line) {
  const uint8_t *fragment;
  size_t len;
  switch (f->hd.type) {
  case H2E_FRAME_HEADERS:
  case H2E_FRAME_PUSH_PROMISE:
    if (p->block_open)
      peer_fail_at(file, line,
                   "engine sent %s inside the header block of stream "
                   "%u, RFC 9113 §4.3",
                   text, p->block_stream);
    fragment = f->hd.type == H2E_FRAME_HEADERS ? f->u.headers.block
                                               : f->u.push_promise.block;
    len = f->hd.type == H2E_FRAME_HEADERS ? f->u.headers.block_len
                                          : f->u.push_promise.block_len;
    p->block_len = 0;
    p->block_open = 1;
    p->block_stream = f->hd.stream_id;
    break;
  case H2E_FRAME_CONTINUATION:
    if (!p->block_open || p->block_stream != f->hd.stream_id)
      peer_fail_at(file, line,
                   "engine sent %s without a header block open on "
                   "that stream, RFC 9113 §6.10",
                   text);
    fragment = f->u.continuation.block;
    len = f->u.continuation.block_len;
    break;
  default:
    if (p->block_open)
      peer_fail_at(file, line,
                   "engine sent %s inside the header block of stream "
                   "%u, RFC 9113 §4.3",
                   text, p->block_stream);
    return;
  }
  peer_reserve(&p->block, &p->block_cap, p->block_len + len);
  if (len)
    memcpy(p->block + p->block_len, fragment, len);
  p->block_len += len;
  if (!(f->hd.flags & H2E_FLAG_END_HEADERS))
    return;
  p->block_open = 0;
  h2e_hpack_decode_begin(p->decoder, &p->decoded);
  ptrdiff_t n = h2e_hpack_decode(p->decoder, p->block, p->block_len, 1);
  if (n != (ptrdiff_t)p->block_len)
    peer_fail_at(file, line,
                 "the engine's header block on stream %u (%zu octets) "
                 "does not decode: %s",
                 p->block_stream, p->block_len,
                 n < 0 ? h2e_strerror((int)n) : "octets left over");
}

/* The engine's SETTINGS header table size waits for our ACK; its ACK of
 * ours lets our decoder take the size we announced (RFC 9113 §4.3.1). */
static void track_settings(peer *p, const h2e_frame *f) {
  if (f->hd.type != H2E_FRAME_SETTINGS)
    return;
  if (f->hd.flags & H2E_FLAG_ACK) {
    uint32_t size = peer_fifo_pop(p->own_table_sizes, &p->own_table_count);
    if (size != UINT32_MAX)
      h2e_hpack_decoder_set_max_table_size(p->decoder, size);
    return;
  }
  uint32_t size = UINT32_MAX;
  for (size_t i = 0; i < f->u.settings.count; i++) {
    h2e_setting s = h2e_frame_setting(f, i);
    if (s.id == H2E_SETTINGS_HEADER_TABLE_SIZE)
      size = s.value;
  }
  peer_fifo_push(p->pending_table_sizes, &p->pending_table_count,
                 PEER_COUNT(p->pending_table_sizes), size);
}

int peer_next_frame_at(peer *p, h2e_frame *frame, const char *file, int line) {
  peer_drain(p);
  if (p->wire_pos == p->wire_len)
    return 0;
  if (p->preface_pending)
    peer_fail_at(file, line,
                 "the client preface has not been checked yet "
                 "(peer_expect_preface)");
  const uint8_t *at = p->wire + p->wire_pos;
  size_t left = p->wire_len - p->wire_pos;
  h2e_frame_error err;
  memset(&err, 0, sizeof err);
  ptrdiff_t n = h2e_frame_parse(at, left, p->max_frame_size, frame, &err);
  if (n == H2E_ERR_NEED_MORE)
    peer_fail_at(file, line,
                 "the engine's output ends inside a frame (%zu octets "
                 "left)",
                 left);
  if (n < 0)
    peer_fail_at(file, line,
                 "the engine sent a frame our parser rejects: %s (%s "
                 "on stream %u, max frame size %u)",
                 err.reason, h2e_h2_error_name(err.code), err.stream_id,
                 p->max_frame_size);
  p->wire_pos += (size_t)n;
  char text[512];
  peer_describe_frame(frame, text, sizeof text);
  check_sent_frame(at, frame, file, line);
  track_block(p, frame, text, file, line);
  track_settings(p, frame);
  return 1;
}

/* The next frame, which must exist. */
void peer_need_frame(peer *p, h2e_frame *frame, const char *what,
                     const char *file, int line) {
  if (!peer_next_frame_at(p, frame, file, line))
    peer_fail_at(file, line, "expected %s, but the engine sent nothing", what);
}

void peer_fail_frame(const h2e_frame *got, const char *what, const char *file,
                     int line) {
  char text[512];
  peer_describe_frame(got, text, sizeof text);
  peer_fail_at(file, line, "expected %s, got %s", what, text);
}

void peer_expect_preface_at(peer *p, const char *file, int line) {
  peer_drain(p);
  size_t left = p->wire_len - p->wire_pos;
  if (left < PREFACE_LEN ||
      memcmp(p->wire + p->wire_pos, PREFACE, PREFACE_LEN) != 0)
    peer_fail_at(file, line,
                 "expected the 24-octet client preface first "
                 "(RFC 9113 §3.4), got %zu octets that differ",
                 left);
  p->wire_pos += PREFACE_LEN;
  p->preface_pending = 0;
}

static int payload_equal(const h2e_frame *f, const void *payload, size_t len) {
  return f->payload_len == len &&
         (len == 0 || memcmp(f->payload, payload, len) == 0);
}

void peer_expect_frame_at(peer *p, uint8_t type, uint8_t flags,
                          uint32_t stream_id, const void *payload, size_t len,
                          const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "%s flags=0x%02x stream=%u length=%zu",
           h2e_frame_type_name(type), flags, stream_id, len);
  h2e_frame f;
  peer_need_frame(p, &f, what, file, line);
  if (f.hd.type != type || f.hd.flags != flags || f.hd.stream_id != stream_id ||
      !payload_equal(&f, payload, len))
    peer_fail_frame(&f, what, file, line);
}

void peer_expect_settings_at(peer *p, const h2e_setting *settings, size_t count,
                             const char *file, int line) {
  uint8_t payload[6 * 16];
  assert_true(count <= 16);
  for (size_t i = 0; i < count; i++) {
    payload[6 * i] = (uint8_t)(settings[i].id >> 8);
    payload[6 * i + 1] = (uint8_t)settings[i].id;
    peer_put_u32(payload + 6 * i + 2, settings[i].value);
  }
  peer_expect_frame_at(p, H2E_FRAME_SETTINGS, 0, 0, payload, 6 * count, file,
                       line);
}

void peer_expect_engine_settings_at(peer *p, const char *file, int line) {
  h2e_setting settings[16];
  size_t count = peer_engine_settings(&p->config, settings, 16);
  peer_expect_settings_at(p, settings, count, file, line);
}

void peer_expect_settings_ack_at(peer *p, const char *file, int line) {
  peer_expect_frame_at(p, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0, NULL, 0, file,
                       line);
}

void peer_expect_ping_at(peer *p, uint8_t flags, const uint8_t opaque[8],
                         const char *file, int line) {
  peer_expect_frame_at(p, H2E_FRAME_PING, flags, 0, opaque, 8, file, line);
}

void peer_expect_window_update_at(peer *p, uint32_t stream_id,
                                  uint32_t increment, const char *file,
                                  int line) {
  uint8_t payload[4];
  peer_put_u32(payload, increment);
  peer_expect_frame_at(p, H2E_FRAME_WINDOW_UPDATE, 0, stream_id, payload, 4,
                       file, line);
}

void peer_expect_rst_stream_at(peer *p, uint32_t stream_id, uint32_t code,
                               const char *file, int line) {
  uint8_t payload[4];
  peer_put_u32(payload, code);
  peer_expect_frame_at(p, H2E_FRAME_RST_STREAM, 0, stream_id, payload, 4, file,
                       line);
}

void peer_expect_goaway_at(peer *p, uint32_t last_stream_id, uint32_t code,
                           const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "GOAWAY (last_stream_id=%u, %s)", last_stream_id,
           h2e_h2_error_name(code));
  h2e_frame f;
  peer_need_frame(p, &f, what, file, line);
  if (f.hd.type != H2E_FRAME_GOAWAY || f.hd.flags != 0 || f.hd.stream_id != 0 ||
      f.u.goaway.last_stream_id != last_stream_id ||
      f.u.goaway.error_code != code)
    peer_fail_frame(&f, what, file, line);
}

void peer_compare_fields(const h2e_field *got, size_t got_count,
                         const h2e_field *want, size_t want_count,
                         const char *what, const char *file, int line) {
  long at = hpack_fields_mismatch(got, got_count, want, want_count);
  if (at < 0)
    return;
  hpack_field_print(stderr, "  want", want, want_count, (size_t)at);
  hpack_field_print(stderr, "  got ", got, got_count, (size_t)at);
  peer_fail_at(file, line, "%s: field %ld differs (%zu fields, want %zu)", what,
               at, got_count, want_count);
}

void peer_expect_headers_at(peer *p, uint32_t stream_id, int end_stream,
                            const h2e_field *fields, size_t count,
                            const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "HEADERS on stream %u%s", stream_id,
           end_stream ? " with END_STREAM" : " without END_STREAM");
  h2e_frame f;
  peer_need_frame(p, &f, what, file, line);
  if (f.hd.type != H2E_FRAME_HEADERS || f.hd.stream_id != stream_id ||
      !(f.hd.flags & H2E_FLAG_END_STREAM) != !end_stream)
    peer_fail_frame(&f, what, file, line);
  while (p->block_open) {
    h2e_frame more;
    peer_need_frame(p, &more, "CONTINUATION", file, line);
  }
  peer_compare_fields(p->decoded.fields, p->decoded.count, fields, count, what,
                      file, line);
}

void peer_expect_push_promise_at(peer *p, uint32_t stream_id, uint32_t promised,
                                 const h2e_field *fields, size_t count,
                                 const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "PUSH_PROMISE on stream %u promising %u",
           stream_id, promised);
  h2e_frame f;
  peer_need_frame(p, &f, what, file, line);
  if (f.hd.type != H2E_FRAME_PUSH_PROMISE || f.hd.stream_id != stream_id ||
      f.u.push_promise.promised_stream_id != promised)
    peer_fail_frame(&f, what, file, line);
  while (p->block_open) {
    h2e_frame more;
    peer_need_frame(p, &more, "CONTINUATION", file, line);
  }
  peer_compare_fields(p->decoded.fields, p->decoded.count, fields, count, what,
                      file, line);
}

void peer_expect_status_at(peer *p, uint32_t stream_id, int end_stream,
                           const char *status, const char *file, int line) {
  h2e_field field = {(const uint8_t *)":status", (const uint8_t *)status, 7,
                     (uint32_t)strlen(status), 0};
  peer_expect_headers_at(p, stream_id, end_stream, &field, 1, file, line);
}

void peer_expect_data_at(peer *p, uint32_t stream_id, uint8_t flags,
                         const void *data, size_t len, const char *file,
                         int line) {
  peer_expect_frame_at(p, H2E_FRAME_DATA, flags, stream_id, data, len, file,
                       line);
}

size_t peer_expect_data_total_at(peer *p, uint32_t stream_id, size_t from,
                                 size_t len, int end_stream, uint32_t max_frame,
                                 const char *file, int line) {
  size_t done = 0;
  size_t frames = 0;
  uint32_t limit = max_frame ? max_frame : p->max_frame_size;
  char what[160];
  for (;;) {
    snprintf(what, sizeof what, "DATA on stream %u (%zu of %zu octets seen)",
             stream_id, done, len);
    h2e_frame f;
    peer_need_frame(p, &f, what, file, line);
    if (f.hd.type != H2E_FRAME_DATA || f.hd.stream_id != stream_id)
      peer_fail_frame(&f, what, file, line);
    size_t got = f.u.data.data_len;
    if (f.hd.length > limit || done + got > len)
      peer_fail_frame(&f, what, file, line);
    if (got && memcmp(f.u.data.data, p->body + from + done, got) != 0)
      peer_fail_at(file, line,
                   "DATA on stream %u at offset %zu carries other "
                   "octets than the body submitted",
                   stream_id, done);
    done += got;
    frames++;
    int ends = (f.hd.flags & H2E_FLAG_END_STREAM) != 0;
    if (ends && !(end_stream && done == len))
      peer_fail_at(file, line,
                   "DATA on stream %u ends the stream after %zu of "
                   "%zu octets",
                   stream_id, done, len);
    if (done == len && (ends || !end_stream))
      return frames;
  }
}

void peer_expect_window_updates_at(peer *p, uint32_t stream_id,
                                   uint32_t increment, const char *file,
                                   int line) {
  int seen_connection = 0, seen_stream = 0;
  char what[128];
  snprintf(what, sizeof what, "WINDOW_UPDATE %u on streams 0 and %u", increment,
           stream_id);
  for (int i = 0; i < 2; i++) {
    h2e_frame f;
    peer_need_frame(p, &f, what, file, line);
    if (f.hd.type != H2E_FRAME_WINDOW_UPDATE ||
        f.u.window_update.increment != increment ||
        (f.hd.stream_id == 0           ? seen_connection++
         : f.hd.stream_id == stream_id ? seen_stream++
                                       : 1))
      peer_fail_frame(&f, what, file, line);
  }
}

uint64_t peer_connection_credit_at(peer *p, uint32_t closed_stream,
                                   int rst_allowed, const char *file,
                                   int line) {
  uint64_t total = 0;
  h2e_frame f;
  while (peer_next_frame_at(p, &f, file, line)) {
    if (rst_allowed && f.hd.type == H2E_FRAME_RST_STREAM &&
        f.hd.stream_id == closed_stream)
      continue;
    if (f.hd.type != H2E_FRAME_WINDOW_UPDATE || f.hd.stream_id != 0)
      peer_fail_frame(&f, "only WINDOW_UPDATEs on the connection", file, line);
    total += f.u.window_update.increment;
  }
  return total;
}

int peer_next_frame_type(peer *p) {
  peer_drain(p);
  if (p->preface_pending || p->wire_len - p->wire_pos < H2E_FRAME_HEADER_LEN)
    return -1;
  return p->wire[p->wire_pos + 3];
}

void peer_expect_no_frame_at(peer *p, const char *file, int line) {
  h2e_frame f;
  if (peer_next_frame_at(p, &f, file, line))
    peer_fail_frame(&f, "no more frames", file, line);
}
