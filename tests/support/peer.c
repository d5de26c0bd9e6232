/* The scripted peer: life cycle, handshake and the application side
 * (see peer.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hpack_fields.h"
#include "peer_internal.h"

#define DEFAULT_WINDOW     65535u
#define DECODED_BUF_CAP    (1u << 20)
#define DECODED_FIELDS_CAP 1024u

const h2e_field peer_request_fields[4] = {
    PEER_FIELD(":method", "GET"), PEER_FIELD(":scheme", "https"),
    PEER_FIELD(":path", "/"), PEER_FIELD(":authority", "example.com")};

const uint8_t peer_request_block[16] = {0x82, 0x87, 0x84, 0x01, 0x0b, 'e',
                                        'x',  'a',  'm',  'p',  'l',  'e',
                                        '.',  'c',  'o',  'm'};

/* ---- memory -------------------------------------------------------------- */

void *peer_alloc(size_t size) {
  void *mem = malloc(size ? size : 1);
  assert_non_null(mem);
  return mem;
}

void peer_reserve(uint8_t **buf, size_t *cap, size_t need) {
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

void peer_put_u32(uint8_t *at, uint32_t v) {
  at[0] = (uint8_t)(v >> 24);
  at[1] = (uint8_t)(v >> 16);
  at[2] = (uint8_t)(v >> 8);
  at[3] = (uint8_t)v;
}

/* A FIFO of HEADER_TABLE_SIZE values of unacknowledged SETTINGS. */
void peer_fifo_push(uint32_t *fifo, size_t *count, size_t cap, uint32_t value) {
  assert_true(*count < cap);
  fifo[(*count)++] = value;
}

uint32_t peer_fifo_pop(uint32_t *fifo, size_t *count) {
  if (*count == 0)
    return UINT32_MAX;
  uint32_t value = fifo[0];
  memmove(fifo, fifo + 1, (*count - 1) * sizeof *fifo);
  (*count)--;
  return value;
}

/* ---- life cycle ---------------------------------------------------------- */

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
  peer *p = peer_alloc(sizeof *p);
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

  p->body = peer_alloc(PEER_BODY_SIZE);
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

int peer_tick(peer *p, uint64_t ms) {
  p->now_ms += ms;
  return h2e_conn_tick(p->conn, p->now_ms);
}

/* ---- the application side ------------------------------------------------ */

void peer_submit_status_at(peer *p, uint32_t stream_id, const char *status,
                           unsigned flags, const char *file, int line) {
  h2e_field field = {(const uint8_t *)":status", (const uint8_t *)status, 7,
                     (uint32_t)strlen(status), 0};
  int rc = h2e_submit_headers(p->conn, stream_id, &field, 1, flags);
  if (rc != 0)
    peer_fail_at(file, line,
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
    peer_fail_at(file, line,
                 "h2e_submit_data(stream %u, %zu octets) returned %s",
                 stream_id, len, h2e_strerror(rc));
}

uint32_t peer_submit_request_at(peer *p, unsigned flags, const char *file,
                                int line) {
  int32_t id = h2e_submit_request(p->conn, peer_request_fields,
                                  PEER_REQUEST_FIELD_COUNT, flags);
  if (id <= 0)
    peer_fail_at(file, line, "h2e_submit_request returned %s",
                 h2e_strerror((int)id));
  return (uint32_t)id;
}
