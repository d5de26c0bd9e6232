/* RFC 9113 §3.4: the connection preface, server role (the client-role
 * mirror is in test_conformance_client.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
static const uint8_t opaque[8] = {1, 2, 3, 4, 5, 6, 7, 8};

/* An invalid preface is a PROTOCOL_ERROR; the GOAWAY may be omitted
 * (RFC 9113 §3.4), but if one is sent it says so and processed nothing. */
static void expect_preface_error(peer *p, const uint8_t *bytes, size_t len) {
  ptrdiff_t n = h2e_conn_recv(p->conn, bytes, len, p->now_ms);
  if (n < 0)
    fail_msg("h2e_conn_recv returned %s for an invalid preface; a protocol "
             "error is an event, not a return code",
             h2e_strerror((int)n));
  peer_drain(p);
  if (p->wire_pos < p->wire_len) {
    peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
    return;
  }
  h2e_event ev = peer_expect_event(p, H2E_EV_CONN_ERROR, 0);
  assert_int_equal(ev.u.conn_error.error_code, H2E_PROTOCOL_ERROR);
  peer_expect_no_event(p);
  assert_int_equal(h2e_conn_recv(p->conn, bytes, len, p->now_ms),
                   H2E_ERR_CONN_CLOSED);
}

/* The server's SETTINGS, drained, before the client says anything. */
static peer *server_before_preface(void **state, const h2e_config *config) {
  peer *p = peer_new(state, H2E_SERVER, config);
  peer_expect_engine_settings(p);
  peer_expect_no_frame(p);
  return p;
}

