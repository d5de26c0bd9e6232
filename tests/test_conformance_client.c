/* The client-role mirror of the conformance suite: RFC 9113 §3.4 to §6
 * with the engine as the client and the scripted peer as the server,
 * where the rules differ by role or apply to what a client receives
 * (server push, GOAWAY, the server's preface). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const uint8_t opaque[8] = {'c', 'l', 'i', 'e', 'n', 't', '!', '?'};
static const h2e_field status_200[1] = {PEER_FIELD(":status", "200")};
static const h2e_field pushed_request[4] = {
    PEER_FIELD(":method", "GET"), PEER_FIELD(":scheme", "https"),
    PEER_FIELD(":path", "/style.css"), PEER_FIELD(":authority", "example.com")};
static const h2e_field trailer[1] = {PEER_FIELD("x-checksum", "abc")};

static peer *client(void **state, const h2e_config *config) {
  return peer_start(state, H2E_CLIENT, config);
}

/* A client that accepts pushes. */
static peer *pushing_client(void **state) {
  h2e_config config = peer_config(H2E_CLIENT);
  config.enable_push = 1;
  return client(state, &config);
}

/* The application sends the standard request; it goes out exactly. */
static uint32_t request(peer *p, int end_stream) {
  uint32_t id = peer_submit_request(p, end_stream ? H2E_END_STREAM : 0);
  peer_expect_request_headers(p, id, end_stream);
  peer_expect_no_frame(p);
  return id;
}

/* The server answers :status 200; the application hears of it. */
static void respond(peer *p, uint32_t id, int end_stream) {
  peer_send_response(p, id, "200", end_stream ? PEER_END_STREAM : 0);
  peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, end_stream, status_200,
                            1);
}

