/* Server push, both roles (RFC 9113 §8.4, §6.6, §5.1, §5.1.2): the
 * server's h2e_submit_push_promise against the scripted client, the
 * client's handling of promises against the scripted server, and a
 * push end to end between two engines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conn_pair.h"
#include "peer.h"

static const h2e_field pushed_request[4] = {
    PEER_FIELD(":method", "GET"), PEER_FIELD(":scheme", "https"),
    PEER_FIELD(":authority", "example.com"), PEER_FIELD(":path", "/style.css")};
static const h2e_field status_200[1] = {PEER_FIELD(":status", "200")};

/* A server engine whose client (the peer) sent `settings`, with request
 * 1 open and half-closed (remote). */
static peer *server_with_request(void **state, const h2e_setting *settings,
                                 size_t count) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  peer_handshake(p, settings, count);
  peer_open_stream(p, 1, 1);
  return p;
}

/* The application promises /style.css on stream 1; it goes out exactly. */
static uint32_t push(peer *p, uint32_t associated, uint32_t want_id) {
  int32_t id = h2e_submit_push_promise(p->conn, associated, pushed_request, 4);
  assert_int_equal(id, want_id);
  assert_int_equal(h2e_stream_get_state(p->conn, want_id),
                   H2E_STATE_RESERVED_LOCAL);
  peer_expect_push_promise(p, associated, want_id, pushed_request, 4);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  return want_id;
}

/* ---- server: sending PUSH_PROMISE ---------------------------------------- */

static void test_8_4_server_promise_reserves_then_answers(void **state) {
  peer *p = server_with_request(state, NULL, 0);
  uint32_t id = push(p, 1, 2);
  peer_submit_status(p, id, "200", 0);
  assert_int_equal(h2e_stream_get_state(p->conn, id),
                   H2E_STATE_HALF_CLOSED_REMOTE);
  peer_expect_headers(p, id, 0, status_200, 1);
  peer_submit_body(p, id, 0, 1000, H2E_END_STREAM, 7);
  peer_expect_data_total(p, id, 0, 1000, 1, 0);
  peer_expect_two_events(p, H2E_EV_DATA_SENT, id, H2E_EV_STREAM_CLOSED, id);
  peer_expect_no_event(p);
  /* The associated request is answered as usual. */
  peer_finish_stream(p, 1);
  assert_int_equal(h2e_stream_get_state(p->conn, id), H2E_STATE_CLOSED);
  peer_expect_alive(p);
}

static void test_8_4_server_promises_take_increasing_even_ids(void **state) {
  peer *p = server_with_request(state, NULL, 0);
  push(p, 1, 2);
  push(p, 1, 4);
  peer_open_stream(p, 3, 0); /* open, not half-closed: also allowed */
  push(p, 3, 6);
  peer_expect_alive(p);
}

static void test_8_4_promise_block_spans_continuation(void **state) {
  peer *p = server_with_request(state, NULL, 0);
  static char big[20000];
  memset(big, 'x', sizeof big);
  h2e_field fields[5];
  memcpy(fields, pushed_request, sizeof pushed_request);
  fields[4] = (h2e_field){(const uint8_t *)"x-big", (const uint8_t *)big, 5,
                          sizeof big, 0};
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, fields, 5), 2);
  peer_expect_push_promise(p, 1, 2, fields, 5);
  peer_expect_no_frame(p);
}

static void test_6_5_2_no_push_after_client_enable_push_0(void **state) {
  static const h2e_setting no_push[] = {{H2E_SETTINGS_ENABLE_PUSH, 0}};
  peer *p = server_with_request(state, no_push, 1);
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, pushed_request, 4),
                   H2E_ERR_PUSH_DISABLED);
  peer_expect_no_frame(p);
  /* No stream id was used: the next request still works. */
  peer_finish_stream(p, 1);
  peer_expect_alive(p);
}

