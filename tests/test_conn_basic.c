/* End-to-end smoke tests: a client and a server h2e_conn wired to each
 * other in memory (tests/support/conn_pair.c), exchanging real requests
 * and responses through both engines. */
#include "conn_pair.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t *pattern(size_t len, unsigned seed) {
  uint8_t *body = malloc(len ? len : 1);
  for (size_t i = 0; i < len; i++)
    body[i] = (uint8_t)(i * 31 + seed + (i >> 8));
  return body;
}

static pair *handshake(const h2e_config *client, const h2e_config *server) {
  pair *p = pair_new(client, server);
  pair_pump(p);
  assert_int_equal(pair_count(&p->client, H2E_EV_SETTINGS, 0), 1);
  assert_int_equal(pair_count(&p->client, H2E_EV_SETTINGS_ACK, 0), 1);
  assert_int_equal(pair_count(&p->server, H2E_EV_SETTINGS, 0), 1);
  assert_int_equal(pair_count(&p->server, H2E_EV_SETTINGS_ACK, 0), 1);
  pair_clear_log(&p->client);
  pair_clear_log(&p->server);
  /* Idle now: both give their buffers back (and set no other timer). */
  h2e_conn_tick(p->client.conn, p->now_ms);
  h2e_conn_tick(p->server.conn, p->now_ms);
  return p;
}

static void test_3_4_both_ends_exchange_prefaces_and_settings(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  assert_int_equal(h2e_conn_peer_setting(p->client.conn,
                                         H2E_SETTINGS_MAX_CONCURRENT_STREAMS),
                   100);
  assert_int_equal(
      h2e_conn_peer_setting(p->server.conn, H2E_SETTINGS_ENABLE_PUSH), 0);
  assert_int_equal(h2e_conn_want(p->client.conn), H2E_WANT_READ);
  assert_int_equal(h2e_conn_want(p->server.conn), H2E_WANT_READ);
  assert_int_equal(h2e_conn_deadline(p->client.conn), UINT64_MAX);
  pair_free(p);
}

static void test_8_1_get_then_response_with_body(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  int32_t id =
      h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  assert_int_equal(id, 1);
  pair_pump(p);
  const pair_event *req = pair_find(&p->server, H2E_EV_HEADERS, 1, 0);
  assert_non_null(req);
  assert_int_equal(req->kind, H2E_HEADERS_REQUEST);
  assert_int_equal(req->end_stream, 1);
  assert_int_equal(req->count, 4);
  assert_string_equal(req->name0, ":method");
  assert_string_equal(req->value0, "GET");
  assert_int_equal(h2e_stream_get_state(p->server.conn, 1),
                   H2E_STATE_HALF_CLOSED_REMOTE);

  uint8_t *body = pattern(100000, 1);
  assert_int_equal(
      h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2, 0), 0);
  assert_int_equal(
      h2e_submit_data(p->server.conn, 1, body, 100000, H2E_END_STREAM, 77), 0);
  pair_pump(p);
  const pair_event *resp = pair_find(&p->client, H2E_EV_HEADERS, 1, 0);
  assert_non_null(resp);
  assert_int_equal(resp->kind, H2E_HEADERS_RESPONSE);
  assert_string_equal(resp->status, "200");
  assert_int_equal(p->client.body_len[1], 100000);
  assert_memory_equal(p->client.body[1], body, 100000);
  assert_non_null(pair_find(&p->client, H2E_EV_STREAM_CLOSED, 1, 0));
  const pair_event *sent = pair_find(&p->server, H2E_EV_DATA_SENT, 1, 0);
  assert_non_null(sent);
  assert_int_equal(sent->cookie, 77);
  assert_non_null(pair_find(&p->server, H2E_EV_STREAM_CLOSED, 1, 0));
  assert_int_equal(h2e_stream_get_state(p->server.conn, 1), H2E_STATE_CLOSED);
  free(body);
  pair_free(p);
}