/* A PUSH_PROMISE the client accepts. */
static void promise(peer *p, uint32_t associated, uint32_t promised) {
  peer_send_push_promise(p, associated, promised, pushed_request, 4);
  h2e_event ev = peer_expect_event(p, H2E_EV_PUSH_PROMISE, associated);
  assert_int_equal(ev.u.push_promise.promised_stream_id, promised);
  assert_int_equal(ev.u.push_promise.count, 4);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

/* A PUSH_PROMISE payload: promised id then the hand-made request block. */
static size_t promise_payload(uint8_t *out, uint32_t promised) {
  out[0] = (uint8_t)(promised >> 24);
  out[1] = (uint8_t)(promised >> 16);
  out[2] = (uint8_t)(promised >> 8);
  out[3] = (uint8_t)promised;
  memcpy(out + 4, peer_request_block, PEER_REQUEST_BLOCK_LEN);
  return 4 + PEER_REQUEST_BLOCK_LEN;
}

/* ---- §3.4 the preface ---------------------------------------------------- */

static void test_3_4_client_sends_preface_then_settings(void **state) {
  peer *p = peer_new(state, H2E_CLIENT, NULL);
  peer_expect_preface(p);
  static const h2e_setting want[] = {{H2E_SETTINGS_ENABLE_PUSH, 0},
                                     {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                                     {H2E_SETTINGS_MAX_HEADER_LIST_SIZE, 65536},
                                     {H2E_SETTINGS_NO_RFC7540_PRIORITIES, 1}};
  peer_expect_settings(p, want, PEER_COUNT(want));
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_3_4_client_settings_carry_the_configured_values(void **state) {
  h2e_config config = peer_config(H2E_CLIENT);
  config.header_table_size = 8192;
  config.enable_push = 1;
  config.max_concurrent_streams = 10;
  config.initial_window_size = 1u << 20;
  config.max_frame_size = 32768;
  config.connection_window = 1u << 24;
  peer *p = peer_new(state, H2E_CLIENT, &config);
  peer_expect_preface(p);
  static const h2e_setting want[] = {
      {H2E_SETTINGS_HEADER_TABLE_SIZE, 8192},
      {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 10},
      {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20},
      {H2E_SETTINGS_MAX_FRAME_SIZE, 32768},
      {H2E_SETTINGS_MAX_HEADER_LIST_SIZE, 65536},
      {H2E_SETTINGS_NO_RFC7540_PRIORITIES, 1}};
  peer_expect_settings(p, want, PEER_COUNT(want));
  peer_expect_window_update(p, 0, (1u << 24) - 65535);
  peer_expect_no_frame(p);
}

static void test_3_4_client_acknowledges_the_server_preface(void **state) {
  peer *p = peer_new(state, H2E_CLIENT, NULL);
  static const h2e_setting server[] = {
      {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 128},
      {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 16}};
  peer_handshake(p, server, 2);
  assert_int_equal(
      h2e_conn_peer_setting(p->conn, H2E_SETTINGS_MAX_CONCURRENT_STREAMS), 128);
  peer_expect_alive(p);
}

static void
test_3_4_client_may_send_a_request_before_the_server_preface(void **state) {
  peer *p = peer_new(state, H2E_CLIENT, NULL);
  uint32_t id = peer_submit_request(p, H2E_END_STREAM);
  assert_int_equal(id, 1);
  peer_expect_preface(p);
  peer_expect_engine_settings(p);
  peer_expect_request_headers(p, 1, 1);
  peer_expect_no_frame(p);
  peer_send_settings(p, NULL, 0);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  respond(p, 1, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 1);
}

/* RFC 9113 §3.4: PROTOCOL_ERROR, the GOAWAY MAY be omitted; where the
 * bytes also break another rule, §5.4 lets that one be reported. */
static void expect_server_preface_error(peer *p, uint32_t other_code) {
  peer_drain(p);
  if (p->wire_pos < p->wire_len) {
    peer_expect_conn_error2(p, H2E_PROTOCOL_ERROR, other_code, 0);
    return;
  }
  h2e_event ev = peer_expect_event(p, H2E_EV_CONN_ERROR, 0);
  assert_true(ev.u.conn_error.error_code == H2E_PROTOCOL_ERROR ||
              ev.u.conn_error.error_code == other_code);
}

/* The client's preface and SETTINGS, drained. */
static peer *client_before_server_preface(void **state) {
  peer *p = peer_new(state, H2E_CLIENT, NULL);
  peer_expect_preface(p);
  peer_expect_engine_settings(p);
  peer_expect_no_frame(p);
  return p;
}

static void test_3_4_server_preface_must_be_settings(void **state) {
  peer *p = client_before_server_preface(state);
  peer_send_ping(p, 0, opaque);
  expect_server_preface_error(p, H2E_PROTOCOL_ERROR);
}

static void test_3_4_server_preface_may_not_be_a_settings_ack(void **state) {
  peer *p = client_before_server_preface(state);
  peer_send_settings_ack(p);
  expect_server_preface_error(p, H2E_PROTOCOL_ERROR);
}

static void
test_3_4_http1_answer_instead_of_preface_is_protocol_error(void **state) {
  peer *p = client_before_server_preface(state);
  static const char answer[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
  ptrdiff_t n = h2e_conn_recv(p->conn, (const uint8_t *)answer,
                              sizeof answer - 1, p->now_ms);
  assert_true(n >= 0);
  /* "HTTP/1.1 4" read as a frame header is also far over 16384. */
  expect_server_preface_error(p, H2E_FRAME_SIZE_ERROR);
}

/* ---- §4 frames ----------------------------------------------------------- */

static void test_4_1_client_ignores_unknown_frame_types(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  peer_send_frame(p, 0x55, 0xff, 0, opaque, 8);
  peer_send_frame(p, 0x56, 0, id, opaque, 8);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  respond(p, id, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
}

static void test_4_2_client_accepts_data_frames_of_16384_octets(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  respond(p, id, 0);
  peer_send_data(p, id, PEER_END_STREAM, p->body, 16384);
  peer_expect_data_event(p, id, 0, 16384, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
}

static void
test_4_2_client_data_over_max_frame_size_is_frame_size_error(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  respond(p, id, 0);
  peer_send_data(p, id, 0, p->body, 16385);
  peer_expect_stream_or_conn_error(p, id, H2E_FRAME_SIZE_ERROR, 1,
                                   H2E_FRAME_SIZE_ERROR, 0);
}

static void
test_4_2_client_headers_over_max_frame_size_is_conn_error(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  uint8_t big[16385];
  memset(big, 0, sizeof big);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_HEADERS, id, big,
                  sizeof big);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void
test_4_3_client_compression_error_is_connection_error(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  static const uint8_t bad[] = {0x88, 0x80}; /* :status 200, index 0 */
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_HEADERS, id, bad,
                  sizeof bad);
  peer_expect_conn_error(p, H2E_COMPRESSION_ERROR, 0);
}

static void
test_4_2_client_push_promise_over_max_frame_size_is_error(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  uint8_t big[16385];
  memset(big, 0, sizeof big);
  big[3] = 2; /* promised stream 2, then zero octets */
  peer_send_frame(p, H2E_FRAME_PUSH_PROMISE, H2E_FLAG_END_HEADERS, id, big,
                  sizeof big);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void
test_4_3_client_declined_promise_still_updates_the_table(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  assert_int_equal(h2e_submit_rst_stream(p->conn, id, H2E_CANCEL), 0);
  peer_expect_rst_stream(p, id, H2E_CANCEL);
  static const h2e_field promised[5] = {
      PEER_FIELD(":method", "GET"), PEER_FIELD(":scheme", "https"),
      PEER_FIELD(":path", "/a.js"), PEER_FIELD(":authority", "example.com"),
      PEER_FIELD("x-custom", "value1")};
  peer_send_push_promise(p, id, 2, promised, 5);
  h2e_frame f;
  while (peer_next_frame(p, &f)) /* declining the promise is allowed */
    assert_true(f.hd.type == H2E_FRAME_RST_STREAM && f.hd.stream_id == 2);
  peer_skip_events(p, H2E_EV_PUSH_PROMISE);
  peer_skip_events(p, H2E_EV_STREAM_RESET);
  peer_expect_no_event(p);
  /* The next response names x-custom by its dynamic table index. */
  uint32_t next = request(p, 1);
  static const h2e_field response[2] = {PEER_FIELD(":status", "200"),
                                        PEER_FIELD("x-custom", "value1")};
  peer_send_headers(p, next, PEER_END_STREAM, response, 2);
  peer_expect_headers_event(p, next, H2E_HEADERS_RESPONSE, 1, response, 2);
}

/* ---- §5.1 stream states, client side ------------------------------------- */

static void test_5_1_client_request_opens_a_stream(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 0);
  assert_int_equal(h2e_stream_get_state(p->conn, id), H2E_STATE_OPEN);
}

static void test_5_1_client_end_stream_half_closes_local(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  assert_int_equal(h2e_stream_get_state(p->conn, id),
                   H2E_STATE_HALF_CLOSED_LOCAL);
  respond(p, id, 0);
  peer_send_data(p, id, 0, p->body, 100);
  peer_expect_data_event(p, id, 0, 100, 0);
  peer_send_data(p, id, PEER_END_STREAM, p->body, 100);
  peer_expect_data_event(p, id, 0, 100, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  peer_expect_no_event(p);
  assert_int_equal(h2e_stream_get_state(p->conn, id), H2E_STATE_CLOSED);
}

static void
test_5_1_client_request_body_after_end_stream_is_refused(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  assert_true(h2e_submit_data(p->conn, id, p->body, 10, 0, 1) < 0);
  peer_expect_no_frame(p);
}

static void
test_5_1_client_headers_on_an_unopened_stream_is_error(void **state) {
  peer *p = client(state, NULL);
  peer_send_response(p, 1, "200", PEER_END_STREAM);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_5_1_client_headers_on_an_unpromised_even_stream_is_error(void **state) {
  peer *p = client(state, NULL);
  request(p, 1);
  peer_send_response(p, 2, "200", PEER_END_STREAM);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_5_1_client_data_on_an_idle_stream_is_protocol_error(void **state) {
  peer *p = client(state, NULL);
  request(p, 1);
  peer_send_data(p, 3, 0, p->body, 5);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_5_1_client_data_after_response_end_stream_is_error(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 0); /* the request body stays open */
  respond(p, id, 1);           /* half-closed (remote) */
  peer_expect_no_event(p);
  peer_send_data(p, id, 0, p->body, 5);
  peer_expect_stream_error(p, id, H2E_STREAM_CLOSED, 1);
}

static void
test_5_1_client_data_on_a_closed_stream_is_stream_closed(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  respond(p, id, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  peer_send_data(p, id, 0, p->body, 5);
  peer_expect_stream_or_conn_error(p, id, H2E_STREAM_CLOSED, 0,
                                   H2E_STREAM_CLOSED, 0);
}

static void test_5_1_client_stream_reset_by_server_is_reported(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 0);
  peer_send_rst_stream(p, id, H2E_INTERNAL_ERROR);
  h2e_event ev = peer_expect_event(p, H2E_EV_STREAM_RESET, id);
  assert_int_equal(ev.u.reset.error_code, H2E_INTERNAL_ERROR);
  assert_int_equal(ev.u.reset.by_peer, 1);
  assert_int_equal(ev.u.reset.retryable, 0);
  peer_expect_no_event(p);
  /* §5.4.2: no RST_STREAM in answer to a RST_STREAM. */
  peer_expect_no_frame(p);
  assert_int_equal(h2e_stream_get_state(p->conn, id), H2E_STATE_CLOSED);
}

static void test_5_1_client_refused_stream_is_safe_to_retry(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  peer_send_rst_stream(p, id, H2E_REFUSED_STREAM);
  h2e_event ev = peer_expect_event(p, H2E_EV_STREAM_RESET, id);
  assert_int_equal(ev.u.reset.error_code, H2E_REFUSED_STREAM);
  assert_int_equal(ev.u.reset.retryable, 1); /* RFC 9113 §8.7 */
  peer_expect_no_frame(p);
}

static void test_5_1_client_ignores_frames_after_its_own_reset(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  assert_int_equal(h2e_submit_rst_stream(p->conn, id, H2E_CANCEL), 0);
  peer_expect_rst_stream(p, id, H2E_CANCEL);
  peer_expect_no_event(p);
  peer_send_response(p, id, "200", 0);
  peer_send_data(p, id, PEER_END_STREAM, p->body, 100);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

/* ---- §5.1 reserved (remote) ---------------------------------------------- */

static void test_5_1_push_promise_reserves_the_promised_stream(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  promise(p, id, 2);
  assert_int_equal(h2e_stream_get_state(p->conn, 2), H2E_STATE_RESERVED_REMOTE);
}

static void
test_5_1_headers_on_reserved_remote_half_closes_local(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  promise(p, id, 2);
  respond(p, 2, 0);
  assert_int_equal(h2e_stream_get_state(p->conn, 2),
                   H2E_STATE_HALF_CLOSED_LOCAL);
  peer_send_data(p, 2, PEER_END_STREAM, p->body, 50);
  peer_expect_data_event(p, 2, 0, 50, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 2);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void test_5_1_data_on_reserved_remote_is_protocol_error(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  promise(p, id, 2);
  peer_send_data(p, 2, 0, p->body, 5);
  /* Whether the promise counts as processed is the client's call. */
  peer_expect_conn_error_last2(p, H2E_PROTOCOL_ERROR, 0, 2);
}

static void
test_5_1_window_update_on_reserved_remote_is_protocol_error(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  promise(p, id, 2);
  peer_send_window_update(p, 2, 100);
  peer_expect_conn_error_last2(p, H2E_PROTOCOL_ERROR, 0, 2);
}

static void test_5_1_rst_stream_on_reserved_remote_closes_it(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  promise(p, id, 2);
  peer_send_rst_stream(p, 2, H2E_CANCEL);
  peer_expect_reset_event(p, 2, H2E_CANCEL, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  assert_int_equal(h2e_stream_get_state(p->conn, 2), H2E_STATE_CLOSED);
}

static void test_5_1_priority_on_reserved_remote_is_accepted(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  promise(p, id, 2);
  peer_send_priority(p, 2, 1, 10);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  assert_int_equal(h2e_stream_get_state(p->conn, 2), H2E_STATE_RESERVED_REMOTE);
}

static void
test_5_1_push_promise_on_reserved_remote_is_protocol_error(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  promise(p, id, 2);
  /* Stream 2 is reserved (remote): neither open nor half-closed (local). */
  peer_send_push_promise(p, 2, 4, pushed_request, 4);
  peer_expect_conn_error_last2(p, H2E_PROTOCOL_ERROR, 0, 2);
}

static void
test_5_1_client_sends_only_rst_stream_on_reserved_remote(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  promise(p, id, 2);
  assert_true(h2e_submit_data(p->conn, 2, p->body, 10, H2E_END_STREAM, 1) < 0);
  assert_true(h2e_submit_headers(p->conn, 2, trailer, 1, H2E_END_STREAM) < 0);
  peer_expect_no_frame(p);
  assert_int_equal(h2e_submit_rst_stream(p->conn, 2, H2E_CANCEL), 0);
  peer_expect_rst_stream(p, 2, H2E_CANCEL);
  peer_expect_no_frame(p);
}

/* ---- §5.1.1 / §5.1.2 ----------------------------------------------------- */

static void test_5_1_1_client_uses_odd_increasing_stream_ids(void **state) {
  peer *p = client(state, NULL);
  assert_int_equal(request(p, 1), 1);
  assert_int_equal(request(p, 0), 3);
  assert_int_equal(request(p, 1), 5);
}

static void expect_bad_promise(void **state, uint32_t first, uint32_t second) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  uint32_t last = 0;
  if (first) {
    promise(p, id, first);
    last = first;
  }
  uint8_t payload[64];
  size_t len = promise_payload(payload, second);
  peer_send_frame(p, H2E_FRAME_PUSH_PROMISE, H2E_FLAG_END_HEADERS, id, payload,
                  len);
  peer_expect_conn_error_last2(p, H2E_PROTOCOL_ERROR, 0, last);
}

static void
test_5_1_1_push_promise_of_an_odd_stream_is_protocol_error(void **state) {
  expect_bad_promise(state, 0, 3);
}

static void
test_5_1_1_push_promise_of_a_used_stream_is_protocol_error(void **state) {
  expect_bad_promise(state, 2, 2);
}

static void
test_5_1_1_push_promise_of_a_lower_stream_is_protocol_error(void **state) {
  expect_bad_promise(state, 4, 2);
}

static void
test_5_1_1_push_promise_of_stream_0_is_protocol_error(void **state) {
  expect_bad_promise(state, 0, 0);
}

static void test_5_1_2_client_keeps_to_the_server_stream_limit(void **state) {
  peer *p = peer_new(state, H2E_CLIENT, NULL);
  h2e_setting one = {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 1};
  peer_handshake(p, &one, 1);
  assert_int_equal(h2e_conn_streams_available(p->conn), 1);
  uint32_t id = request(p, 1);
  assert_int_equal(h2e_conn_streams_available(p->conn), 0);
  assert_int_equal(h2e_submit_request(p->conn, peer_request_fields,
                                      PEER_REQUEST_FIELD_COUNT, H2E_END_STREAM),
                   H2E_ERR_STREAM_LIMIT);
  peer_expect_no_frame(p);
  respond(p, id, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  assert_int_equal(h2e_conn_streams_available(p->conn), 1);
  assert_int_equal(request(p, 1), 3);
}

static void test_5_1_2_client_opens_nothing_under_a_zero_limit(void **state) {
  peer *p = peer_new(state, H2E_CLIENT, NULL);
  h2e_setting zero = {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 0};
  peer_handshake(p, &zero, 1);
  assert_int_equal(h2e_conn_streams_available(p->conn), 0);
  assert_int_equal(h2e_submit_request(p->conn, peer_request_fields,
                                      PEER_REQUEST_FIELD_COUNT, H2E_END_STREAM),
                   H2E_ERR_STREAM_LIMIT);
  peer_expect_no_frame(p);
}

static void
test_5_1_2_client_applies_a_lowered_limit_to_new_streams(void **state) {
  peer *p = client(state, NULL);
  uint32_t a = request(p, 1);
  uint32_t b = request(p, 1);
  peer_send_setting(p, H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 1);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  assert_int_equal(h2e_conn_streams_available(p->conn), 0);
  respond(p, a, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, a);
  /* Still one open: still at the limit. */
  assert_int_equal(h2e_submit_request(p->conn, peer_request_fields,
                                      PEER_REQUEST_FIELD_COUNT, H2E_END_STREAM),
                   H2E_ERR_STREAM_LIMIT);
  respond(p, b, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, b);
  assert_int_equal(request(p, 1), 5);
}

static void
test_5_1_2_pushed_streams_over_the_client_limit_are_refused(void **state) {
  h2e_config config = peer_config(H2E_CLIENT);
  config.enable_push = 1;
  config.max_concurrent_streams = 1;
  peer *p = client(state, &config);
  uint32_t id = request(p, 1);
  promise(p, id, 2);
  /* Reserved streams do not count (§5.1.2), but a client may decline a
   * promise at once (§6.6) with RST_STREAM on the promised stream. */
  peer_send_push_promise(p, id, 4, pushed_request, 4);
  h2e_event ev;
  int declined = 0;
  if (peer_next_event(p, &ev)) {
    assert_int_equal(ev.type, H2E_EV_PUSH_PROMISE);
  } else {
    h2e_frame f;
    assert_true(peer_next_frame(p, &f));
    assert_int_equal(f.hd.type, H2E_FRAME_RST_STREAM);
    assert_int_equal(f.hd.stream_id, 4);
    declined = 1;
  }
  respond(p, 2, 0); /* stream 2 active: the limit is reached */
  peer_send_response(p, 4, "200", 0);
  if (!declined) {
    /* §5.1.2: PROTOCOL_ERROR or REFUSED_STREAM on the stream. */
    h2e_frame f;
    assert_true(peer_next_frame(p, &f));
    assert_int_equal(f.hd.type, H2E_FRAME_RST_STREAM);
    assert_int_equal(f.hd.stream_id, 4);
    assert_true(f.u.rst_stream.error_code == H2E_REFUSED_STREAM ||
                f.u.rst_stream.error_code == H2E_PROTOCOL_ERROR);
    while (peer_next_event(p, &ev))
      assert_true(ev.type == H2E_EV_STREAM_RESET && ev.stream_id == 4);
  }
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

/* ---- §6.5 settings from a server ----------------------------------------- */

static void
test_6_5_2_client_rejects_enable_push_1_from_a_server(void **state) {
  peer *p = client(state, NULL);
  peer_send_setting(p, H2E_SETTINGS_ENABLE_PUSH, 1);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_5_2_client_rejects_enable_push_2_from_a_server(void **state) {
  peer *p = client(state, NULL);
  peer_send_setting(p, H2E_SETTINGS_ENABLE_PUSH, 2);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_5_2_client_accepts_enable_push_0_from_a_server(void **state) {
  peer *p = client(state, NULL);
  peer_send_setting(p, H2E_SETTINGS_ENABLE_PUSH, 0);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_alive(p);
}

static void test_6_5_3_client_settings_time_out(void **state) {
  peer *p = client_before_server_preface(state);
  peer_send_settings(p, NULL, 0);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_tick(p, 9999);
  peer_expect_no_frame(p);
  peer_tick(p, 1);
  peer_expect_conn_error(p, H2E_SETTINGS_TIMEOUT, 0);
}

/* ---- §6.6 PUSH_PROMISE --------------------------------------------------- */

static void
test_6_6_push_promise_with_push_disabled_is_protocol_error(void **state) {
  peer *p = client(state, NULL); /* ENABLE_PUSH=0, acknowledged */
  uint32_t id = request(p, 1);
  peer_send_push_promise(p, id, 2, pushed_request, 4);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_6_push_promise_on_stream_0_is_protocol_error(void **state) {
  peer *p = pushing_client(state);
  request(p, 1);
  uint8_t payload[64];
  size_t len = promise_payload(payload, 2);
  peer_send_frame(p, H2E_FRAME_PUSH_PROMISE, H2E_FLAG_END_HEADERS, 0, payload,
                  len);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_6_push_promise_on_an_idle_stream_is_protocol_error(void **state) {
  peer *p = pushing_client(state);
  request(p, 1);
  peer_send_push_promise(p, 3, 2, pushed_request, 4);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_6_push_promise_on_a_closed_stream_is_protocol_error(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  respond(p, id, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  peer_send_push_promise(p, id, 2, pushed_request, 4);
  /* §6.6 says PROTOCOL_ERROR; §5.1 allows STREAM_CLOSED on closed. */
  peer_expect_conn_error2(p, H2E_PROTOCOL_ERROR, H2E_STREAM_CLOSED, 0);
}

static void
test_6_6_push_promise_on_half_closed_remote_is_protocol_error(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 0);
  respond(p, id, 1); /* half-closed (remote) for the client */
  peer_send_push_promise(p, id, 2, pushed_request, 4);
  peer_expect_conn_error2(p, H2E_PROTOCOL_ERROR, H2E_STREAM_CLOSED, 0);
}

static void
test_6_6_push_promise_pad_length_too_large_is_protocol_error(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  uint8_t payload[64];
  payload[0] = 40; /* more than the 21 octets that follow */
  size_t len = 1 + promise_payload(payload + 1, 2);
  peer_send_frame(p, H2E_FRAME_PUSH_PROMISE,
                  H2E_FLAG_PADDED | H2E_FLAG_END_HEADERS, id, payload, len);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_6_push_promise_too_short_is_frame_size_error(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  static const uint8_t short_payload[3] = {0, 0, 0};
  peer_send_frame(p, H2E_FRAME_PUSH_PROMISE, H2E_FLAG_END_HEADERS, id,
                  short_payload, 3);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void test_6_6_padded_push_promise_is_decoded(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  uint8_t payload[64] = {0};
  payload[0] = 10;
  size_t len = 1 + promise_payload(payload + 1, 2) + 10;
  peer_send_frame(p, H2E_FRAME_PUSH_PROMISE,
                  H2E_FLAG_PADDED | H2E_FLAG_END_HEADERS, id, payload, len);
  h2e_event ev = peer_expect_event(p, H2E_EV_PUSH_PROMISE, id);
  assert_int_equal(ev.u.push_promise.promised_stream_id, 2);
  assert_int_equal(ev.u.push_promise.count, PEER_REQUEST_FIELD_COUNT);
  peer_expect_no_frame(p);
}

static void test_6_6_push_promise_with_continuation_is_assembled(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  uint8_t payload[64];
  size_t len = promise_payload(payload, 2);
  peer_send_frame(p, H2E_FRAME_PUSH_PROMISE, 0, id, payload, 9);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, id,
                  payload + 9, len - 9);
  h2e_event ev = peer_expect_event(p, H2E_EV_PUSH_PROMISE, id);
  assert_int_equal(ev.u.push_promise.promised_stream_id, 2);
  assert_int_equal(ev.u.push_promise.count, PEER_REQUEST_FIELD_COUNT);
  peer_expect_no_frame(p);
}

static void test_6_6_interrupted_push_promise_is_protocol_error(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  uint8_t payload[64];
  promise_payload(payload, 2);
  peer_send_frame(p, H2E_FRAME_PUSH_PROMISE, 0, id, payload, 9);
  peer_send_ping(p, 0, opaque);
  peer_expect_conn_error_last2(p, H2E_PROTOCOL_ERROR, 0, 2);
}

static void test_6_6_push_promise_after_our_reset_still_reserves(void **state) {
  peer *p = pushing_client(state);
  uint32_t id = request(p, 1);
  assert_int_equal(h2e_submit_rst_stream(p->conn, id, H2E_CANCEL), 0);
  peer_expect_rst_stream(p, id, H2E_CANCEL);
  /* In flight before our RST_STREAM arrived: handled, not an error. */
  peer_send_push_promise(p, id, 2, pushed_request, 4);
  h2e_frame f;
  while (peer_next_frame(p, &f)) /* declining it is allowed */
    assert_true(f.hd.type == H2E_FRAME_RST_STREAM && f.hd.stream_id == 2);
  h2e_event ev;
  while (peer_next_event(p, &ev))
    assert_true(ev.type == H2E_EV_PUSH_PROMISE ||
                (ev.type == H2E_EV_STREAM_RESET && ev.stream_id == 2));
  /* Stream 2 left the idle state: promising it again is illegal. */
  uint8_t payload[64];
  size_t len = promise_payload(payload, 2);
  peer_send_frame(p, H2E_FRAME_PUSH_PROMISE, H2E_FLAG_END_HEADERS, id, payload,
                  len);
  peer_expect_conn_error_any(p, H2E_PROTOCOL_ERROR, H2E_STREAM_CLOSED, 0, 2);
}

/* ---- §6.7 / §6.8 --------------------------------------------------------- */

static void test_6_7_client_answers_ping(void **state) {
  peer *p = client(state, NULL);
  peer_send_ping(p, 0, opaque);
  peer_expect_ping(p, H2E_FLAG_ACK, opaque);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_6_8_client_streams_above_last_id_end_as_retryable(void **state) {
  peer *p = client(state, NULL);
  uint32_t a = request(p, 1);
  uint32_t b = request(p, 1);
  uint32_t c = request(p, 1);
  peer_send_goaway(p, a, H2E_NO_ERROR);
  h2e_event ev = peer_expect_event(p, H2E_EV_GOAWAY, 0);
  assert_int_equal(ev.u.goaway.last_stream_id, a);
  for (int i = 0; i < 2; i++) {
    ev = peer_expect_event(p, H2E_EV_STREAM_RESET, i == 0 ? b : c);
    assert_int_equal(ev.u.reset.retryable, 1);
  }
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  /* The stream at the last id still completes. */
  respond(p, a, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, a);
}

static void test_6_8_client_opens_no_stream_after_goaway(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 0);
  peer_send_goaway(p, id, H2E_NO_ERROR);
  peer_expect_event(p, H2E_EV_GOAWAY, 0);
  assert_int_equal(h2e_conn_streams_available(p->conn), 0);
  assert_int_equal(h2e_submit_request(p->conn, peer_request_fields,
                                      PEER_REQUEST_FIELD_COUNT, H2E_END_STREAM),
                   H2E_ERR_CONN_CLOSED);
  peer_expect_no_frame(p);
  /* The open stream may still send its body. */
  peer_submit_body(p, id, 0, 10, H2E_END_STREAM, 1);
  peer_expect_data(p, id, H2E_FLAG_END_STREAM, p->body, 10);
}

static void
test_6_8_client_goaway_with_an_error_ends_the_connection(void **state) {
  peer *p = client(state, NULL);
  request(p, 1);
  static const uint8_t payload[11] = {
      0, 0, 0, 1, 0, 0, 0, H2E_PROTOCOL_ERROR, 'b', 'a', 'd'};
  peer_send_frame(p, H2E_FRAME_GOAWAY, 0, 0, payload, sizeof payload);
  h2e_event ev = peer_expect_event(p, H2E_EV_GOAWAY, 0);
  assert_int_equal(ev.u.goaway.error_code, H2E_PROTOCOL_ERROR);
  assert_int_equal(ev.u.goaway.debug_len, 3);
  assert_memory_equal(ev.u.goaway.debug_data, "bad", 3);
  peer_skip_events(p, H2E_EV_STREAM_RESET);
  ev = peer_expect_event(p, H2E_EV_CONN_ERROR, 0);
  assert_int_equal(ev.u.conn_error.error_code, H2E_PROTOCOL_ERROR);
  assert_int_equal(ev.u.conn_error.by_peer, 1);
  peer_expect_no_event(p);
}

/* ---- §6.9 flow control, client side -------------------------------------- */

static void test_6_9_1_client_request_body_keeps_to_the_windows(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 0);
  peer_submit_body(p, id, 0, 100000, H2E_END_STREAM, 1);
  peer_expect_data_total(p, id, 0, 65535, 0, 0);
  peer_expect_no_frame(p);
  peer_send_window_update(p, 0, 34465);
  peer_send_window_update(p, id, 34465);
  peer_expect_data_total(p, id, 65535, 34465, 1, 0);
  peer_expect_no_frame(p);
}

static void test_6_9_1_client_returns_credit_for_response_data(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  respond(p, id, 0);
  peer_send_data_frames(p, id, 0, 40000, 16000);
  peer_expect_data_event(p, id, 0, 40000, 0);
  peer_expect_no_frame(p);
  assert_int_equal(h2e_consume(p->conn, id, 40000), 0);
  int seen_conn = 0, seen_stream = 0;
  for (int i = 0; i < 2; i++) {
    h2e_frame f;
    assert_true(peer_next_frame(p, &f));
    assert_int_equal(f.hd.type, H2E_FRAME_WINDOW_UPDATE);
    assert_int_equal(f.u.window_update.increment, 40000);
    seen_conn += f.hd.stream_id == 0;
    seen_stream += f.hd.stream_id == id;
  }
  assert_int_equal(seen_conn + seen_stream, 2);
  assert_int_equal(seen_conn, 1);
}

static void
test_6_9_1_client_stream_window_overflow_is_stream_error(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 0);
  peer_send_window_update(p, id, 0x7fffffff);
  peer_expect_stream_error(p, id, H2E_FLOW_CONTROL_ERROR, 1);
}

/* ---- frame rules, as a client receives them ------------------------------ */

static void
test_6_5_client_settings_ack_with_payload_is_frame_size_error(void **state) {
  peer *p = client(state, NULL);
  static const uint8_t entry[6] = {
      0, H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 0, 0, 1};
  peer_send_frame(p, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0, entry, 6);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void test_6_5_2_client_rejects_max_frame_size_below_16384(void **state) {
  peer *p = client(state, NULL);
  peer_send_setting(p, H2E_SETTINGS_MAX_FRAME_SIZE, 16383);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_7_client_ping_on_a_stream_is_protocol_error(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  peer_send_frame(p, H2E_FRAME_PING, 0, id, opaque, 8);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_4_client_rst_stream_on_an_idle_stream_is_protocol_error(void **state) {
  peer *p = client(state, NULL);
  request(p, 1);
  peer_send_rst_stream(p, 3, H2E_CANCEL);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_5_1_client_window_update_on_an_idle_stream_is_error(void **state) {
  peer *p = client(state, NULL);
  request(p, 1);
  peer_send_window_update(p, 5, 10);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_1_client_data_pad_length_too_large_is_protocol_error(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  respond(p, id, 0);
  static const uint8_t payload[3] = {3, 'a', 'b'};
  peer_send_frame(p, H2E_FRAME_DATA, H2E_FLAG_PADDED, id, payload, 3);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_9_1_client_connection_window_overflow_is_error(void **state) {
  peer *p = client(state, NULL);
  request(p, 0);
  peer_send_window_update(p, 0, 0x7fffffff);
  peer_expect_conn_error(p, H2E_FLOW_CONTROL_ERROR, 0);
}

static void
test_6_9_client_window_update_of_0_on_a_stream_is_error(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 0);
  peer_send_window_update(p, id, 0);
  peer_expect_stream_error(p, id, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_10_client_continuation_without_a_block_is_error(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  respond(p, id, 0);
  static const uint8_t fragment[5] = {0x00, 0x01, 'x', 0x01, 'y'};
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, id, fragment,
                  sizeof fragment);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

/* ---- §6.10 / response kinds ---------------------------------------------- */

static void test_6_10_client_response_with_continuation(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  static const uint8_t block[] = {0x88, 0x00, 0x01, 'x', 0x01, 'y'};
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, id, block, 2);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, id,
                  block + 2, sizeof block - 2);
  static const h2e_field want[2] = {PEER_FIELD(":status", "200"),
                                    PEER_FIELD("x", "y")};
  peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, 1, want, 2);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
}

static void test_6_10_client_interrupted_response_block_is_error(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  static const uint8_t block[] = {0x88, 0x00, 0x01, 'x', 0x01, 'y'};
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, id, block, 2);
  peer_send_data(p, id, 0, p->body, 1);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_8_1_client_informational_response_comes_first(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  static const h2e_field early[2] = {PEER_FIELD(":status", "103"),
                                     PEER_FIELD("link", "</s.css>")};
  peer_send_headers(p, id, 0, early, 2);
  peer_expect_headers_event(p, id, H2E_HEADERS_INFORMATIONAL, 0, early, 2);
  respond(p, id, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
}

static void test_8_1_client_response_trailers_end_the_stream(void **state) {
  peer *p = client(state, NULL);
  uint32_t id = request(p, 1);
  respond(p, id, 0);
  peer_send_data(p, id, 0, p->body, 10);
  peer_expect_data_event(p, id, 0, 10, 0);
  peer_send_headers(p, id, PEER_END_STREAM, trailer, 1);
  peer_expect_headers_event(p, id, H2E_HEADERS_TRAILERS, 1, trailer, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  peer_expect_no_event(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_3_4_client_sends_preface_then_settings),
      PEER_TEST(test_3_4_client_settings_carry_the_configured_values),
      PEER_TEST(test_3_4_client_acknowledges_the_server_preface),
      PEER_TEST(test_3_4_client_may_send_a_request_before_the_server_preface),
      PEER_TEST(test_3_4_server_preface_must_be_settings),
      PEER_TEST(test_3_4_server_preface_may_not_be_a_settings_ack),
      PEER_TEST(test_3_4_http1_answer_instead_of_preface_is_protocol_error),
      PEER_TEST(test_4_1_client_ignores_unknown_frame_types),
      PEER_TEST(test_4_2_client_accepts_data_frames_of_16384_octets),
      PEER_TEST(test_4_2_client_data_over_max_frame_size_is_frame_size_error),
      PEER_TEST(test_4_2_client_headers_over_max_frame_size_is_conn_error),
      PEER_TEST(test_4_2_client_push_promise_over_max_frame_size_is_error),
      PEER_TEST(test_4_3_client_compression_error_is_connection_error),
      PEER_TEST(test_4_3_client_declined_promise_still_updates_the_table),
      PEER_TEST(test_5_1_client_request_opens_a_stream),
      PEER_TEST(test_5_1_client_end_stream_half_closes_local),
      PEER_TEST(test_5_1_client_request_body_after_end_stream_is_refused),
      PEER_TEST(test_5_1_client_headers_on_an_unopened_stream_is_error),
      PEER_TEST(test_5_1_client_headers_on_an_unpromised_even_stream_is_error),
      PEER_TEST(test_5_1_client_data_on_an_idle_stream_is_protocol_error),
      PEER_TEST(test_5_1_client_data_after_response_end_stream_is_error),
      PEER_TEST(test_5_1_client_data_on_a_closed_stream_is_stream_closed),
      PEER_TEST(test_5_1_client_stream_reset_by_server_is_reported),
      PEER_TEST(test_5_1_client_refused_stream_is_safe_to_retry),
      PEER_TEST(test_5_1_client_ignores_frames_after_its_own_reset),
      PEER_TEST(test_5_1_push_promise_reserves_the_promised_stream),
      PEER_TEST(test_5_1_headers_on_reserved_remote_half_closes_local),
      PEER_TEST(test_5_1_data_on_reserved_remote_is_protocol_error),
      PEER_TEST(test_5_1_window_update_on_reserved_remote_is_protocol_error),
      PEER_TEST(test_5_1_rst_stream_on_reserved_remote_closes_it),
      PEER_TEST(test_5_1_priority_on_reserved_remote_is_accepted),
      PEER_TEST(test_5_1_push_promise_on_reserved_remote_is_protocol_error),
      PEER_TEST(test_5_1_client_sends_only_rst_stream_on_reserved_remote),
      PEER_TEST(test_5_1_1_client_uses_odd_increasing_stream_ids),
      PEER_TEST(test_5_1_1_push_promise_of_an_odd_stream_is_protocol_error),
      PEER_TEST(test_5_1_1_push_promise_of_a_used_stream_is_protocol_error),
      PEER_TEST(test_5_1_1_push_promise_of_a_lower_stream_is_protocol_error),
      PEER_TEST(test_5_1_1_push_promise_of_stream_0_is_protocol_error),
      PEER_TEST(test_5_1_2_client_keeps_to_the_server_stream_limit),
      PEER_TEST(test_5_1_2_client_opens_nothing_under_a_zero_limit),
      PEER_TEST(test_5_1_2_client_applies_a_lowered_limit_to_new_streams),
      PEER_TEST(test_5_1_2_pushed_streams_over_the_client_limit_are_refused),
      PEER_TEST(test_6_5_2_client_rejects_enable_push_1_from_a_server),
      PEER_TEST(test_6_5_2_client_rejects_enable_push_2_from_a_server),
      PEER_TEST(test_6_5_2_client_accepts_enable_push_0_from_a_server),
      PEER_TEST(test_6_5_3_client_settings_time_out),
      PEER_TEST(test_6_6_push_promise_with_push_disabled_is_protocol_error),
      PEER_TEST(test_6_6_push_promise_on_stream_0_is_protocol_error),
      PEER_TEST(test_6_6_push_promise_on_an_idle_stream_is_protocol_error),
      PEER_TEST(test_6_6_push_promise_on_a_closed_stream_is_protocol_error),
      PEER_TEST(test_6_6_push_promise_on_half_closed_remote_is_protocol_error),
      PEER_TEST(test_6_6_push_promise_pad_length_too_large_is_protocol_error),
      PEER_TEST(test_6_6_push_promise_too_short_is_frame_size_error),
      PEER_TEST(test_6_6_padded_push_promise_is_decoded),
      PEER_TEST(test_6_6_push_promise_with_continuation_is_assembled),
      PEER_TEST(test_6_6_interrupted_push_promise_is_protocol_error),
      PEER_TEST(test_6_6_push_promise_after_our_reset_still_reserves),
      PEER_TEST(test_6_7_client_answers_ping),
      PEER_TEST(test_6_8_client_streams_above_last_id_end_as_retryable),
      PEER_TEST(test_6_8_client_opens_no_stream_after_goaway),
      PEER_TEST(test_6_8_client_goaway_with_an_error_ends_the_connection),
      PEER_TEST(test_6_9_1_client_request_body_keeps_to_the_windows),
      PEER_TEST(test_6_9_1_client_returns_credit_for_response_data),
      PEER_TEST(test_6_9_1_client_stream_window_overflow_is_stream_error),
      PEER_TEST(test_6_5_client_settings_ack_with_payload_is_frame_size_error),
      PEER_TEST(test_6_5_2_client_rejects_max_frame_size_below_16384),
      PEER_TEST(test_6_7_client_ping_on_a_stream_is_protocol_error),
      PEER_TEST(test_6_4_client_rst_stream_on_an_idle_stream_is_protocol_error),
      PEER_TEST(test_5_1_client_window_update_on_an_idle_stream_is_error),
      PEER_TEST(test_6_1_client_data_pad_length_too_large_is_protocol_error),
      PEER_TEST(test_6_9_1_client_connection_window_overflow_is_error),
      PEER_TEST(test_6_9_client_window_update_of_0_on_a_stream_is_error),
      PEER_TEST(test_6_10_client_continuation_without_a_block_is_error),
      PEER_TEST(test_6_10_client_response_with_continuation),
      PEER_TEST(test_6_10_client_interrupted_response_block_is_error),
      PEER_TEST(test_8_1_client_informational_response_comes_first),
      PEER_TEST(test_8_1_client_response_trailers_end_the_stream),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
