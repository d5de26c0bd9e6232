/* The scripted peer: see peer.h. */
#include "peer.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hpack_fields.h"

#define PREFACE            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define PREFACE_LEN        24
#define DEFAULT_WINDOW     65535u
#define DECODED_BUF_CAP    (1u << 20)
#define DECODED_FIELDS_CAP 1024u

const h2e_field peer_request_fields[4] = {
    PEER_FIELD(":method", "GET"), PEER_FIELD(":scheme", "https"),
    PEER_FIELD(":path", "/"), PEER_FIELD(":authority", "example.com")};

const uint8_t peer_request_block[16] = {0x82, 0x87, 0x84, 0x01, 0x0b, 'e',
                                        'x',  'a',  'm',  'p',  'l',  'e',
                                        '.',  'c',  'o',  'm'};

/* ---- failing with a message ------------------------------------------------
 */

static void fail_at(const char *file, int line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(const char *file, int line, const char *format, ...) {
  char message[2048];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  print_error("%s\n", message);
  _fail(file, line);
}

static const char *const event_names[] = {
    "NONE",       "SETTINGS",     "SETTINGS_ACK",  "HEADERS",
    "DATA",       "STREAM_RESET", "STREAM_CLOSED", "PUSH_PROMISE",
    "GOAWAY",     "PING_ACK",     "DATA_SENT",     "WINDOW_OPEN",
    "CONN_ERROR", "ALTSVC",       "ORIGIN",        "PRIORITY_UPDATE"};

const char *peer_event_name(h2e_event_type type) {
  if ((size_t)type < PEER_COUNT(event_names))
    return event_names[type];
  return "UNKNOWN_EVENT";
}

static const char *const kind_names[] = {"REQUEST", "RESPONSE", "INFORMATIONAL",
                                         "TRAILERS"};

static const char *kind_name(h2e_headers_kind kind) {
  return (size_t)kind < PEER_COUNT(kind_names) ? kind_names[kind] : "?";
}

static void describe_event(const h2e_event *ev, char *out, size_t cap) {
  int n = snprintf(out, cap, "%s on stream %u", peer_event_name(ev->type),
                   ev->stream_id);
  size_t used = n > 0 ? (size_t)n : 0;
  if (used >= cap)
    return;
  char *rest = out + used;
  size_t room = cap - used;
  switch (ev->type) {
  case H2E_EV_HEADERS:
    snprintf(rest, room, " (%s, end_stream=%u, %zu fields)",
             kind_name(ev->u.headers.kind), ev->u.headers.end_stream,
             ev->u.headers.count);
    break;
  case H2E_EV_DATA:
    snprintf(rest, room, " (%zu octets, end_stream=%u)", ev->u.data.len,
             ev->u.data.end_stream);
    break;
  case H2E_EV_STREAM_RESET:
    snprintf(rest, room, " (%s, by_peer=%u, retryable=%u)",
             h2e_h2_error_name(ev->u.reset.error_code), ev->u.reset.by_peer,
             ev->u.reset.retryable);
    break;
  case H2E_EV_GOAWAY:
    snprintf(rest, room, " (last_stream_id=%u, %s)",
             ev->u.goaway.last_stream_id,
             h2e_h2_error_name(ev->u.goaway.error_code));
    break;
  case H2E_EV_CONN_ERROR:
    snprintf(rest, room, " (%s, by_peer=%u: %s)",
             h2e_h2_error_name(ev->u.conn_error.error_code),
             ev->u.conn_error.by_peer,
             ev->u.conn_error.reason ? ev->u.conn_error.reason : "");
    break;
  case H2E_EV_PUSH_PROMISE:
    snprintf(rest, room, " (promised %u, %zu fields)",
             ev->u.push_promise.promised_stream_id, ev->u.push_promise.count);
    break;
  case H2E_EV_DATA_SENT:
    snprintf(rest, room, " (cookie %llu)",
             (unsigned long long)ev->u.data_sent.cookie);
    break;
  default:
    break;
  }
}

static void describe_frame(const h2e_frame *frame, char *out, size_t cap) {
  int n = snprintf(out, cap, "%s flags=0x%02x stream=%u length=%u",
                   h2e_frame_type_name(frame->hd.type), frame->hd.flags,
                   frame->hd.stream_id, frame->hd.length);
  size_t used = n > 0 ? (size_t)n : 0;
  if (used >= cap)
    return;
  char *rest = out + used;
  size_t room = cap - used;
  switch (frame->hd.type) {
  case H2E_FRAME_RST_STREAM:
    snprintf(rest, room, " (%s)",
             h2e_h2_error_name(frame->u.rst_stream.error_code));
    break;
  case H2E_FRAME_GOAWAY:
    snprintf(rest, room, " (last_stream_id=%u, %s, \"%.*s\")",
             frame->u.goaway.last_stream_id,
             h2e_h2_error_name(frame->u.goaway.error_code),
             (int)frame->u.goaway.debug_len,
             (const char *)frame->u.goaway.debug_data);
    break;
  case H2E_FRAME_WINDOW_UPDATE:
    snprintf(rest, room, " (increment %u)", frame->u.window_update.increment);
    break;
  case H2E_FRAME_SETTINGS:
    for (size_t i = 0; i < frame->u.settings.count && room > 1; i++) {
      h2e_setting s = h2e_frame_setting(frame, i);
      n = snprintf(rest, room, " %s=%u", h2e_settings_name(s.id), s.value);
      if (n < 0 || (size_t)n >= room)
        break;
      rest += n;
      room -= (size_t)n;
    }
    break;
  default:
    break;
  }
}

/* ---- memory ----------------------------------------------------------------
 */

static void *checked_alloc(size_t size) {
  void *mem = malloc(size ? size : 1);
  assert_non_null(mem);
  return mem;
}

static void reserve(uint8_t **buf, size_t *cap, size_t need) {
  if (*cap >= need)
    return;
  size_t grown = *cap ? *cap : 4096;
  while (grown < need)
    grown *= 2;
  uint8_t *bigger = realloc(*buf, grown);
  assert_non_null(bigger);
  *buf = bigger;
  *cap = grown;
}

static void put_u24(uint8_t *at, uint32_t v) {
  at[0] = (uint8_t)(v >> 16);
  at[1] = (uint8_t)(v >> 8);
  at[2] = (uint8_t)v;
}

static void put_u32(uint8_t *at, uint32_t v) {
  at[0] = (uint8_t)(v >> 24);
  at[1] = (uint8_t)(v >> 16);
  at[2] = (uint8_t)(v >> 8);
  at[3] = (uint8_t)v;
}

/* The 9-octet header exactly as given: the reserved bit is not cleared, so
 * tests can set it. */
static void put_frame_header(uint8_t *at, uint32_t length, uint8_t type,
                             uint8_t flags, uint32_t stream_id) {
  put_u24(at, length);
  at[3] = type;
  at[4] = flags;
  put_u32(at + 5, stream_id);
}

/* A FIFO of HEADER_TABLE_SIZE values of unacknowledged SETTINGS. */
static void fifo_push(uint32_t *fifo, size_t *count, size_t cap,
                      uint32_t value) {
  assert_true(*count < cap);
  fifo[(*count)++] = value;
}

static uint32_t fifo_pop(uint32_t *fifo, size_t *count) {
  if (*count == 0)
    return UINT32_MAX;
  uint32_t value = fifo[0];
  memmove(fifo, fifo + 1, (*count - 1) * sizeof *fifo);
  (*count)--;
  return value;
}

/* ---- life cycle -------------------------------------------------------------
 */

h2e_config peer_config(h2e_role role) {
  h2e_config config;
  h2e_config_init(&config, role);
  return config;
}

size_t peer_engine_settings(const h2e_config *config, h2e_setting *out,
                            size_t cap) {
  h2e_setting all[9];
  size_t n = 0;
  if (config->header_table_size != 4096)
    all[n++] = (h2e_setting){H2E_SETTINGS_HEADER_TABLE_SIZE,
                             config->header_table_size};
  if (config->role == H2E_CLIENT && config->enable_push != 1)
    all[n++] = (h2e_setting){H2E_SETTINGS_ENABLE_PUSH, config->enable_push};
  all[n++] = (h2e_setting){H2E_SETTINGS_MAX_CONCURRENT_STREAMS,
                           config->max_concurrent_streams};
  if (config->initial_window_size != DEFAULT_WINDOW)
    all[n++] = (h2e_setting){H2E_SETTINGS_INITIAL_WINDOW_SIZE,
                             config->initial_window_size};
  if (config->max_frame_size != H2E_MAX_FRAME_SIZE_MIN)
    all[n++] =
        (h2e_setting){H2E_SETTINGS_MAX_FRAME_SIZE, config->max_frame_size};
  all[n++] = (h2e_setting){H2E_SETTINGS_MAX_HEADER_LIST_SIZE,
                           config->max_header_list_size};
  if (config->enable_connect_protocol != 0)
    all[n++] = (h2e_setting){H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL,
                             config->enable_connect_protocol};
  if (config->no_rfc7540_priorities != 0)
    all[n++] = (h2e_setting){H2E_SETTINGS_NO_RFC7540_PRIORITIES,
                             config->no_rfc7540_priorities};
  assert_true(n <= cap);
  memcpy(out, all, n * sizeof *out);
  return n;
}

peer *peer_new(void **state, h2e_role role, const h2e_config *config) {
  peer *p = checked_alloc(sizeof *p);
  memset(p, 0, sizeof *p);
  *state = p;
  p->config = config ? *config : peer_config(role);
  p->config.role = role;
  p->now_ms = 1000;
  p->max_frame_size = H2E_MAX_FRAME_SIZE_MIN;
  p->preface_pending = role == H2E_CLIENT;
  /* Server engine: the peer opens client streams. Client engine: the
   * peer's pushes use even ids. */
  p->next_stream_id = role == H2E_SERVER ? 1 : 2;

  h2e_hpack_encoder_config encoder_config;
  h2e_hpack_encoder_config_init(&encoder_config);
  p->encoder = h2e_hpack_encoder_new(&encoder_config, NULL);
  assert_non_null(p->encoder);
  h2e_hpack_decoder_config decoder_config;
  h2e_hpack_decoder_config_init(&decoder_config);
  decoder_config.max_header_list_size = DECODED_BUF_CAP;
  p->decoder = h2e_hpack_decoder_new(&decoder_config, NULL);
  assert_non_null(p->decoder);
  assert_int_equal(
      hpack_output_alloc(&p->decoded, DECODED_BUF_CAP, DECODED_FIELDS_CAP), 0);

  p->body = checked_alloc(PEER_BODY_SIZE);
  for (size_t i = 0; i < PEER_BODY_SIZE; i++)
    p->body[i] = (uint8_t)(i % 251);

  p->conn = h2e_conn_new(&p->config, NULL, p->now_ms);
  assert_non_null(p->conn);
  return p;
}

int peer_teardown(void **state) {
  peer *p = *state;
  if (p == NULL)
    return 0;
  h2e_conn_free(p->conn);
  h2e_hpack_encoder_free(p->encoder);
  h2e_hpack_decoder_free(p->decoder);
  hpack_output_release(&p->decoded);
  free(p->wire);
  free(p->block);
  free(p->scratch);
  free(p->body);
  free(p);
  *state = NULL;
  return 0;
}

peer *peer_start(void **state, h2e_role role, const h2e_config *config) {
  peer *p = peer_new(state, role, config);
  peer_handshake_at(p, NULL, 0, __FILE__, __LINE__);
  return p;
}

void peer_handshake_at(peer *p, const h2e_setting *settings, size_t count,
                       const char *file, int line) {
  if (p->config.role == H2E_CLIENT)
    peer_expect_preface_at(p, file, line);
  peer_expect_engine_settings_at(p, file, line);
  if (p->config.connection_window > DEFAULT_WINDOW)
    peer_expect_window_update_at(
        p, 0, p->config.connection_window - DEFAULT_WINDOW, file, line);
  peer_expect_no_frame_at(p, file, line);

  if (p->config.role == H2E_SERVER)
    peer_send_preface_at(p, file, line);
  peer_send_settings_at(p, settings, count, file, line);
  peer_expect_settings_ack_at(p, file, line);
  peer_send_settings_ack_at(p, file, line);
  peer_expect_no_frame_at(p, file, line);

  peer_expect_event_at(p, H2E_EV_SETTINGS, 0, file, line);
  peer_expect_event_at(p, H2E_EV_SETTINGS_ACK, 0, file, line);
  peer_expect_no_event_at(p, file, line);
}

void peer_tick(peer *p, uint64_t ms) {
  p->now_ms += ms;
  h2e_conn_tick(p->conn, p->now_ms);
}

/* ---- sending
 * ------------------------------------------------------------------ */

void peer_send_bytes_at(peer *p, const void *bytes, size_t len,
                        const char *file, int line) {
  const uint8_t *in = bytes;
  ptrdiff_t n = h2e_conn_recv(p->conn, in, len, p->now_ms);
  p->last_recv = n;
  if (n < 0)
    fail_at(file, line, "h2e_conn_recv(%zu octets) returned %s", len,
            h2e_strerror((int)n));
  if ((size_t)n == len)
    return;
  ptrdiff_t again = h2e_conn_recv(p->conn, in + n, len - (size_t)n, p->now_ms);
  if (again != H2E_ERR_CONN_CLOSED)
    fail_at(file, line,
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
      fail_at(file, line, "h2e_conn_recv(octets %zu..%zu) returned %s", start,
              arrived, h2e_strerror((int)n));
    start += (size_t)n;
  }
  if (start != len)
    fail_at(file, line,
            "%zu of %zu octets fed one at a time were never "
            "consumed",
            len - start, len);
}

/* Puts a frame at scratch[at]; returns the offset after it. */
static size_t stage_frame(peer *p, size_t at, uint32_t length, uint8_t type,
                          uint8_t flags, uint32_t stream_id,
                          const void *payload, size_t len) {
  reserve(&p->scratch, &p->scratch_cap, at + H2E_FRAME_HEADER_LEN + len);
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
    put_u32(payload + 6 * i + 2, settings[i].value);
    apply_own_setting(p, settings[i]);
    if (settings[i].id == H2E_SETTINGS_HEADER_TABLE_SIZE)
      table_size = settings[i].value;
  }
  fifo_push(p->own_table_sizes, &p->own_table_count,
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
  uint32_t size = fifo_pop(p->pending_table_sizes, &p->pending_table_count);
  if (size != UINT32_MAX)
    h2e_hpack_encoder_set_peer_table_size(p->encoder, size);
  peer_send_frame_at(p, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0, NULL, 0, file,
                     line);
}

size_t peer_encode_at(peer *p, const h2e_field *fields, size_t count,
                      uint8_t *out, size_t cap, const char *file, int line) {
  ptrdiff_t n = h2e_hpack_encode(p->encoder, fields, count, out, cap);
  if (n < 0)
    fail_at(file, line, "the peer's HPACK encoder failed: %s",
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
  uint8_t *block = checked_alloc(bound);
  size_t block_len = peer_encode_at(p, fields, count, block, bound, file, line);
  size_t max = p->config.max_frame_size;
  size_t first = block_len < max - prefix_len ? block_len : max - prefix_len;

  uint8_t *payload = checked_alloc(prefix_len + first);
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
  put_u32(prefix, promised);
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
  uint8_t *payload = checked_alloc(len);
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
  put_u32(payload, increment);
  peer_send_frame_at(p, H2E_FRAME_WINDOW_UPDATE, 0, stream_id, payload, 4, file,
                     line);
}

void peer_send_rst_stream_at(peer *p, uint32_t stream_id, uint32_t code,
                             const char *file, int line) {
  uint8_t payload[4];
  put_u32(payload, code);
  peer_send_frame_at(p, H2E_FRAME_RST_STREAM, 0, stream_id, payload, 4, file,
                     line);
}

void peer_send_goaway_at(peer *p, uint32_t last_stream_id, uint32_t code,
                         const char *file, int line) {
  uint8_t payload[8];
  put_u32(payload, last_stream_id);
  put_u32(payload + 4, code);
  peer_send_frame_at(p, H2E_FRAME_GOAWAY, 0, 0, payload, 8, file, line);
}

void peer_send_priority_at(peer *p, uint32_t stream_id, uint32_t dependency,
                           uint8_t weight, const char *file, int line) {
  uint8_t payload[5];
  put_u32(payload, dependency);
  payload[4] = weight;
  peer_send_frame_at(p, H2E_FRAME_PRIORITY, 0, stream_id, payload, 5, file,
                     line);
}

/* ---- the engine's output
 * ------------------------------------------------------- */

static void wire_append(peer *p, const uint8_t *bytes, size_t len) {
  if (p->wire_pos == p->wire_len)
    p->wire_pos = p->wire_len = 0;
  reserve(&p->wire, &p->wire_cap, p->wire_len + len);
  memcpy(p->wire + p->wire_len, bytes, len);
  p->wire_len += len;
}

static void wire_append_file(peer *p, const h2e_output_vec *vec) {
  uint8_t *bytes = checked_alloc(vec->len);
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
  describe_frame(f, text, sizeof text);
  if (raw[4] & ~defined_flags(raw[3]))
    fail_at(file, line,
            "engine sent %s with unused flags set (raw 0x%02x), "
            "RFC 9113 §4.1",
            text, raw[4]);
  if (raw[5] & 0x80)
    fail_at(file, line,
            "engine sent %s with the reserved bit set, "
            "RFC 9113 §4.1",
            text);
  const uint8_t *payload = raw + H2E_FRAME_HEADER_LEN;
  if ((f->hd.type == H2E_FRAME_WINDOW_UPDATE ||
       f->hd.type == H2E_FRAME_GOAWAY) &&
      (payload[0] & 0x80))
    fail_at(file, line,
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
        fail_at(file, line,
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
      fail_at(file, line,
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
      fail_at(file, line,
              "engine sent %s without a header block open on "
              "that stream, RFC 9113 §6.10",
              text);
    fragment = f->u.continuation.block;
    len = f->u.continuation.block_len;
    break;
  default:
    if (p->block_open)
      fail_at(file, line,
              "engine sent %s inside the header block of stream "
              "%u, RFC 9113 §4.3",
              text, p->block_stream);
    return;
  }
  reserve(&p->block, &p->block_cap, p->block_len + len);
  if (len)
    memcpy(p->block + p->block_len, fragment, len);
  p->block_len += len;
  if (!(f->hd.flags & H2E_FLAG_END_HEADERS))
    return;
  p->block_open = 0;
  h2e_hpack_decode_begin(p->decoder, &p->decoded);
  ptrdiff_t n = h2e_hpack_decode(p->decoder, p->block, p->block_len, 1);
  if (n != (ptrdiff_t)p->block_len)
    fail_at(file, line,
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
    uint32_t size = fifo_pop(p->own_table_sizes, &p->own_table_count);
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
  fifo_push(p->pending_table_sizes, &p->pending_table_count,
            PEER_COUNT(p->pending_table_sizes), size);
}

int peer_next_frame_at(peer *p, h2e_frame *frame, const char *file, int line) {
  peer_drain(p);
  if (p->wire_pos == p->wire_len)
    return 0;
  if (p->preface_pending)
    fail_at(file, line,
            "the client preface has not been checked yet "
            "(peer_expect_preface)");
  const uint8_t *at = p->wire + p->wire_pos;
  size_t left = p->wire_len - p->wire_pos;
  h2e_frame_error err;
  memset(&err, 0, sizeof err);
  ptrdiff_t n = h2e_frame_parse(at, left, p->max_frame_size, frame, &err);
  if (n == H2E_ERR_NEED_MORE)
    fail_at(file, line,
            "the engine's output ends inside a frame (%zu octets "
            "left)",
            left);
  if (n < 0)
    fail_at(file, line,
            "the engine sent a frame our parser rejects: %s (%s "
            "on stream %u, max frame size %u)",
            err.reason, h2e_h2_error_name(err.code), err.stream_id,
            p->max_frame_size);
  p->wire_pos += (size_t)n;
  char text[512];
  describe_frame(frame, text, sizeof text);
  check_sent_frame(at, frame, file, line);
  track_block(p, frame, text, file, line);
  track_settings(p, frame);
  return 1;
}

/* The next frame, which must exist. */
static void need_frame(peer *p, h2e_frame *frame, const char *what,
                       const char *file, int line) {
  if (!peer_next_frame_at(p, frame, file, line))
    fail_at(file, line, "expected %s, but the engine sent nothing", what);
}

static void fail_frame(const h2e_frame *got, const char *what, const char *file,
                       int line) {
  char text[512];
  describe_frame(got, text, sizeof text);
  fail_at(file, line, "expected %s, got %s", what, text);
}

void peer_expect_preface_at(peer *p, const char *file, int line) {
  peer_drain(p);
  size_t left = p->wire_len - p->wire_pos;
  if (left < PREFACE_LEN ||
      memcmp(p->wire + p->wire_pos, PREFACE, PREFACE_LEN) != 0)
    fail_at(file, line,
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
  need_frame(p, &f, what, file, line);
  if (f.hd.type != type || f.hd.flags != flags || f.hd.stream_id != stream_id ||
      !payload_equal(&f, payload, len))
    fail_frame(&f, what, file, line);
}

void peer_expect_settings_at(peer *p, const h2e_setting *settings, size_t count,
                             const char *file, int line) {
  uint8_t payload[6 * 16];
  assert_true(count <= 16);
  for (size_t i = 0; i < count; i++) {
    payload[6 * i] = (uint8_t)(settings[i].id >> 8);
    payload[6 * i + 1] = (uint8_t)settings[i].id;
    put_u32(payload + 6 * i + 2, settings[i].value);
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
  put_u32(payload, increment);
  peer_expect_frame_at(p, H2E_FRAME_WINDOW_UPDATE, 0, stream_id, payload, 4,
                       file, line);
}

void peer_expect_rst_stream_at(peer *p, uint32_t stream_id, uint32_t code,
                               const char *file, int line) {
  uint8_t payload[4];
  put_u32(payload, code);
  peer_expect_frame_at(p, H2E_FRAME_RST_STREAM, 0, stream_id, payload, 4, file,
                       line);
}

void peer_expect_goaway_at(peer *p, uint32_t last_stream_id, uint32_t code,
                           const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "GOAWAY (last_stream_id=%u, %s)", last_stream_id,
           h2e_h2_error_name(code));
  h2e_frame f;
  need_frame(p, &f, what, file, line);
  if (f.hd.type != H2E_FRAME_GOAWAY || f.hd.flags != 0 || f.hd.stream_id != 0 ||
      f.u.goaway.last_stream_id != last_stream_id ||
      f.u.goaway.error_code != code)
    fail_frame(&f, what, file, line);
}

static void compare_fields(const h2e_field *got, size_t got_count,
                           const h2e_field *want, size_t want_count,
                           const char *what, const char *file, int line) {
  long at = hpack_fields_mismatch(got, got_count, want, want_count);
  if (at < 0)
    return;
  hpack_field_print(stderr, "  want", want, want_count, (size_t)at);
  hpack_field_print(stderr, "  got ", got, got_count, (size_t)at);
  fail_at(file, line, "%s: field %ld differs (%zu fields, want %zu)", what, at,
          got_count, want_count);
}

void peer_expect_headers_at(peer *p, uint32_t stream_id, int end_stream,
                            const h2e_field *fields, size_t count,
                            const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "HEADERS on stream %u%s", stream_id,
           end_stream ? " with END_STREAM" : " without END_STREAM");
  h2e_frame f;
  need_frame(p, &f, what, file, line);
  if (f.hd.type != H2E_FRAME_HEADERS || f.hd.stream_id != stream_id ||
      !(f.hd.flags & H2E_FLAG_END_STREAM) != !end_stream)
    fail_frame(&f, what, file, line);
  while (p->block_open) {
    h2e_frame more;
    need_frame(p, &more, "CONTINUATION", file, line);
  }
  compare_fields(p->decoded.fields, p->decoded.count, fields, count, what, file,
                 line);
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
    need_frame(p, &f, what, file, line);
    if (f.hd.type != H2E_FRAME_DATA || f.hd.stream_id != stream_id)
      fail_frame(&f, what, file, line);
    size_t got = f.u.data.data_len;
    if (f.hd.length > limit || done + got > len)
      fail_frame(&f, what, file, line);
    if (got && memcmp(f.u.data.data, p->body + from + done, got) != 0)
      fail_at(file, line,
              "DATA on stream %u at offset %zu carries other "
              "octets than the body submitted",
              stream_id, done);
    done += got;
    frames++;
    int ends = (f.hd.flags & H2E_FLAG_END_STREAM) != 0;
    if (ends && !(end_stream && done == len))
      fail_at(file, line,
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
    need_frame(p, &f, what, file, line);
    if (f.hd.type != H2E_FRAME_WINDOW_UPDATE ||
        f.u.window_update.increment != increment ||
        (f.hd.stream_id == 0           ? seen_connection++
         : f.hd.stream_id == stream_id ? seen_stream++
                                       : 1))
      fail_frame(&f, what, file, line);
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
      fail_frame(&f, "only WINDOW_UPDATEs on the connection", file, line);
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
    fail_frame(&f, "no more frames", file, line);
}

/* ---- events
 * ------------------------------------------------------------------- */

int peer_next_event(peer *p, h2e_event *ev) {
  if (p->has_held_event) {
    *ev = p->held_event;
    p->has_held_event = 0;
    return 1;
  }
  memset(ev, 0, sizeof *ev);
  return h2e_conn_next_event(p->conn, ev);
}

size_t peer_skip_events(peer *p, h2e_event_type type) {
  size_t skipped = 0;
  h2e_event ev;
  while (peer_next_event(p, &ev)) {
    if (ev.type != type) {
      p->held_event = ev;
      p->has_held_event = 1;
      break;
    }
    skipped++;
  }
  return skipped;
}

/* h2e.h does not say which stream a DATA_SENT names (its cookie is what
 * identifies the buffer), so those match on type alone. */
static int stream_matches(const h2e_event *ev, uint32_t stream_id) {
  return ev->type == H2E_EV_DATA_SENT || ev->stream_id == stream_id;
}

static void fail_event(const h2e_event *got, const char *what, const char *file,
                       int line) {
  char text[512];
  describe_event(got, text, sizeof text);
  fail_at(file, line, "expected event %s, got %s", what, text);
}

h2e_event peer_expect_event_at(peer *p, h2e_event_type type, uint32_t stream_id,
                               const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "%s on stream %u", peer_event_name(type),
           stream_id);
  h2e_event ev;
  if (!peer_next_event(p, &ev))
    fail_at(file, line, "expected event %s, but no event is waiting", what);
  if (ev.type != type || !stream_matches(&ev, stream_id))
    fail_event(&ev, what, file, line);
  return ev;
}

void peer_expect_no_event_at(peer *p, const char *file, int line) {
  h2e_event ev;
  if (peer_next_event(p, &ev))
    fail_event(&ev, "none", file, line);
}

void peer_expect_event_set_at(peer *p, const peer_event_want *wants,
                              size_t count, const char *file, int line) {
  uint8_t seen[32] = {0};
  assert_true(count <= 32);
  for (size_t n = 0; n < count; n++) {
    h2e_event ev;
    if (!peer_next_event(p, &ev))
      fail_at(file, line,
              "expected %zu more events of a set, but no event "
              "is waiting",
              count - n);
    size_t i = 0;
    while (i < count && (seen[i] || wants[i].type != ev.type ||
                         !stream_matches(&ev, wants[i].stream_id)))
      i++;
    if (i == count)
      fail_event(&ev, "one of the expected set", file, line);
    seen[i] = 1;
  }
}

void peer_expect_two_events_at(peer *p, h2e_event_type type1, uint32_t stream1,
                               h2e_event_type type2, uint32_t stream2,
                               const char *file, int line) {
  peer_event_want wants[2] = {{type1, stream1}, {type2, stream2}};
  peer_expect_event_set_at(p, wants, 2, file, line);
}

h2e_event peer_expect_headers_event_at(peer *p, uint32_t stream_id,
                                       h2e_headers_kind kind, int end_stream,
                                       const h2e_field *fields, size_t count,
                                       const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "HEADERS on stream %u (%s, end_stream=%d)",
           stream_id, kind_name(kind), end_stream);
  h2e_event ev = peer_expect_event_at(p, H2E_EV_HEADERS, stream_id, file, line);
  if (ev.u.headers.kind != kind || !ev.u.headers.end_stream != !end_stream)
    fail_event(&ev, what, file, line);
  compare_fields(ev.u.headers.fields, ev.u.headers.count, fields, count, what,
                 file, line);
  return ev;
}

h2e_event peer_expect_request_at(peer *p, uint32_t stream_id, int end_stream,
                                 const char *file, int line) {
  return peer_expect_headers_event_at(p, stream_id, H2E_HEADERS_REQUEST,
                                      end_stream, peer_request_fields,
                                      PEER_REQUEST_FIELD_COUNT, file, line);
}

void peer_expect_data_event_at(peer *p, uint32_t stream_id, size_t from,
                               size_t len, int end_stream, const char *file,
                               int line) {
  size_t done = 0;
  char what[160];
  do {
    snprintf(what, sizeof what, "DATA on stream %u (%zu of %zu octets seen)",
             stream_id, done, len);
    h2e_event ev = peer_expect_event_at(p, H2E_EV_DATA, stream_id, file, line);
    size_t got = ev.u.data.len;
    if (done + got > len)
      fail_event(&ev, what, file, line);
    if (got && memcmp(ev.u.data.data, p->body + from + done, got) != 0)
      fail_at(file, line,
              "DATA event on stream %u at offset %zu carries "
              "other octets than the peer sent",
              stream_id, done);
    done += got;
    if (ev.u.data.end_stream && !(end_stream && done == len))
      fail_event(&ev, what, file, line);
    if (done == len && (!end_stream || ev.u.data.end_stream))
      return;
  } while (1);
}

void peer_expect_reset_event_at(peer *p, uint32_t stream_id, uint32_t code,
                                int by_peer, const char *file, int line) {
  char what[128];
  snprintf(what, sizeof what, "STREAM_RESET on stream %u (%s, by_peer=%d)",
           stream_id, h2e_h2_error_name(code), by_peer);
  h2e_event ev =
      peer_expect_event_at(p, H2E_EV_STREAM_RESET, stream_id, file, line);
  if (ev.u.reset.error_code != code || !ev.u.reset.by_peer != !by_peer)
    fail_event(&ev, what, file, line);
}

void peer_open_stream_at(peer *p, uint32_t stream_id, int end_stream,
                         const char *file, int line) {
  peer_send_request_at(p, stream_id, end_stream ? PEER_END_STREAM : 0, file,
                       line);
  peer_expect_request_at(p, stream_id, end_stream, file, line);
  peer_expect_no_event_at(p, file, line);
  peer_expect_no_frame_at(p, file, line);
}

void peer_finish_stream_at(peer *p, uint32_t stream_id, const char *file,
                           int line) {
  peer_submit_status_at(p, stream_id, "200", H2E_END_STREAM, file, line);
  peer_expect_status_at(p, stream_id, 1, "200", file, line);
  peer_expect_no_frame_at(p, file, line);
  peer_expect_event_at(p, H2E_EV_STREAM_CLOSED, stream_id, file, line);
  peer_expect_no_event_at(p, file, line);
}

/* ---- errors and liveness
 * -------------------------------------------------------- */

static void expect_closed(peer *p, const char *file, int line) {
  static const uint8_t ping[17] = {0, 0, 8, H2E_FRAME_PING, 0, 0, 0, 0, 0};
  ptrdiff_t n = h2e_conn_recv(p->conn, ping, sizeof ping, p->now_ms);
  if (n != H2E_ERR_CONN_CLOSED)
    fail_at(file, line,
            "after the connection error, h2e_conn_recv returned "
            "%td (%s) instead of H2E_ERR_CONN_CLOSED",
            n, n < 0 ? h2e_strerror((int)n) : "octets consumed");
  unsigned want = h2e_conn_want(p->conn);
  if (!(want & H2E_CLOSED) || (want & (H2E_WANT_READ | H2E_WANT_WRITE)))
    fail_at(file, line,
            "after the connection error and a full drain, "
            "h2e_conn_want is 0x%x instead of H2E_CLOSED",
            want);
}

void peer_expect_conn_error_at(peer *p, uint32_t code, uint32_t other_code,
                               uint32_t last_stream_id, uint32_t or_last,
                               const char *file, int line) {
  char what[200];
  char lasts[40];
  if (or_last == last_stream_id)
    snprintf(lasts, sizeof lasts, "%u", last_stream_id);
  else
    snprintf(lasts, sizeof lasts, "%u or %u", last_stream_id, or_last);
  if (code == other_code)
    snprintf(what, sizeof what, "GOAWAY (last_stream_id=%s, %s)", lasts,
             h2e_h2_error_name(code));
  else
    snprintf(what, sizeof what, "GOAWAY (last_stream_id=%s, %s or %s)", lasts,
             h2e_h2_error_name(code), h2e_h2_error_name(other_code));
  h2e_frame f;
  need_frame(p, &f, what, file, line);
  if (f.hd.type != H2E_FRAME_GOAWAY || f.hd.stream_id != 0 ||
      (f.u.goaway.last_stream_id != last_stream_id &&
       f.u.goaway.last_stream_id != or_last) ||
      (f.u.goaway.error_code != code && f.u.goaway.error_code != other_code))
    fail_frame(&f, what, file, line);
  uint32_t sent = f.u.goaway.error_code;
  if (peer_next_frame_at(p, &f, file, line))
    fail_frame(&f, "nothing after the GOAWAY of a connection error", file,
               line);

  /* Streams the error ended may report first; then the error itself. */
  h2e_event ev;
  for (;;) {
    if (!peer_next_event(p, &ev))
      fail_at(file, line,
              "expected event CONN_ERROR (%s), but no event is "
              "waiting",
              h2e_h2_error_name(sent));
    if (ev.type != H2E_EV_STREAM_RESET && ev.type != H2E_EV_STREAM_CLOSED)
      break;
  }
  snprintf(what, sizeof what, "CONN_ERROR on stream 0 (%s, by_peer=0)",
           h2e_h2_error_name(sent));
  if (ev.type != H2E_EV_CONN_ERROR || ev.u.conn_error.error_code != sent ||
      ev.u.conn_error.by_peer)
    fail_event(&ev, what, file, line);
  peer_expect_no_event_at(p, file, line);
  expect_closed(p, file, line);
}

void peer_expect_stream_error_at(peer *p, uint32_t stream_id, uint32_t code,
                                 int reset_event, const char *file, int line) {
  peer_expect_rst_stream_at(p, stream_id, code, file, line);
  peer_expect_no_frame_at(p, file, line);
  if (reset_event)
    peer_expect_reset_event_at(p, stream_id, code, 0, file, line);
  peer_expect_no_event_at(p, file, line);
  h2e_stream_state state = h2e_stream_get_state(p->conn, stream_id);
  if (state != H2E_STATE_CLOSED)
    fail_at(file, line,
            "stream %u is in state %d after its RST_STREAM, not "
            "closed",
            stream_id, (int)state);
  peer_expect_alive_at(p, file, line);
}

void peer_expect_stream_or_conn_error_at(peer *p, uint32_t stream_id,
                                         uint32_t code, int reset_event,
                                         uint32_t conn_code,
                                         uint32_t last_stream_id,
                                         const char *file, int line) {
  if (peer_next_frame_type(p) == H2E_FRAME_GOAWAY) {
    peer_expect_conn_error_at(p, code, conn_code, last_stream_id,
                              last_stream_id, file, line);
    return;
  }
  peer_expect_stream_error_at(p, stream_id, code, reset_event, file, line);
}

void peer_expect_alive_at(peer *p, const char *file, int line) {
  if (p->config.role == H2E_SERVER) {
    uint32_t id = p->next_stream_id;
    peer_open_stream_at(p, id, 1, file, line);
    peer_finish_stream_at(p, id, file, line);
  } else {
    uint32_t id = peer_submit_request_at(p, H2E_END_STREAM, file, line);
    peer_expect_headers_at(p, id, 1, peer_request_fields,
                           PEER_REQUEST_FIELD_COUNT, file, line);
    peer_expect_no_frame_at(p, file, line);
    peer_send_response_at(p, id, "200", PEER_END_STREAM, file, line);
    h2e_field status = PEER_FIELD(":status", "200");
    peer_expect_headers_event_at(p, id, H2E_HEADERS_RESPONSE, 1, &status, 1,
                                 file, line);
    peer_expect_event_at(p, H2E_EV_STREAM_CLOSED, id, file, line);
  }
  peer_expect_no_event_at(p, file, line);
  peer_expect_no_frame_at(p, file, line);
}

/* ---- the application side
 * --------------------------------------------------------- */

void peer_submit_status_at(peer *p, uint32_t stream_id, const char *status,
                           unsigned flags, const char *file, int line) {
  h2e_field field = {(const uint8_t *)":status", (const uint8_t *)status, 7,
                     (uint32_t)strlen(status), 0};
  int rc = h2e_submit_headers(p->conn, stream_id, &field, 1, flags);
  if (rc != 0)
    fail_at(file, line,
            "h2e_submit_headers(stream %u, :status %s) returned "
            "%s",
            stream_id, status, h2e_strerror(rc));
}

void peer_submit_body_at(peer *p, uint32_t stream_id, size_t from, size_t len,
                         unsigned flags, uint64_t cookie, const char *file,
                         int line) {
  assert_true(from + len <= PEER_BODY_SIZE);
  int rc =
      h2e_submit_data(p->conn, stream_id, p->body + from, len, flags, cookie);
  if (rc != 0)
    fail_at(file, line, "h2e_submit_data(stream %u, %zu octets) returned %s",
            stream_id, len, h2e_strerror(rc));
}

uint32_t peer_submit_request_at(peer *p, unsigned flags, const char *file,
                                int line) {
  int32_t id = h2e_submit_request(p->conn, peer_request_fields,
                                  PEER_REQUEST_FIELD_COUNT, flags);
  if (id <= 0)
    fail_at(file, line, "h2e_submit_request returned %s",
            h2e_strerror((int)id));
  return (uint32_t)id;
}
