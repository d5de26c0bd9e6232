/* The scripted peer: what it sends to the engine (see peer.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peer_internal.h"

static void put_u24(uint8_t *at, uint32_t v) {
  at[0] = (uint8_t)(v >> 16);
  at[1] = (uint8_t)(v >> 8);
  at[2] = (uint8_t)v;
}

/* The 9-octet header exactly as given: the reserved bit is not cleared, so
 * tests can set it. */
static void put_frame_header(uint8_t *at, uint32_t length, uint8_t type,
                             uint8_t flags, uint32_t stream_id) {
  put_u24(at, length);
  at[3] = type;
  at[4] = flags;
  peer_put_u32(at + 5, stream_id);
}

/* ---- sending ------------------------------------------------------------- */

void peer_send_bytes_at(peer *p, const void *bytes, size_t len,
                        const char *file, int line) {
  const uint8_t *in = bytes;
  ptrdiff_t n = h2e_conn_recv(p->conn, in, len, p->now_ms);
  p->last_recv = n;
  if (n < 0)
    peer_fail_at(file, line, "h2e_conn_recv(%zu octets) returned %s", len,
                 h2e_strerror((int)n));
  if ((size_t)n == len)
    return;
  ptrdiff_t again = h2e_conn_recv(p->conn, in + n, len - (size_t)n, p->now_ms);
  if (again != H2E_ERR_CONN_CLOSED)
    peer_fail_at(
        file, line,
        "h2e_conn_recv consumed %td of %zu octets, and the rest gives %td "
        "(%s) instead of H2E_ERR_CONN_CLOSED",
        n, len, again, again < 0 ? h2e_strerror((int)again) : "consumed");
}

void peer_send_trickle_at(peer *p, const void *bytes, size_t len,
                          const char *file, int line) {
  const uint8_t *in = bytes;
  size_t start = 0;
  for (size_t arrived = 1; arrived <= len; arrived++) {
    ptrdiff_t n =
        h2e_conn_recv(p->conn, in + start, arrived - start, p->now_ms);
    p->last_recv = n;
    if (n < 0)
      peer_fail_at(file, line, "h2e_conn_recv(octets %zu..%zu) returned %s",
                   start, arrived, h2e_strerror((int)n));
    start += (size_t)n;
  }
  if (start != len)
    peer_fail_at(file, line,
                 "%zu of %zu octets fed one at a time were never "
                 "consumed",
                 len - start, len);
}

/* Puts a frame at scratch[at]; returns the offset after it. */
static size_t stage_frame(peer *p, size_t at, uint32_t length, uint8_t type,
                          uint8_t flags, uint32_t stream_id,
                          const void *payload, size_t len) {
  peer_reserve(&p->scratch, &p->scratch_cap, at + H2E_FRAME_HEADER_LEN + len);
  put_frame_header(p->scratch + at, length, type, flags, stream_id);
  if (len)
    memcpy(p->scratch + at + H2E_FRAME_HEADER_LEN, payload, len);
  return at + H2E_FRAME_HEADER_LEN + len;
}

/* A HEADERS from the peer on a peer-initiated stream: new streams of
 * peer_expect_alive go above it. */
static void note_stream(peer *p, uint8_t type, uint32_t stream_id) {
  uint32_t id = stream_id & 0x7fffffffu;
  int peer_parity = p->config.role == H2E_SERVER ? 1 : 0;
  if (type == H2E_FRAME_HEADERS && (int)(id & 1u) == peer_parity &&
      id >= p->next_stream_id && id < 0x7fffffffu)
    p->next_stream_id = id + 2;
}

void peer_send_frame_len_at(peer *p, uint32_t length, uint8_t type,
                            uint8_t flags, uint32_t stream_id,
                            const void *payload, size_t len, const char *file,
                            int line) {
  note_stream(p, type, stream_id);
  size_t total =
      stage_frame(p, 0, length, type, flags, stream_id, payload, len);
  peer_send_bytes_at(p, p->scratch, total, file, line);
}

void peer_send_frame_at(peer *p, uint8_t type, uint8_t flags,
                        uint32_t stream_id, const void *payload, size_t len,
                        const char *file, int line) {
  peer_send_frame_len_at(p, (uint32_t)len, type, flags, stream_id, payload, len,
                         file, line);
}

void peer_send_preface_at(peer *p, const char *file, int line) {
  peer_send_bytes_at(p, PREFACE, PREFACE_LEN, file, line);
}

