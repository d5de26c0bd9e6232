/* h2c upgrade (RFC 7540 §3.2): the HTTP2-Settings codec, and connections
 * that start from an upgrade in both roles, against the scripted peer
 * and between two engines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conn_pair.h"
#include "peer.h"

static const h2e_field upgraded_request[4] = {
    PEER_FIELD(":method", "GET"), PEER_FIELD(":scheme", "http"),
    PEER_FIELD(":authority", "example.com"), PEER_FIELD(":path", "/index")};
static const h2e_field status_200[1] = {PEER_FIELD(":status", "200")};

/* ---- HTTP2-Settings ------------------------------------------------------ */

/* What curl 7.88 sends: MAX_CONCURRENT_STREAMS 100, INITIAL_WINDOW_SIZE
 * 2^25, ENABLE_PUSH 0. */
static const char curl_value[] = "AAMAAABkAAQCAAAAAAIAAAAA";
static const h2e_setting curl_settings[3] = {
    {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
    {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 25},
    {H2E_SETTINGS_ENABLE_PUSH, 0}};

static void test_3_2_1_settings_encode_as_base64url(void **state) {
  (void)state;
  char out[64];
  assert_int_equal(h2e_upgrade_settings_encode(curl_settings, 3, out, 64), 24);
  assert_string_equal(out, curl_value);
  /* Every value bit and the URL-safe characters '-' and '_'. */
  static const h2e_setting odd[2] = {{1, 0xffffffffu}, {0xabcd, 0x12345678}};
  assert_int_equal(h2e_upgrade_settings_encode(odd, 2, out, 17), 16);
  assert_string_equal(out, "AAH_____q80SNFZ4");
  assert_int_equal(h2e_upgrade_settings_encode(odd, 2, out, 16),
                   H2E_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(h2e_upgrade_settings_encode(NULL, 0, out, 1), 0);
  assert_string_equal(out, "");
}

static void test_3_2_1_settings_decode(void **state) {
  (void)state;
  h2e_setting got[4];
  assert_int_equal(h2e_upgrade_settings_decode(curl_value, 24, got, 4), 3);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(got[i].id, curl_settings[i].id);
    assert_int_equal(got[i].value, curl_settings[i].value);
  }
  assert_int_equal(h2e_upgrade_settings_decode("AAH_____q80SNFZ4", 16, got, 4),
                   2);
  assert_int_equal(got[0].value, 0xffffffffu);
  assert_int_equal(got[1].id, 0xabcd); /* unknown ids pass (§6.5.2) */
  assert_int_equal(h2e_upgrade_settings_decode("", 0, got, 0), 0);
  assert_int_equal(h2e_upgrade_settings_decode(curl_value, 24, got, 2),
                   H2E_ERR_BUFFER_TOO_SMALL);
}

static void test_3_2_1_bad_settings_values_are_refused(void **state) {
  (void)state;
  h2e_setting got[4];
  /* not a whole number of settings (padding included) */
  assert_int_equal(h2e_upgrade_settings_decode(curl_value, 23, got, 4),
                   H2E_ERR_PROTOCOL);
  assert_int_equal(h2e_upgrade_settings_decode("AAQAAAPo====", 12, got, 4),
                   H2E_ERR_PROTOCOL);
  /* base64 (not base64url) characters */
  assert_int_equal(h2e_upgrade_settings_decode("AAH/////", 8, got, 4),
                   H2E_ERR_PROTOCOL);
  /* ENABLE_PUSH 2 and INITIAL_WINDOW_SIZE 2^31 are out of range */
  char text[32];
  static const h2e_setting bad[2] = {
      {H2E_SETTINGS_ENABLE_PUSH, 2},
      {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 31}};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(h2e_upgrade_settings_encode(&bad[i], 1, text, 32), 8);
    assert_int_equal(h2e_upgrade_settings_decode(text, 8, got, 4),
                     H2E_ERR_PROTOCOL);
  }
}