static void test_8_4_promised_request_must_be_safe(void **state) {
  peer *p = server_with_request(state, NULL, 0);
  h2e_field post[4];
  memcpy(post, pushed_request, sizeof post);
  post[0] = (h2e_field)PEER_FIELD(":method", "POST");
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, post, 4),
                   H2E_ERR_INVALID_ARG);
  /* No :method at all. */
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, pushed_request + 1, 3),
                   H2E_ERR_INVALID_ARG);
  h2e_field head[4];
  memcpy(head, pushed_request, sizeof head);
  head[0] = (h2e_field)PEER_FIELD(":method", "HEAD");
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, head, 4), 2);
  peer_expect_push_promise(p, 1, 2, head, 4);
  peer_expect_no_frame(p);
}

/* §8.4: a promised request is a whole request (§8.3.1) without content,
 * checked like the ones we send and receive. */
static void test_8_4_promised_request_must_be_whole_and_empty(void **state) {
  peer *p = server_with_request(state, NULL, 0);
  h2e_field no_path[3] = {pushed_request[0], pushed_request[1],
                          pushed_request[2]};
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, no_path, 3),
                   H2E_ERR_INVALID_ARG);
  h2e_field with_content[5];
  memcpy(with_content, pushed_request, 4 * sizeof(h2e_field));
  with_content[4] = (h2e_field)PEER_FIELD("content-length", "5");
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, with_content, 5),
                   H2E_ERR_INVALID_ARG);
  h2e_field upper[5];
  memcpy(upper, pushed_request, 4 * sizeof(h2e_field));
  upper[4] = (h2e_field)PEER_FIELD("Accept", "*/*"); /* §8.2.1 */
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, upper, 5),
                   H2E_ERR_INVALID_ARG);
  peer_expect_no_frame(p);
  /* No stream id was used. */
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, pushed_request, 4), 2);
  peer_expect_push_promise(p, 1, 2, pushed_request, 4);
  peer_expect_no_frame(p);
}

static void test_8_4_associated_stream_must_be_a_live_request(void **state) {
  peer *p = server_with_request(state, NULL, 0);
  /* idle, stream 0, a closed stream, our own reserved stream */
  assert_int_equal(h2e_submit_push_promise(p->conn, 3, pushed_request, 4),
                   H2E_ERR_STREAM_CLOSED);
  assert_int_equal(h2e_submit_push_promise(p->conn, 0, pushed_request, 4),
                   H2E_ERR_STREAM_CLOSED);
  uint32_t id = push(p, 1, 2);
  assert_int_equal(h2e_submit_push_promise(p->conn, id, pushed_request, 4),
                   H2E_ERR_STREAM_CLOSED);
  peer_finish_stream(p, 1);
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, pushed_request, 4),
                   H2E_ERR_STREAM_CLOSED);
  peer_expect_no_frame(p);
}

static void test_8_4_no_promise_after_our_end_stream(void **state) {
  peer *p = server_with_request(state, NULL, 0);
  /* END_STREAM submitted but held behind a body: still too late. */
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 10, H2E_END_STREAM, 1);
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, pushed_request, 4),
                   H2E_ERR_STREAM_CLOSED);
  peer_expect_headers(p, 1, 0, status_200, 1);
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, p->body, 10);
  peer_expect_no_frame(p);
}

static void test_8_4_client_cannot_push(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  uint32_t id = peer_submit_request(p, 0);
  assert_int_equal(h2e_submit_push_promise(p->conn, id, pushed_request, 4),
                   H2E_ERR_INVALID_ARG);
}

static void test_8_4_client_cancels_a_promised_stream(void **state) {
  peer *p = server_with_request(state, NULL, 0);
  uint32_t id = push(p, 1, 2);
  peer_send_rst_stream(p, id, H2E_CANCEL);
  peer_expect_reset_event(p, id, H2E_CANCEL, 1);
  assert_int_equal(h2e_submit_headers(p->conn, id, status_200, 1, 0),
                   H2E_ERR_STREAM_CLOSED);
  peer_expect_no_frame(p);
  peer_finish_stream(p, 1);
}