/* Our settings that change how we read the engine's frames. */
static void apply_own_setting(peer *p, h2e_setting s) {
  if (s.id == H2E_SETTINGS_MAX_FRAME_SIZE &&
      s.value >= H2E_MAX_FRAME_SIZE_MIN && s.value <= H2E_MAX_FRAME_SIZE_MAX)
    p->max_frame_size = s.value;
}

void peer_send_settings_at(peer *p, const h2e_setting *settings, size_t count,
                           const char *file, int line) {
  uint8_t payload[6 * 64];
  uint32_t table_size = UINT32_MAX;
  assert_true(count <= 64);
  for (size_t i = 0; i < count; i++) {
    payload[6 * i] = (uint8_t)(settings[i].id >> 8);
    payload[6 * i + 1] = (uint8_t)settings[i].id;
    peer_put_u32(payload + 6 * i + 2, settings[i].value);
    apply_own_setting(p, settings[i]);
    if (settings[i].id == H2E_SETTINGS_HEADER_TABLE_SIZE)
      table_size = settings[i].value;
  }
  peer_fifo_push(p->own_table_sizes, &p->own_table_count,
                 PEER_COUNT(p->own_table_sizes), table_size);
  peer_send_frame_at(p, H2E_FRAME_SETTINGS, 0, 0, payload, 6 * count, file,
                     line);
}

void peer_send_setting_at(peer *p, uint16_t id, uint32_t value,
                          const char *file, int line) {
  h2e_setting s = {id, value};
  peer_send_settings_at(p, &s, 1, file, line);
}

void peer_send_settings_ack_at(peer *p, const char *file, int line) {
  /* The engine's oldest unacknowledged SETTINGS now applies: its header
   * table size bounds our encoder (RFC 9113 §4.3.1). */
  uint32_t size =
      peer_fifo_pop(p->pending_table_sizes, &p->pending_table_count);
  if (size != UINT32_MAX)
    h2e_hpack_encoder_set_peer_table_size(p->encoder, size);
  peer_send_frame_at(p, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0, NULL, 0, file,
                     line);
}

size_t peer_encode_at(peer *p, const h2e_field *fields, size_t count,
                      uint8_t *out, size_t cap, const char *file, int line) {
  ptrdiff_t n = h2e_hpack_encode(p->encoder, fields, count, out, cap);
  if (n < 0)
    peer_fail_at(file, line, "the peer's HPACK encoder failed: %s",
                 h2e_strerror((int)n));
  return (size_t)n;
}

/* A header block as HEADERS or PUSH_PROMISE (with `prefix` before the
 * fragment) and CONTINUATIONs, each at most the engine's max frame size. */
static void send_block(peer *p, uint8_t type, uint8_t flags, uint32_t stream_id,
                       const uint8_t *prefix, size_t prefix_len,
                       const h2e_field *fields, size_t count, const char *file,
                       int line) {
  size_t bound = h2e_hpack_encode_bound(p->encoder, fields, count);
  uint8_t *block = peer_alloc(bound);
  size_t block_len = peer_encode_at(p, fields, count, block, bound, file, line);
  size_t max = p->config.max_frame_size;
  size_t first = block_len < max - prefix_len ? block_len : max - prefix_len;

  uint8_t *payload = peer_alloc(prefix_len + first);
  if (prefix_len)
    memcpy(payload, prefix, prefix_len);
  memcpy(payload + prefix_len, block, first);
  uint8_t end = first == block_len ? H2E_FLAG_END_HEADERS : 0;
  note_stream(p, type, stream_id);
  size_t at = stage_frame(p, 0, (uint32_t)(prefix_len + first), type,
                          (uint8_t)(flags | end), stream_id, payload,
                          prefix_len + first);
  free(payload);
  for (size_t done = first; done < block_len;) {
    size_t piece = block_len - done < max ? block_len - done : max;
    end = done + piece == block_len ? H2E_FLAG_END_HEADERS : 0;
    at = stage_frame(p, at, (uint32_t)piece, H2E_FRAME_CONTINUATION, end,
                     stream_id, block + done, piece);
    done += piece;
  }
  free(block);
  peer_send_bytes_at(p, p->scratch, at, file, line);
}

void peer_send_headers_at(peer *p, uint32_t stream_id, uint8_t flags,
                          const h2e_field *fields, size_t count,
                          const char *file, int line) {
  send_block(p, H2E_FRAME_HEADERS, flags, stream_id, NULL, 0, fields, count,
             file, line);
}