static void test_3_2_1_config_settings_are_the_opening_settings(void **state) {
  (void)state;
  h2e_config config;
  h2e_config_init(&config, H2E_CLIENT);
  config.initial_window_size = 1u << 20;
  config.enable_connect_protocol = 1;
  h2e_setting got[H2E_OPENING_SETTINGS_MAX], want[H2E_OPENING_SETTINGS_MAX];
  size_t n = h2e_config_settings(&config, got, H2E_OPENING_SETTINGS_MAX);
  assert_int_equal(
      n, peer_engine_settings(&config, want, H2E_OPENING_SETTINGS_MAX));
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(got[i].id, want[i].id);
    assert_int_equal(got[i].value, want[i].value);
  }
  /* Counted even when out has no room. */
  assert_int_equal(h2e_config_settings(&config, got, 1), n);
}

/* ---- server -------------------------------------------------------------- */

/* A server engine that took over after a 101 for upgraded_request, the
 * client's HTTP2-Settings carrying `settings`; the request's HEADERS
 * event is checked, then the preface exchange. */
static peer *upgraded_server(void **state, const h2e_setting *settings,
                             size_t count) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  h2e_conn_free(p->conn);
  p->conn = h2e_conn_new_upgraded(&p->config, NULL, p->now_ms, settings, count,
                                  upgraded_request, 4);
  assert_non_null(p->conn);
  assert_int_equal(h2e_stream_get_state(p->conn, 1),
                   H2E_STATE_HALF_CLOSED_REMOTE);
  peer_expect_headers_event(p, 1, H2E_HEADERS_REQUEST, 1, upgraded_request, 4);
  peer_expect_no_event(p);
  peer_handshake(p, NULL, 0);
  p->next_stream_id = 3;
  return p;
}

static void test_3_2_server_answers_the_upgraded_request_on_1(void **state) {
  peer *p = upgraded_server(state, curl_settings, 3);
  peer_submit_status(p, 1, "200", 0);
  peer_expect_headers(p, 1, 0, status_200, 1);
  peer_submit_body(p, 1, 0, 5000, H2E_END_STREAM, 1);
  peer_expect_data_total(p, 1, 0, 5000, 1, 0);
  peer_expect_two_events(p, H2E_EV_DATA_SENT, 1, H2E_EV_STREAM_CLOSED, 1);
  /* HTTP2-Settings said ENABLE_PUSH 0. */
  assert_int_equal(h2e_conn_peer_setting(p->conn, H2E_SETTINGS_ENABLE_PUSH), 0);
  peer_expect_alive(p); /* stream 3 next */
}

static void test_3_2_1_http2_settings_apply_before_the_preface(void **state) {
  static const h2e_setting small_window[1] = {
      {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1000}};
  peer *p = peer_new(state, H2E_SERVER, NULL);
  h2e_conn_free(p->conn);
  p->conn = h2e_conn_new_upgraded(&p->config, NULL, p->now_ms, small_window, 1,
                                  upgraded_request, 4);
  assert_non_null(p->conn);
  peer_expect_headers_event(p, 1, H2E_HEADERS_REQUEST, 1, upgraded_request, 4);
  /* The server's SETTINGS go first; the response may follow before the
   * client's preface arrives; no ACK for HTTP2-Settings (§3.2.1). */
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 3000, H2E_END_STREAM, 1);
  peer_expect_engine_settings(p);
  peer_expect_headers(p, 1, 0, status_200, 1);
  peer_expect_data_total(p, 1, 0, 1000, 0, 0);
  peer_expect_no_frame(p);
  /* The client's SETTINGS frame leaves INITIAL_WINDOW_SIZE as it was. */
  peer_send_preface(p);
  peer_send_settings(p, NULL, 0);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_no_frame(p);
  peer_send_window_update(p, 1, 2000);
  peer_expect_data_total(p, 1, 1000, 2000, 1, 0);
}

static void test_3_2_client_reuse_of_stream_1_is_stream_closed(void **state) {
  peer *p = upgraded_server(state, NULL, 0);
  /* Stream 1 is half-closed (remote): §5.1 STREAM_CLOSED. */
  peer_send_headers(p, 1, PEER_END_STREAM, upgraded_request, 4);
  peer_expect_stream_error(p, 1, H2E_STREAM_CLOSED, 1);
}