static void test_5_1_2_pushed_responses_count_when_they_start(void **state) {
  static const h2e_setting one[] = {{H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 1}};
  peer *p = server_with_request(state, one, 1);
  push(p, 1, 2);
  push(p, 1, 4); /* reserved streams do not count */
  peer_submit_status(p, 2, "200", 0);
  peer_expect_headers(p, 2, 0, status_200, 1);
  assert_int_equal(h2e_submit_headers(p->conn, 4, status_200, 1, 0),
                   H2E_ERR_STREAM_LIMIT);
  assert_int_equal(h2e_stream_get_state(p->conn, 4), H2E_STATE_RESERVED_LOCAL);
  peer_expect_no_frame(p);
  peer_submit_body(p, 2, 0, 0, H2E_END_STREAM, 1);
  peer_expect_data(p, 2, H2E_FLAG_END_STREAM, NULL, 0);
  peer_expect_two_events(p, H2E_EV_DATA_SENT, 2, H2E_EV_STREAM_CLOSED, 2);
  peer_submit_status(p, 4, "200", H2E_END_STREAM);
  peer_expect_headers(p, 4, 1, status_200, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 4);
}

static void test_6_8_no_promise_after_goaway(void **state) {
  peer *p = server_with_request(state, NULL, 0);
  peer_send_goaway(p, 0, H2E_NO_ERROR);
  peer_expect_event(p, H2E_EV_GOAWAY, 0);
  assert_int_equal(h2e_submit_push_promise(p->conn, 1, pushed_request, 4),
                   H2E_ERR_CONN_CLOSED);
  peer_expect_no_frame(p);
}

/* ---- client: receiving PUSH_PROMISE -------------------------------------- */

static void test_6_6_client_default_rejects_push_promise(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL); /* ENABLE_PUSH=0 sent */
  uint32_t id = peer_submit_request(p, H2E_END_STREAM);
  peer_expect_request_headers(p, id, 1);
  peer_send_push_promise(p, id, 2, pushed_request, 4);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static peer *pushing_client(void **state, uint32_t *request_id) {
  h2e_config config = peer_config(H2E_CLIENT);
  config.enable_push = 1;
  peer *p = peer_start(state, H2E_CLIENT, &config);
  *request_id = peer_submit_request(p, H2E_END_STREAM);
  peer_expect_request_headers(p, *request_id, 1);
  return p;
}

static void expect_promise_event(peer *p, uint32_t associated,
                                 uint32_t promised) {
  h2e_event ev = peer_expect_event(p, H2E_EV_PUSH_PROMISE, associated);
  assert_int_equal(ev.u.push_promise.promised_stream_id, promised);
  assert_int_equal(ev.u.push_promise.count, 4);
  assert_memory_equal(ev.u.push_promise.fields[3].value, "/style.css", 10);
  assert_int_equal(h2e_stream_get_state(p->conn, promised),
                   H2E_STATE_RESERVED_REMOTE);
}

static void test_8_4_client_accepts_one_push_and_cancels_another(void **state) {
  uint32_t id;
  peer *p = pushing_client(state, &id);
  peer_send_push_promise(p, id, 2, pushed_request, 4);
  expect_promise_event(p, id, 2);
  peer_send_push_promise(p, id, 4, pushed_request, 4);
  expect_promise_event(p, id, 4);
  assert_int_equal(h2e_submit_rst_stream(p->conn, 4, H2E_CANCEL), H2E_OK);
  peer_expect_rst_stream(p, 4, H2E_CANCEL);
  peer_expect_no_frame(p);
  /* The pushed response on 2 arrives as any response (half-closed
   * (local) once its HEADERS come); what the server sent on 4 before it
   * saw our RST_STREAM is ignored. */
  peer_send_response(p, 2, "200", 0);
  peer_expect_headers_event(p, 2, H2E_HEADERS_RESPONSE, 0, status_200, 1);
  assert_int_equal(h2e_stream_get_state(p->conn, 2),
                   H2E_STATE_HALF_CLOSED_LOCAL);
  peer_send_response(p, 4, "200", 0);
  peer_send_data(p, 4, PEER_END_STREAM, "ignored", 7);
  peer_send_data(p, 2, PEER_END_STREAM, p->body, 100);
  peer_expect_data_event(p, 2, 0, 100, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 2);
  peer_expect_no_event(p);
  assert_int_equal(h2e_consume(p->conn, 2, 100), H2E_OK);
  peer_send_response(p, id, "200", PEER_END_STREAM);
  peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, 1, status_200, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  peer_connection_credit(p, 4, 0);
  peer_expect_alive(p);
}