void peer_send_request_at(peer *p, uint32_t stream_id, uint8_t flags,
                          const char *file, int line) {
  peer_send_headers_at(p, stream_id, flags, peer_request_fields,
                       PEER_REQUEST_FIELD_COUNT, file, line);
}

void peer_send_response_at(peer *p, uint32_t stream_id, const char *status,
                           uint8_t flags, const char *file, int line) {
  h2e_field field = {(const uint8_t *)":status", (const uint8_t *)status, 7,
                     (uint32_t)strlen(status), 0};
  peer_send_headers_at(p, stream_id, flags, &field, 1, file, line);
}

void peer_send_push_promise_at(peer *p, uint32_t stream_id, uint32_t promised,
                               const h2e_field *fields, size_t count,
                               const char *file, int line) {
  uint8_t prefix[4];
  peer_put_u32(prefix, promised);
  if (p->config.role == H2E_CLIENT && promised >= p->next_stream_id)
    p->next_stream_id = promised + 2;
  send_block(p, H2E_FRAME_PUSH_PROMISE, 0, stream_id, prefix, sizeof prefix,
             fields, count, file, line);
}

void peer_send_data_at(peer *p, uint32_t stream_id, uint8_t flags,
                       const void *data, size_t len, const char *file,
                       int line) {
  peer_send_frame_at(p, H2E_FRAME_DATA, flags, stream_id, data, len, file,
                     line);
}

void peer_send_data_frames_at(peer *p, uint32_t stream_id, uint8_t flags,
                              size_t len, size_t frame_size, const char *file,
                              int line) {
  assert_true(len <= PEER_BODY_SIZE && frame_size > 0);
  size_t at = 0;
  size_t done = 0;
  do {
    size_t piece = len - done < frame_size ? len - done : frame_size;
    uint8_t last = done + piece == len ? flags : 0;
    at = stage_frame(p, at, (uint32_t)piece, H2E_FRAME_DATA, last, stream_id,
                     p->body + done, piece);
    done += piece;
  } while (done < len);
  /* One recv for all frames: the event slices stay valid together. */
  peer_send_bytes_at(p, p->scratch, at, file, line);
}

void peer_send_padded_data_at(peer *p, uint32_t stream_id, uint8_t flags,
                              size_t data_len, uint8_t pad_len,
                              const char *file, int line) {
  size_t len = 1 + data_len + pad_len;
  uint8_t *payload = peer_alloc(len);
  payload[0] = pad_len;
  memcpy(payload + 1, p->body, data_len);
  memset(payload + 1 + data_len, 0, pad_len);
  size_t at =
      stage_frame(p, 0, (uint32_t)len, H2E_FRAME_DATA,
                  (uint8_t)(flags | H2E_FLAG_PADDED), stream_id, payload, len);
  free(payload);
  peer_send_bytes_at(p, p->scratch, at, file, line);
}

void peer_send_ping_at(peer *p, uint8_t flags, const uint8_t opaque[8],
                       const char *file, int line) {
  peer_send_frame_at(p, H2E_FRAME_PING, flags, 0, opaque, 8, file, line);
}

void peer_send_window_update_at(peer *p, uint32_t stream_id, uint32_t increment,
                                const char *file, int line) {
  uint8_t payload[4];
  peer_put_u32(payload, increment);
  peer_send_frame_at(p, H2E_FRAME_WINDOW_UPDATE, 0, stream_id, payload, 4, file,
                     line);
}

void peer_send_rst_stream_at(peer *p, uint32_t stream_id, uint32_t code,
                             const char *file, int line) {
  uint8_t payload[4];
  peer_put_u32(payload, code);
  peer_send_frame_at(p, H2E_FRAME_RST_STREAM, 0, stream_id, payload, 4, file,
                     line);
}

void peer_send_goaway_at(peer *p, uint32_t last_stream_id, uint32_t code,
                         const char *file, int line) {
  uint8_t payload[8];
  peer_put_u32(payload, last_stream_id);
  peer_put_u32(payload + 4, code);
  peer_send_frame_at(p, H2E_FRAME_GOAWAY, 0, 0, payload, 8, file, line);
}

void peer_send_priority_at(peer *p, uint32_t stream_id, uint32_t dependency,
                           uint8_t weight, const char *file, int line) {
  uint8_t payload[5];
  peer_put_u32(payload, dependency);
  payload[4] = weight;
  peer_send_frame_at(p, H2E_FRAME_PRIORITY, 0, stream_id, payload, 5, file,
                     line);
}