static void test_8_1_post_with_body_and_trailers(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  uint8_t *body = pattern(1 << 20, 2);
  int32_t id = h2e_submit_request(p->client.conn, pair_post_request, 4, 0);
  assert_int_equal(id, 1);
  assert_int_equal(h2e_submit_data(p->client.conn, 1, body, 1 << 20, 0, 5), 0);
  /* Trailers while the body waits: they go out after it. */
  static const h2e_field trailers[] = {PAIR_FIELD("x-checksum", "abc")};
  assert_int_equal(
      h2e_submit_headers(p->client.conn, 1, trailers, 1, H2E_END_STREAM), 0);
  assert_int_equal(h2e_submit_data(p->client.conn, 1, body, 1, 0, 6),
                   H2E_ERR_STREAM_CLOSED);
  pair_pump(p);
  assert_int_equal(p->server.body_len[1], 1 << 20);
  assert_memory_equal(p->server.body[1], body, 1 << 20);
  const pair_event *t = pair_find(&p->server, H2E_EV_HEADERS, 1, 1);
  assert_non_null(t);
  assert_int_equal(t->kind, H2E_HEADERS_TRAILERS);
  assert_int_equal(t->end_stream, 1);
  assert_string_equal(t->name0, "x-checksum");
  /* Trailers come after every DATA event. */
  assert_true(t > pair_find(&p->server, H2E_EV_DATA, 1,
                            pair_count(&p->server, H2E_EV_DATA, 1) - 1));
  assert_int_equal(h2e_submit_headers(p->server.conn, 1, pair_ok_response, 1,
                                      H2E_END_STREAM),
                   0);
  pair_pump(p);
  assert_non_null(pair_find(&p->client, H2E_EV_STREAM_CLOSED, 1, 0));
  assert_non_null(pair_find(&p->server, H2E_EV_STREAM_CLOSED, 1, 0));
  assert_int_equal(pair_find(&p->client, H2E_EV_DATA_SENT, 1, 0)->cookie, 5);
  free(body);
  pair_free(p);
}

static void
test_8_1_informational_responses_before_the_final_one(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  pair_pump(p);
  static const h2e_field early[] = {PAIR_FIELD(":status", "103"),
                                    PAIR_FIELD("link", "</a.css>")};
  static const h2e_field cont[] = {PAIR_FIELD(":status", "100")};
  assert_int_equal(h2e_submit_headers(p->server.conn, 1, cont, 1, 0), 0);
  assert_int_equal(h2e_submit_headers(p->server.conn, 1, early, 2, 0), 0);
  assert_int_equal(h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2,
                                      H2E_END_STREAM),
                   0);
  pair_pump(p);
  assert_int_equal(pair_find(&p->client, H2E_EV_HEADERS, 1, 0)->kind,
                   H2E_HEADERS_INFORMATIONAL);
  assert_int_equal(pair_find(&p->client, H2E_EV_HEADERS, 1, 1)->kind,
                   H2E_HEADERS_INFORMATIONAL);
  const pair_event *final = pair_find(&p->client, H2E_EV_HEADERS, 1, 2);
  assert_int_equal(final->kind, H2E_HEADERS_RESPONSE);
  assert_int_equal(final->end_stream, 1);
  pair_free(p);
}

static void test_6_4_client_reset_reaches_the_server(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  h2e_submit_request(p->client.conn, pair_post_request, 4, 0);
  pair_pump(p);
  assert_int_equal(h2e_submit_rst_stream(p->client.conn, 1, H2E_CANCEL), 0);
  assert_int_equal(h2e_submit_rst_stream(p->client.conn, 1, H2E_CANCEL),
                   H2E_ERR_STREAM_CLOSED);
  assert_int_equal(h2e_submit_rst_stream(p->client.conn, 3, H2E_CANCEL),
                   H2E_ERR_INVALID_ARG);
  pair_pump(p);
  const pair_event *r = pair_find(&p->server, H2E_EV_STREAM_RESET, 1, 0);
  assert_non_null(r);
  assert_int_equal(r->code, H2E_CANCEL);
  assert_int_equal(r->by_peer, 1);
  assert_int_equal(r->retryable, 0);
  /* The client's own reset raises nothing for it. */
  assert_int_equal(pair_count(&p->client, H2E_EV_STREAM_RESET, 0), 0);
  /* Frames the server had in flight are ignored by the client. */
  assert_int_equal(
      h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2, 0),
      H2E_ERR_STREAM_CLOSED);
  pair_free(p);
}