static void
test_3_4_server_preface_is_a_settings_frame_sent_first(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  /* RFC 9113 §3.4: the first frame, before the client preface arrives. */
  static const h2e_setting defaults[] = {
      {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {H2E_SETTINGS_MAX_HEADER_LIST_SIZE, 65536},
      {H2E_SETTINGS_NO_RFC7540_PRIORITIES, 1}};
  peer_expect_settings(p, defaults, PEER_COUNT(defaults));
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_3_4_server_settings_carry_the_configured_values(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.header_table_size = 8192;
  config.max_concurrent_streams = 50;
  config.initial_window_size = 1u << 20;
  config.max_frame_size = 32768;
  config.max_header_list_size = 16384;
  config.enable_connect_protocol = 1;
  config.no_rfc7540_priorities = 0;
  peer *p = peer_new(state, H2E_SERVER, &config);
  static const h2e_setting want[] = {
      {H2E_SETTINGS_HEADER_TABLE_SIZE, 8192},
      {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 50},
      {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20},
      {H2E_SETTINGS_MAX_FRAME_SIZE, 32768},
      {H2E_SETTINGS_MAX_HEADER_LIST_SIZE, 16384},
      {H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1}};
  peer_expect_settings(p, want, PEER_COUNT(want));
  peer_expect_no_frame(p);
}

static void
test_3_4_server_cannot_be_set_to_announce_enable_push(void **state) {
  (void)state;
  /* RFC 9113 §6.5.2: a server MUST NOT set ENABLE_PUSH to 1. */
  h2e_config config = peer_config(H2E_SERVER);
  config.enable_push = 1;
  h2e_conn *conn = h2e_conn_new(&config, NULL, 0);
  assert_null(conn);
}

static void
test_3_4_server_opens_connection_window_after_its_settings(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.connection_window = 1u << 24;
  peer *p = peer_new(state, H2E_SERVER, &config);
  peer_expect_engine_settings(p);
  /* RFC 9113 §6.9.2: only a WINDOW_UPDATE changes the connection window. */
  peer_expect_window_update(p, 0, (1u << 24) - 65535);
  peer_expect_no_frame(p);
}

static void
test_3_4_client_settings_are_acked_after_server_preface(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  /* Nothing drained yet: the ACK must still come after our SETTINGS. */
  peer_send_preface(p);
  peer_send_setting(p, H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 10);
  peer_expect_engine_settings(p);
  peer_expect_settings_ack(p);
  peer_expect_no_frame(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_no_event(p);
}

static void
test_3_4_client_preface_may_arrive_one_octet_at_a_time(void **state) {
  peer *p = server_before_preface(state, NULL);
  peer_send_trickle(p, preface, 24);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_send_settings(p, NULL, 0);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_no_event(p);
}

static void
test_3_4_client_settings_may_arrive_one_octet_at_a_time(void **state) {
  peer *p = server_before_preface(state, NULL);
  static const uint8_t bytes[] = {
      'P',  'R',  'I',  ' ',  '*', ' ', 'H',
      'T',  'T',  'P',  '/',  '2', '.', '0',
      '\r', '\n', '\r', '\n', 'S', 'M', '\r',
      '\n', '\r', '\n', 0,    0,   6,   H2E_FRAME_SETTINGS,
      0,    0,    0,    0,    0,   0,   H2E_SETTINGS_MAX_CONCURRENT_STREAMS,
      0,    0,    0,    7};
  peer_send_trickle(p, bytes, sizeof bytes);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_no_event(p);
  assert_int_equal(
      h2e_conn_peer_setting(p->conn, H2E_SETTINGS_MAX_CONCURRENT_STREAMS), 7);
}

static void test_3_4_client_preface_and_settings_in_one_read(void **state) {
  peer *p = server_before_preface(state, NULL);
  static const uint8_t bytes[] = {
      'P',  'R',  'I',  ' ',  '*', ' ', 'H',
      'T',  'T',  'P',  '/',  '2', '.', '0',
      '\r', '\n', '\r', '\n', 'S', 'M', '\r',
      '\n', '\r', '\n', 0,    0,   0,   H2E_FRAME_SETTINGS,
      0,    0,    0,    0,    0};
  peer_send_bytes(p, bytes, sizeof bytes);
  peer_expect_settings_ack(p);
  peer_expect_no_frame(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_no_event(p);
}

static void test_3_4_empty_client_settings_are_a_valid_preface(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  /* The SETTINGS after the preface MAY be empty (RFC 9113 §3.4). */
  peer_handshake(p, NULL, 0);
  peer_expect_alive(p);
}

static void
test_3_4_client_may_send_a_request_before_server_settings_arrive(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  peer_send_preface(p);
  peer_send_settings(p, NULL, 0);
  peer_send_request(p, 1, PEER_END_STREAM);
  peer_expect_engine_settings(p);
  peer_expect_settings_ack(p);
  peer_expect_no_frame(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_request(p, 1, 1);
  peer_expect_no_event(p);
  peer_send_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS_ACK, 0);
  peer_finish_stream(p, 1);
}

static void test_3_4_server_waits_for_the_client_preface(void **state) {
  peer *p = server_before_preface(state, NULL);
  peer_tick(p, 1);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_send_preface(p);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_3_4_tls_client_hello_instead_of_preface_is_protocol_error(void **state) {
  peer *p = server_before_preface(state, NULL);
  static const uint8_t hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00,
                                  0x01, 0xfc, 0x03, 0x03, 0x5a, 0x5b, 0x5c,
                                  0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63,
                                  0x64, 0x65, 0x66, 0x67, 0x68, 0x69};
  expect_preface_error(p, hello, sizeof hello);
}

static void
test_3_4_preface_with_one_wrong_octet_is_protocol_error(void **state) {
  peer *p = server_before_preface(state, NULL);
  uint8_t bad[24];
  memcpy(bad, preface, 24);
  bad[19] = 'X'; /* "SX" instead of "SM" */
  expect_preface_error(p, bad, sizeof bad);
}

static void
test_3_4_preface_with_wrong_octet_in_a_later_read_is_error(void **state) {
  peer *p = server_before_preface(state, NULL);
  peer_send_bytes(p, preface, 16);
  static const uint8_t rest[8] = {'\r', '\n', 'S', 'X', '\r', '\n', '\r', '\n'};
  expect_preface_error(p, rest, sizeof rest);
}

static void
test_3_4_preface_with_wrong_version_is_protocol_error(void **state) {
  peer *p = server_before_preface(state, NULL);
  static const char bad[] = "PRI * HTTP/2.1\r\n\r\nSM\r\n\r\n";
  expect_preface_error(p, (const uint8_t *)bad, 24);
}

static void test_3_4_preface_followed_by_ping_is_protocol_error(void **state) {
  peer *p = server_before_preface(state, NULL);
  peer_send_preface(p);
  /* RFC 9113 §3.4: the preface MUST be followed by a SETTINGS frame. */
  peer_send_ping(p, 0, opaque);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_3_4_preface_followed_by_settings_ack_is_protocol_error(void **state) {
  peer *p = server_before_preface(state, NULL);
  peer_send_preface(p);
  /* An ACK does not carry the client's settings: not a valid preface. */
  peer_send_settings_ack(p);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_3_4_preface_followed_by_headers_is_protocol_error(void **state) {
  peer *p = server_before_preface(state, NULL);
  peer_send_preface(p);
  peer_send_request(p, 1, PEER_END_STREAM);
  /* The request was not processed: last stream id 0. */
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_3_4_preface_followed_by_window_update_is_protocol_error(void **state) {
  peer *p = server_before_preface(state, NULL);
  peer_send_preface(p);
  peer_send_window_update(p, 0, 1000);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_3_4_http1_get_request_line_is_not_http2(void **state) {
  peer *p = server_before_preface(state, NULL);
  static const char request[] = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
  size_t len = sizeof request - 1;
  assert_int_equal(
      h2e_conn_recv(p->conn, (const uint8_t *)request, len, p->now_ms),
      H2E_ERR_NOT_HTTP2);
  /* Nothing consumed and nothing changed: the same answer again. */
  assert_int_equal(
      h2e_conn_recv(p->conn, (const uint8_t *)request, len, p->now_ms),
      H2E_ERR_NOT_HTTP2);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void test_3_4_http1_post_request_line_is_not_http2(void **state) {
  peer *p = server_before_preface(state, NULL);
  static const char request[] =
      "POST /upload HTTP/1.0\r\nContent-Length: 0\r\n\r\n";
  assert_int_equal(h2e_conn_recv(p->conn, (const uint8_t *)request,
                                 sizeof request - 1, p->now_ms),
                   H2E_ERR_NOT_HTTP2);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_3_4_server_preface_is_a_settings_frame_sent_first),
      PEER_TEST(test_3_4_server_settings_carry_the_configured_values),
      PEER_TEST(test_3_4_server_cannot_be_set_to_announce_enable_push),
      PEER_TEST(test_3_4_server_opens_connection_window_after_its_settings),
      PEER_TEST(test_3_4_client_settings_are_acked_after_server_preface),
      PEER_TEST(test_3_4_client_preface_may_arrive_one_octet_at_a_time),
      PEER_TEST(test_3_4_client_settings_may_arrive_one_octet_at_a_time),
      PEER_TEST(test_3_4_client_preface_and_settings_in_one_read),
      PEER_TEST(test_3_4_empty_client_settings_are_a_valid_preface),
      PEER_TEST(
          test_3_4_client_may_send_a_request_before_server_settings_arrive),
      PEER_TEST(test_3_4_server_waits_for_the_client_preface),
      PEER_TEST(test_3_4_tls_client_hello_instead_of_preface_is_protocol_error),
      PEER_TEST(test_3_4_preface_with_one_wrong_octet_is_protocol_error),
      PEER_TEST(test_3_4_preface_with_wrong_octet_in_a_later_read_is_error),
      PEER_TEST(test_3_4_preface_with_wrong_version_is_protocol_error),
      PEER_TEST(test_3_4_preface_followed_by_ping_is_protocol_error),
      PEER_TEST(test_3_4_preface_followed_by_settings_ack_is_protocol_error),
      PEER_TEST(test_3_4_preface_followed_by_headers_is_protocol_error),
      PEER_TEST(test_3_4_preface_followed_by_window_update_is_protocol_error),
      PEER_TEST(test_3_4_http1_get_request_line_is_not_http2),
      PEER_TEST(test_3_4_http1_post_request_line_is_not_http2),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