/* ---- both engines -------------------------------------------------------- */

static void test_8_4_push_end_to_end(void **state) {
  (void)state;
  h2e_config cc;
  h2e_config_init(&cc, H2E_CLIENT);
  cc.enable_push = 1;
  pair *p = pair_new(&cc, NULL);
  int32_t id =
      h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  assert_int_equal(id, 1);
  pair_pump(p);
  assert_non_null(pair_find(&p->server, H2E_EV_HEADERS, 1, 0));
  int32_t pushed =
      h2e_submit_push_promise(p->server.conn, 1, pushed_request, 4);
  assert_int_equal(pushed, 2);
  static const char css[] = "body { color: black }";
  assert_int_equal(h2e_submit_headers(p->server.conn, 1, pair_ok_response, 2,
                                      H2E_END_STREAM),
                   H2E_OK);
  assert_int_equal(
      h2e_submit_headers(p->server.conn, 2, pair_ok_response, 2, 0), H2E_OK);
  assert_int_equal(h2e_submit_data(p->server.conn, 2, css, sizeof css - 1,
                                   H2E_END_STREAM, 9),
                   H2E_OK);
  pair_pump(p);
  const pair_event *ev = pair_find(&p->client, H2E_EV_PUSH_PROMISE, 1, 0);
  assert_non_null(ev);
  assert_int_equal(ev->promised, 2);
  assert_int_equal(ev->count, 4);
  ev = pair_find(&p->client, H2E_EV_HEADERS, 2, 0);
  assert_non_null(ev);
  assert_int_equal(ev->kind, H2E_HEADERS_RESPONSE);
  assert_string_equal(ev->status, "200");
  assert_int_equal(p->client.body_len[2], sizeof css - 1);
  assert_memory_equal(p->client.body[2], css, sizeof css - 1);
  assert_int_equal(pair_count(&p->client, H2E_EV_STREAM_CLOSED, 2), 1);
  assert_int_equal(pair_count(&p->client, H2E_EV_STREAM_CLOSED, 1), 1);
  assert_int_equal(pair_count(&p->server, H2E_EV_STREAM_CLOSED, 2), 1);
  assert_int_equal(pair_count(&p->client, H2E_EV_CONN_ERROR, 0), 0);
  assert_int_equal(pair_count(&p->server, H2E_EV_CONN_ERROR, 0), 0);
  pair_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_8_4_server_promise_reserves_then_answers),
      PEER_TEST(test_8_4_server_promises_take_increasing_even_ids),
      PEER_TEST(test_8_4_promise_block_spans_continuation),
      PEER_TEST(test_6_5_2_no_push_after_client_enable_push_0),
      PEER_TEST(test_8_4_promised_request_must_be_safe),
      PEER_TEST(test_8_4_promised_request_must_be_whole_and_empty),
      PEER_TEST(test_8_4_associated_stream_must_be_a_live_request),
      PEER_TEST(test_8_4_no_promise_after_our_end_stream),
      PEER_TEST(test_8_4_client_cannot_push),
      PEER_TEST(test_8_4_client_cancels_a_promised_stream),
      PEER_TEST(test_5_1_2_pushed_responses_count_when_they_start),
      PEER_TEST(test_6_8_no_promise_after_goaway),
      PEER_TEST(test_6_6_client_default_rejects_push_promise),
      PEER_TEST(test_8_4_client_accepts_one_push_and_cancels_another),
      cmocka_unit_test(test_8_4_push_end_to_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