static void test_6_4_server_reset_releases_queued_bodies(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  pair_pump(p);
  static uint8_t body[200000];
  p->client.no_consume = 1;
  h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2, 0);
  h2e_submit_data(p->server.conn, 1, body, sizeof body, 0, 1);
  h2e_submit_data(p->server.conn, 1, body, sizeof body, H2E_END_STREAM, 2);
  pair_pump(p); /* stalls on the client's 64 KiB windows */
  assert_int_equal(p->client.body_len[1], 65535);
  assert_int_equal(h2e_submit_rst_stream(p->server.conn, 1, H2E_INTERNAL_ERROR),
                   0);
  assert_int_equal(pair_count(&p->server, H2E_EV_DATA_SENT, 1), 0);
  pair_pump(p);
  assert_int_equal(pair_count(&p->server, H2E_EV_DATA_SENT, 1), 2);
  const pair_event *r = pair_find(&p->client, H2E_EV_STREAM_RESET, 1, 0);
  assert_non_null(r);
  assert_int_equal(r->code, H2E_INTERNAL_ERROR);
  pair_free(p);
}

static void test_6_7_ping_reports_the_round_trip(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  static const uint8_t opaque[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  assert_int_equal(h2e_submit_ping(p->client.conn, opaque, 100), 0);
  p->now_ms = 137;
  pair_pump(p);
  const pair_event *ack = pair_find(&p->client, H2E_EV_PING_ACK, 0, 0);
  assert_non_null(ack);
  assert_int_equal(ack->rtt_ms, 37);
  assert_int_equal(pair_count(&p->server, H2E_EV_PING_ACK, 0), 0);
  pair_free(p);
}

static void test_6_8_graceful_goaway_lets_the_open_stream_finish(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  pair_pump(p);
  assert_int_equal(h2e_submit_goaway(p->server.conn, H2E_NO_ERROR, "bye", 0),
                   0);
  pair_pump(p);
  const pair_event *first = pair_find(&p->client, H2E_EV_GOAWAY, 0, 0);
  const pair_event *second = pair_find(&p->client, H2E_EV_GOAWAY, 0, 1);
  assert_non_null(first);
  assert_non_null(second);
  assert_int_equal(first->last_stream_id, 0x7fffffff);
  assert_int_equal(second->last_stream_id, 1);
  assert_int_equal(h2e_submit_request(p->client.conn, pair_get_request, 4, 0),
                   H2E_ERR_CONN_CLOSED);
  assert_int_equal(h2e_conn_streams_available(p->client.conn), 0);
  assert_int_equal(h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2,
                                      H2E_END_STREAM),
                   0);
  pair_pump(p);
  assert_non_null(pair_find(&p->client, H2E_EV_STREAM_CLOSED, 1, 0));
  assert_int_equal(h2e_conn_want(p->server.conn), H2E_CLOSED);
  assert_int_equal(h2e_conn_want(p->client.conn), H2E_CLOSED);
  pair_free(p);
}

static void
test_6_8_goaway_fails_streams_above_last_as_retryable(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  pair_pump(p);
  /* Stream 3 is queued at the client when the server's GOAWAY arrives;
   * the client's PING ACK (a control frame) overtakes its HEADERS, so the
   * final GOAWAY says 1 and stream 3 is safe to retry elsewhere. */
  h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  assert_int_equal(h2e_submit_goaway(p->server.conn, H2E_NO_ERROR, NULL, 0), 0);
  pair_transfer(p, &p->server, &p->client);
  assert_null(pair_find(&p->client, H2E_EV_STREAM_RESET, 3, 0));
  pair_pump(p);
  assert_int_equal(pair_find(&p->client, H2E_EV_GOAWAY, 0, 1)->last_stream_id,
                   1);
  const pair_event *r = pair_find(&p->client, H2E_EV_STREAM_RESET, 3, 0);
  assert_non_null(r);
  assert_int_equal(r->retryable, 1);
  assert_int_equal(r->code, H2E_REFUSED_STREAM);
  assert_int_equal(pair_count(&p->server, H2E_EV_HEADERS, 3), 0);
  /* Stream 1 still completes. */
  h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2, H2E_END_STREAM);
  pair_pump(p);
  assert_non_null(pair_find(&p->client, H2E_EV_STREAM_CLOSED, 1, 0));
  assert_int_equal(h2e_conn_want(p->client.conn), H2E_CLOSED);
  pair_free(p);
}