static void test_3_2_server_requires_the_preface_after_upgrade(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  h2e_conn_free(p->conn);
  p->conn = h2e_conn_new_upgraded(&p->config, NULL, p->now_ms, NULL, 0,
                                  upgraded_request, 4);
  assert_non_null(p->conn);
  peer_expect_headers_event(p, 1, H2E_HEADERS_REQUEST, 1, upgraded_request, 4);
  static const char http1[] = "GET / HTTP/1.1\r\n\r\n";
  assert_int_equal(h2e_conn_recv(p->conn, (const uint8_t *)http1,
                                 sizeof http1 - 1, p->now_ms),
                   H2E_ERR_NOT_HTTP2);
}

static void test_3_2_1_invalid_settings_refuse_the_upgrade(void **state) {
  (void)state;
  h2e_config config;
  h2e_config_init(&config, H2E_SERVER);
  static const h2e_setting bad[2] = {{H2E_SETTINGS_ENABLE_PUSH, 2},
                                     {H2E_SETTINGS_MAX_FRAME_SIZE, 100}};
  for (int i = 0; i < 2; i++)
    assert_null(h2e_conn_new_upgraded(&config, NULL, 0, &bad[i], 1,
                                      upgraded_request, 4));
  /* Fields beyond what the engine can hold as decoded fields. */
  config.max_header_list_size = 1024;
  static char big[100000];
  memset(big, 'a', sizeof big);
  h2e_field fields[5];
  memcpy(fields, upgraded_request, sizeof upgraded_request);
  fields[4] =
      (h2e_field){(const uint8_t *)"x-big", (const uint8_t *)big, 5, 100000, 0};
  assert_null(h2e_conn_new_upgraded(&config, NULL, 0, NULL, 0, fields, 5));
}

/* ---- client -------------------------------------------------------------- */

static peer *upgraded_client(void **state) {
  peer *p = peer_new(state, H2E_CLIENT, NULL);
  h2e_conn_free(p->conn);
  p->conn =
      h2e_conn_new_upgraded(&p->config, NULL, p->now_ms, NULL, 0, NULL, 0);
  assert_non_null(p->conn);
  assert_int_equal(h2e_stream_get_state(p->conn, 1),
                   H2E_STATE_HALF_CLOSED_LOCAL);
  peer_handshake(p, NULL, 0);
  return p;
}

static void test_3_2_client_gets_the_response_on_stream_1(void **state) {
  peer *p = upgraded_client(state);
  /* Nothing more may go out on stream 1. */
  assert_int_equal(h2e_submit_data(p->conn, 1, "x", 1, H2E_END_STREAM, 1),
                   H2E_ERR_STREAM_CLOSED);
  peer_send_response(p, 1, "200", 0);
  peer_expect_headers_event(p, 1, H2E_HEADERS_RESPONSE, 0, status_200, 1);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 300);
  peer_expect_data_event(p, 1, 0, 300, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 1);
  assert_int_equal(h2e_consume(p->conn, 1, 300), H2E_OK);
  peer_expect_no_frame(p);
  /* The next request takes stream 3. */
  uint32_t id = peer_submit_request(p, H2E_END_STREAM);
  assert_int_equal(id, 3);
  peer_expect_request_headers(p, 3, 1);
}

static void test_3_2_client_stream_1_counts_toward_the_limit(void **state) {
  peer *p = peer_new(state, H2E_CLIENT, NULL);
  h2e_conn_free(p->conn);
  p->conn =
      h2e_conn_new_upgraded(&p->config, NULL, p->now_ms, NULL, 0, NULL, 0);
  static const h2e_setting one[1] = {{H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 1}};
  peer_handshake(p, one, 1);
  assert_int_equal(h2e_conn_streams_available(p->conn), 0);
  assert_int_equal(h2e_submit_request(p->conn, peer_request_fields, 4, 0),
                   H2E_ERR_STREAM_LIMIT);
}

/* ---- both engines -------------------------------------------------------- */