static void test_6_5_settings_change_takes_effect(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  h2e_setting s[] = {{H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20},
                     {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 2}};
  assert_int_equal(h2e_submit_settings(p->server.conn, s, 2, 5), 0);
  assert_int_equal(h2e_conn_deadline(p->server.conn), 10005);
  pair_pump(p);
  assert_int_equal(pair_count(&p->client, H2E_EV_SETTINGS, 0), 1);
  assert_int_equal(pair_count(&p->server, H2E_EV_SETTINGS_ACK, 0), 1);
  h2e_conn_tick(p->server.conn, p->now_ms); /* buffers given back */
  assert_int_equal(h2e_conn_deadline(p->server.conn), UINT64_MAX);
  assert_int_equal(
      h2e_conn_peer_setting(p->client.conn, H2E_SETTINGS_INITIAL_WINDOW_SIZE),
      1 << 20);
  assert_int_equal(h2e_conn_streams_available(p->client.conn), 2);
  assert_true(h2e_submit_request(p->client.conn, pair_get_request, 4, 0) > 0);
  assert_true(h2e_submit_request(p->client.conn, pair_get_request, 4, 0) > 0);
  assert_int_equal(h2e_submit_request(p->client.conn, pair_get_request, 4, 0),
                   H2E_ERR_STREAM_LIMIT);
  /* A bigger window lets a 1 MiB upload go in one flight (less the
   * connection window, which SETTINGS cannot change). */
  static uint8_t body[200000];
  h2e_submit_data(p->client.conn, 1, body, sizeof body, H2E_END_STREAM, 9);
  pair_pump(p);
  assert_int_equal(p->server.body_len[1], sizeof body);
  pair_free(p);
}

static void test_6_5_3_unanswered_settings_time_out(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  h2e_setting s = {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 10};
  assert_int_equal(h2e_submit_settings(p->server.conn, &s, 1, 1000), 0);
  assert_int_equal(h2e_conn_tick(p->server.conn, 10999), 0);
  pair_pull(&p->server);
  assert_int_equal(pair_count(&p->server, H2E_EV_CONN_ERROR, 0), 0);
  assert_int_equal(h2e_conn_tick(p->server.conn, 11000), 1);
  pair_pull(&p->server);
  const pair_event *e = pair_find(&p->server, H2E_EV_CONN_ERROR, 0, 0);
  assert_non_null(e);
  assert_int_equal(e->code, H2E_SETTINGS_TIMEOUT);
  pair_pump(p);
  const pair_event *g = pair_find(&p->client, H2E_EV_GOAWAY, 0, 0);
  assert_int_equal(g->code, H2E_SETTINGS_TIMEOUT);
  assert_int_equal(h2e_conn_want(p->server.conn), H2E_CLOSED);
  pair_free(p);
}

static void test_6_9_large_bodies_both_ways_with_consume(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  size_t len = 3 << 20;
  uint8_t *up = pattern(len, 3), *down = pattern(len, 4);
  for (int i = 0; i < 3; i++) {
    int32_t id = h2e_submit_request(p->client.conn, pair_post_request, 4, 0);
    assert_int_equal(id, 1 + 2 * i);
    h2e_submit_data(p->client.conn, (uint32_t)id, up, len, H2E_END_STREAM, 0);
  }
  pair_pump(p);
  for (uint32_t id = 1; id <= 5; id += 2) {
    assert_int_equal(p->server.body_len[id], len);
    assert_memory_equal(p->server.body[id], up, len);
    h2e_submit_headers(p->server.conn, id, pair_ok_response, 2, 0);
    h2e_submit_data(p->server.conn, id, down, len, H2E_END_STREAM, id);
  }
  pair_pump(p);
  for (uint32_t id = 1; id <= 5; id += 2) {
    assert_int_equal(p->client.body_len[id], len);
    assert_memory_equal(p->client.body[id], down, len);
  }
  free(up);
  free(down);
  pair_free(p);
}

static void test_5_2_auto_consume_returns_credit_by_itself(void **state) {
  (void)state;
  h2e_config sc;
  h2e_config_init(&sc, H2E_SERVER);
  sc.auto_consume = 1;
  sc.connection_window = 1 << 24;
  pair *p = handshake(NULL, &sc);
  p->server.no_consume = 1;
  size_t len = 1 << 20;
  uint8_t *up = pattern(len, 5);
  h2e_submit_request(p->client.conn, pair_post_request, 4, 0);
  h2e_submit_data(p->client.conn, 1, up, len, H2E_END_STREAM, 0);
  pair_pump(p);
  assert_int_equal(p->server.body_len[1], len);
  assert_memory_equal(p->server.body[1], up, len);
  free(up);
  pair_free(p);
}

static void test_8_1_body_from_a_file_region(void **state) {
  (void)state;
  char path[] = "/tmp/h2e-test-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  unlink(path);
  uint8_t *content = pattern(70000, 6);
  assert_int_equal(write(fd, content, 70000), 70000);
  pair *p = handshake(NULL, NULL);
  h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  pair_pump(p);
  h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2, 0);
  assert_int_equal(
      h2e_submit_file(p->server.conn, 1, fd, 1000, 60000, H2E_END_STREAM, 8),
      0);
  pair_pump(p);
  assert_int_equal(p->client.body_len[1], 60000);
  assert_memory_equal(p->client.body[1], content + 1000, 60000);
  assert_int_equal(pair_find(&p->server, H2E_EV_DATA_SENT, 1, 0)->cookie, 8);
  close(fd);
  free(content);
  pair_free(p);
}

static void test_5_1_many_streams_share_the_connection(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  static uint8_t body[30000];
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 100; i++)
      assert_true(h2e_submit_request(p->client.conn, pair_get_request, 4,
                                     H2E_END_STREAM) > 0);
    assert_int_equal(
        h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM),
        H2E_ERR_STREAM_LIMIT);
    pair_pump(p);
    for (size_t i = 0; i < 100; i++) {
      const pair_event *req =
          pair_find(&p->server, H2E_EV_HEADERS, 0, (size_t)round * 100 + i);
      assert_non_null(req);
      h2e_submit_headers(p->server.conn, req->stream_id, pair_ok_response, 2,
                         0);
      h2e_submit_data(p->server.conn, req->stream_id, body, sizeof body,
                      H2E_END_STREAM, req->stream_id);
    }
    pair_pump(p);
    assert_int_equal(pair_count(&p->client, H2E_EV_STREAM_CLOSED, 0),
                     100 * (size_t)(round + 1));
  }
  assert_int_equal(h2e_conn_streams_available(p->client.conn), 100);
  pair_free(p);
}

static void test_3_4_http1_request_is_not_http2(void **state) {
  (void)state;
  h2e_config sc;
  h2e_config_init(&sc, H2E_SERVER);
  h2e_conn *server = h2e_conn_new(&sc, NULL, 0);
  static const char get[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  assert_int_equal(
      h2e_conn_recv(server, (const uint8_t *)get, sizeof get - 1, 0),
      H2E_ERR_NOT_HTTP2);
  static const char options[] = "OPTIONS * HTTP/1.1\r\n";
  assert_int_equal(
      h2e_conn_recv(server, (const uint8_t *)options, sizeof options - 1, 0),
      H2E_ERR_NOT_HTTP2);
  h2e_conn_free(server);
}

static void
test_4_3_1_table_shrink_ack_follows_blocks_encoded_before(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  /* The request is encoded for a 4096-octet table; the server's smaller
   * table and another setting arrive before it is written. The ACKs must
   * not overtake it (the server would then demand a size update), nor
   * each other. */
  h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  h2e_setting shrink = {H2E_SETTINGS_HEADER_TABLE_SIZE, 0};
  h2e_setting window = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1000};
  h2e_submit_settings(p->server.conn, &shrink, 1, 0);
  h2e_submit_settings(p->server.conn, &window, 1, 0);
  pair_transfer(p, &p->server, &p->client);
  h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  pair_pump(p);
  assert_int_equal(pair_count(&p->server, H2E_EV_CONN_ERROR, 0), 0);
  assert_int_equal(pair_count(&p->server, H2E_EV_SETTINGS_ACK, 0), 2);
  assert_int_equal(pair_find(&p->server, H2E_EV_HEADERS, 3, 0)->count, 4);
  pair_free(p);
}

static void test_8_1_message_framing_is_checked_at_submit(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  pair_pump(p);
  static const uint8_t body[10];
  static const h2e_field info[] = {PAIR_FIELD(":status", "103")};
  /* No body before a final head; 1xx is not one. */
  assert_int_equal(h2e_submit_data(p->server.conn, 1, body, 10, 0, 0),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_headers(p->server.conn, 1, info, 1, 0), 0);
  assert_int_equal(h2e_submit_data(p->server.conn, 1, body, 10, 0, 0),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(
      h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2, 0), 0);
  /* After the final head, only trailers (with END_STREAM). */
  assert_int_equal(
      h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2, 0),
      H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_data(p->server.conn, 1, body, 10, 0, 0), 0);
  static const h2e_field trailer[] = {PAIR_FIELD("x-t", "1")};
  assert_int_equal(
      h2e_submit_headers(p->server.conn, 1, trailer, 1, H2E_END_STREAM), 0);
  pair_pump(p);
  assert_int_equal(pair_count(&p->client, H2E_EV_STREAM_RESET, 0), 0);
  assert_int_equal(pair_find(&p->client, H2E_EV_HEADERS, 1, 2)->kind,
                   H2E_HEADERS_TRAILERS);
  pair_free(p);
}