static void test_3_2_upgrade_end_to_end(void **state) {
  (void)state;
  pair *p = pair_new(NULL, NULL);
  h2e_config cc, sc;
  h2e_config_init(&cc, H2E_CLIENT);
  h2e_config_init(&sc, H2E_SERVER);
  cc.initial_window_size = 100000;
  /* Client: HTTP2-Settings from its config. */
  h2e_setting mine[H2E_OPENING_SETTINGS_MAX];
  size_t n = h2e_config_settings(&cc, mine, H2E_OPENING_SETTINGS_MAX);
  char text[8 * H2E_OPENING_SETTINGS_MAX + 1];
  ptrdiff_t len = h2e_upgrade_settings_encode(mine, n, text, sizeof text);
  assert_int_equal(len, (ptrdiff_t)(8 * n));
  /* Server: decodes it, answers 101, takes over. */
  h2e_setting theirs[16];
  assert_int_equal(h2e_upgrade_settings_decode(text, (size_t)len, theirs, 16),
                   (ptrdiff_t)n);
  h2e_conn_free(p->server.conn);
  h2e_conn_free(p->client.conn);
  p->server.conn =
      h2e_conn_new_upgraded(&sc, NULL, 0, theirs, n, upgraded_request, 4);
  p->client.conn = h2e_conn_new_upgraded(&cc, NULL, 0, NULL, 0, NULL, 0);
  assert_non_null(p->server.conn);
  assert_non_null(p->client.conn);
  pair_pull(&p->server);
  const pair_event *ev = pair_find(&p->server, H2E_EV_HEADERS, 1, 0);
  assert_non_null(ev);
  assert_int_equal(ev->count, 4);
  assert_string_equal(ev->value0, "GET");
  /* A body larger than the default window: the HTTP2-Settings window
   * lets it go at once. */
  static uint8_t body[90000];
  for (size_t i = 0; i < sizeof body; i++)
    body[i] = (uint8_t)(i * 7);
  assert_int_equal(
      h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2, 0), H2E_OK);
  assert_int_equal(
      h2e_submit_data(p->server.conn, 1, body, sizeof body, H2E_END_STREAM, 1),
      H2E_OK);
  pair_pump(p);
  ev = pair_find(&p->client, H2E_EV_HEADERS, 1, 0);
  assert_non_null(ev);
  assert_string_equal(ev->status, "200");
  assert_int_equal(p->client.body_len[1], sizeof body);
  assert_memory_equal(p->client.body[1], body, sizeof body);
  assert_int_equal(pair_count(&p->client, H2E_EV_STREAM_CLOSED, 1), 1);
  assert_int_equal(pair_count(&p->server, H2E_EV_STREAM_CLOSED, 1), 1);
  assert_int_equal(pair_count(&p->client, H2E_EV_CONN_ERROR, 0), 0);
  assert_int_equal(pair_count(&p->server, H2E_EV_CONN_ERROR, 0), 0);
  /* The connection goes on with stream 3. */
  assert_int_equal(
      h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM),
      3);
  pair_pump(p);
  assert_non_null(pair_find(&p->server, H2E_EV_HEADERS, 3, 0));
  pair_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_3_2_1_settings_encode_as_base64url),
      cmocka_unit_test(test_3_2_1_settings_decode),
      cmocka_unit_test(test_3_2_1_bad_settings_values_are_refused),
      cmocka_unit_test(test_3_2_1_config_settings_are_the_opening_settings),
      PEER_TEST(test_3_2_server_answers_the_upgraded_request_on_1),
      PEER_TEST(test_3_2_1_http2_settings_apply_before_the_preface),
      PEER_TEST(test_3_2_client_reuse_of_stream_1_is_stream_closed),
      PEER_TEST(test_3_2_server_requires_the_preface_after_upgrade),
      cmocka_unit_test(test_3_2_1_invalid_settings_refuse_the_upgrade),
      PEER_TEST(test_3_2_client_gets_the_response_on_stream_1),
      PEER_TEST(test_3_2_client_stream_1_counts_toward_the_limit),
      cmocka_unit_test(test_3_2_upgrade_end_to_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