static void rapid_resets(pair *p, int count, uint64_t step_ms) {
  for (int i = 0; i < count; i++) {
    int32_t id = h2e_submit_request(p->client.conn, pair_get_request, 4, 0);
    if (id < 0)
      return;
    h2e_submit_rst_stream(p->client.conn, (uint32_t)id, H2E_CANCEL);
    p->now_ms += step_ms;
    pair_pump(p);
  }
}

static void test_10_5_rapid_reset_is_enhance_your_calm(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  rapid_resets(p, 1100, 0);
  const pair_event *e = pair_find(&p->server, H2E_EV_CONN_ERROR, 0, 0);
  assert_non_null(e);
  assert_int_equal(e->code, H2E_ENHANCE_YOUR_CALM);
  assert_int_equal(pair_count(&p->server, H2E_EV_STREAM_RESET, 0), 1000);
  assert_int_equal(pair_find(&p->client, H2E_EV_GOAWAY, 0, 0)->code,
                   H2E_ENHANCE_YOUR_CALM);
  pair_free(p);
}

static void test_10_5_resets_at_a_sustainable_rate_are_fine(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  rapid_resets(p, 1500, 31); /* 32 per second, under the default 33 */
  assert_int_equal(pair_count(&p->server, H2E_EV_CONN_ERROR, 0), 0);
  assert_int_equal(pair_count(&p->server, H2E_EV_STREAM_RESET, 0), 1500);
  pair_free(p);
}

/* Output one vec at a time: every frame still goes out whole and in
 * order, over several calls. */
static void test_output_in_single_vecs(void **state) {
  (void)state;
  pair *p = handshake(NULL, NULL);
  h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  pair_pump(p);
  uint8_t *body = pattern(50000, 9);
  h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2, 0);
  h2e_submit_data(p->server.conn, 1, body, 50000, H2E_END_STREAM, 3);
  uint8_t *wire = malloc(1 << 20);
  size_t len = 0;
  h2e_output_vec vec;
  while (h2e_conn_output(p->server.conn, &vec, 1) == 1) {
    assert_int_equal(vec.fd, -1);
    memcpy(wire + len, vec.base, vec.len);
    len += vec.len;
    h2e_conn_output_done(p->server.conn, vec.len);
  }
  assert_int_equal(h2e_conn_recv(p->client.conn, wire, len, 0), (ptrdiff_t)len);
  pair_pull(&p->client);
  assert_int_equal(p->client.body_len[1], 50000);
  assert_memory_equal(p->client.body[1], body, 50000);
  assert_non_null(pair_find(&p->client, H2E_EV_STREAM_CLOSED, 1, 0));
  free(wire);
  free(body);
  pair_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_3_4_both_ends_exchange_prefaces_and_settings),
      cmocka_unit_test(test_8_1_get_then_response_with_body),
      cmocka_unit_test(test_8_1_post_with_body_and_trailers),
      cmocka_unit_test(test_8_1_informational_responses_before_the_final_one),
      cmocka_unit_test(test_6_4_client_reset_reaches_the_server),
      cmocka_unit_test(test_6_4_server_reset_releases_queued_bodies),
      cmocka_unit_test(test_6_7_ping_reports_the_round_trip),
      cmocka_unit_test(test_6_8_graceful_goaway_lets_the_open_stream_finish),
      cmocka_unit_test(test_6_8_goaway_fails_streams_above_last_as_retryable),
      cmocka_unit_test(test_6_5_settings_change_takes_effect),
      cmocka_unit_test(test_6_5_3_unanswered_settings_time_out),
      cmocka_unit_test(test_6_9_large_bodies_both_ways_with_consume),
      cmocka_unit_test(test_5_2_auto_consume_returns_credit_by_itself),
      cmocka_unit_test(test_8_1_body_from_a_file_region),
      cmocka_unit_test(test_5_1_many_streams_share_the_connection),
      cmocka_unit_test(test_3_4_http1_request_is_not_http2),
      cmocka_unit_test(
          test_4_3_1_table_shrink_ack_follows_blocks_encoded_before),
      cmocka_unit_test(test_8_1_message_framing_is_checked_at_submit),
      cmocka_unit_test(test_output_in_single_vecs),
      cmocka_unit_test(test_10_5_rapid_reset_is_enhance_your_calm),
      cmocka_unit_test(test_10_5_resets_at_a_sustainable_rate_are_fine),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
