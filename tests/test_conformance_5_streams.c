/* RFC 9113 §5.1 (stream states), §5.1.1 (stream identifiers) and §5.1.2
 * (stream concurrency), server role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const h2e_field trailer[1] = {PEER_FIELD("x-checksum", "abc")};
/* A trailer block leaving the HPACK table alone: x: y without indexing. */
static const uint8_t raw_trailer[5] = {0x00, 0x01, 'x', 0x01, 'y'};

static void expect_state(peer *p, uint32_t stream_id, h2e_stream_state want) {
  peer_drain(p);
  assert_int_equal(h2e_stream_get_state(p->conn, stream_id), want);
}

/* ---- idle ---------------------------------------------------------------- */

static void test_5_1_data_on_idle_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_data(p, 1, 0, p->body, 10);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_5_1_data_on_idle_stream_above_an_open_one_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 3, PEER_END_STREAM, p->body, 10);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void test_5_1_rst_stream_on_idle_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_5_1_window_update_on_idle_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_window_update(p, 1, 100);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_5_1_continuation_on_idle_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1,
                  peer_request_block, PEER_REQUEST_BLOCK_LEN);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_5_1_push_promise_from_a_client_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  /* Only a server sends PUSH_PROMISE; stream 2 would become reserved
   * (remote) on a server, a state it cannot have (§5.1, §8.4). */
  uint8_t payload[4 + PEER_REQUEST_BLOCK_LEN] = {0, 0, 0, 2};
  memcpy(payload + 4, peer_request_block, PEER_REQUEST_BLOCK_LEN);
  peer_send_frame(p, H2E_FRAME_PUSH_PROMISE, H2E_FLAG_END_HEADERS, 1, payload,
                  sizeof payload);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void test_5_1_priority_on_idle_stream_is_accepted(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_priority(p, 3, 0, 15);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  /* It neither opened stream 3 nor closed stream 1. */
  assert_int_equal(h2e_stream_get_state(p->conn, 3), H2E_STATE_IDLE);
  peer_open_stream(p, 1, 1);
  peer_open_stream(p, 3, 1);
  peer_finish_stream(p, 1);
  peer_finish_stream(p, 3);
}

static void test_5_1_headers_open_an_idle_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  assert_int_equal(h2e_stream_get_state(p->conn, 1), H2E_STATE_IDLE);
  peer_open_stream(p, 1, 0);
  expect_state(p, 1, H2E_STATE_OPEN);
}

static void
test_5_1_headers_on_server_initiated_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_request(p, 2, PEER_END_STREAM);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

/* ---- open ---------------------------------------------------------------- */

static void test_5_1_end_stream_on_headers_half_closes_remote(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  expect_state(p, 1, H2E_STATE_HALF_CLOSED_REMOTE);
}

static void test_5_1_end_stream_on_data_half_closes_remote(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 5);
  peer_expect_data_event(p, 1, 0, 5, 1);
  peer_expect_no_event(p);
  expect_state(p, 1, H2E_STATE_HALF_CLOSED_REMOTE);
}

static void test_5_1_sending_end_stream_half_closes_local(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_submit_status(p, 1, "200", H2E_END_STREAM);
  peer_expect_status(p, 1, 1, "200");
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  expect_state(p, 1, H2E_STATE_HALF_CLOSED_LOCAL);
}

static void test_5_1_open_stream_carries_frames_both_ways(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 100);
  peer_expect_data_event(p, 1, 0, 100, 0);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 200, 0, 1);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data(p, 1, 0, p->body, 200);
  peer_expect_no_frame(p);
  peer_expect_event(p, H2E_EV_DATA_SENT, 1);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 50);
  peer_expect_data_event(p, 1, 0, 50, 1);
  peer_submit_body(p, 1, 200, 0, H2E_END_STREAM, 2);
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, NULL, 0);
  peer_expect_no_frame(p);
  peer_expect_two_events(p, H2E_EV_DATA_SENT, 1, H2E_EV_STREAM_CLOSED, 1);
  peer_expect_no_event(p);
  expect_state(p, 1, H2E_STATE_CLOSED);
}

static void test_5_1_rst_stream_from_peer_closes_an_open_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_reset_event(p, 1, H2E_CANCEL, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  expect_state(p, 1, H2E_STATE_CLOSED);
}

static void test_5_1_our_rst_stream_closes_an_open_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  assert_int_equal(h2e_submit_rst_stream(p->conn, 1, H2E_INTERNAL_ERROR), 0);
  peer_expect_rst_stream(p, 1, H2E_INTERNAL_ERROR);
  peer_expect_no_frame(p);
  /* The application reset it itself: no STREAM_RESET event. */
  peer_expect_no_event(p);
  expect_state(p, 1, H2E_STATE_CLOSED);
}

/* ---- half-closed (local) ------------------------------------------------- */

/* Stream 1 with our complete response and the request body still open. */
static peer *half_closed_local(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_submit_status(p, 1, "204", H2E_END_STREAM);
  peer_expect_status(p, 1, 1, "204");
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  return p;
}

static void test_5_1_half_closed_local_accepts_data(void **state) {
  peer *p = half_closed_local(state);
  peer_send_data(p, 1, 0, p->body, 300);
  peer_expect_data_event(p, 1, 0, 300, 0);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  expect_state(p, 1, H2E_STATE_HALF_CLOSED_LOCAL);
}

static void test_5_1_half_closed_local_closes_on_end_stream(void **state) {
  peer *p = half_closed_local(state);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 3);
  peer_expect_data_event(p, 1, 0, 3, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  expect_state(p, 1, H2E_STATE_CLOSED);
}

static void test_5_1_half_closed_local_accepts_trailers(void **state) {
  peer *p = half_closed_local(state);
  peer_send_headers(p, 1, PEER_END_STREAM, trailer, 1);
  peer_expect_headers_event(p, 1, H2E_HEADERS_TRAILERS, 1, trailer, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void test_5_1_half_closed_local_accepts_rst_stream(void **state) {
  peer *p = half_closed_local(state);
  peer_send_rst_stream(p, 1, H2E_NO_ERROR);
  peer_expect_reset_event(p, 1, H2E_NO_ERROR, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  expect_state(p, 1, H2E_STATE_CLOSED);
}

static void test_5_1_half_closed_local_sends_no_more_data(void **state) {
  peer *p = half_closed_local(state);
  /* RFC 9113 §5.1: only WINDOW_UPDATE, PRIORITY and RST_STREAM now. */
  assert_true(h2e_submit_data(p->conn, 1, p->body, 10, 0, 1) < 0);
  h2e_field status = PEER_FIELD(":status", "200");
  assert_true(h2e_submit_headers(p->conn, 1, &status, 1, H2E_END_STREAM) < 0);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

/* ---- half-closed (remote) ------------------------------------------------ */

static void
test_5_1_half_closed_remote_data_is_stream_closed_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_data(p, 1, 0, p->body, 10);
  peer_expect_stream_error(p, 1, H2E_STREAM_CLOSED, 1);
}

static void
test_5_1_half_closed_remote_headers_is_stream_closed_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, 1, raw_trailer,
                  sizeof raw_trailer);
  peer_expect_stream_error(p, 1, H2E_STREAM_CLOSED, 1);
}

static void
test_5_1_half_closed_remote_data_after_data_end_stream_is_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 10);
  peer_expect_data_event(p, 1, 0, 10, 1);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 10);
  peer_expect_stream_error(p, 1, H2E_STREAM_CLOSED, 1);
}

static void
test_5_1_half_closed_remote_continuation_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  /* No header block is open: §6.10 makes this a connection error. */
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1,
                  raw_trailer, sizeof raw_trailer);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void test_5_1_half_closed_remote_accepts_window_update(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_window_update(p, 1, 1000);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void test_5_1_half_closed_remote_accepts_priority(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_priority(p, 1, 0, 200);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  expect_state(p, 1, H2E_STATE_HALF_CLOSED_REMOTE);
  peer_finish_stream(p, 1);
}

static void test_5_1_half_closed_remote_accepts_rst_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_reset_event(p, 1, H2E_CANCEL, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  expect_state(p, 1, H2E_STATE_CLOSED);
}

static void test_5_1_half_closed_remote_stream_sends_anything(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 1000, 0, 4);
  assert_int_equal(h2e_submit_headers(p->conn, 1, trailer, 1, H2E_END_STREAM),
                   0);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data(p, 1, 0, p->body, 1000);
  peer_expect_headers(p, 1, 1, trailer, 1);
  peer_expect_no_frame(p);
  peer_expect_two_events(p, H2E_EV_DATA_SENT, 1, H2E_EV_STREAM_CLOSED, 1);
  peer_expect_no_event(p);
}

/* ---- closed -------------------------------------------------------------- */

static void test_5_1_closed_stream_data_is_stream_closed(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  peer_send_data(p, 1, 0, p->body, 10);
  /* §6.1 asks for a stream error, §5.1 allows a connection error. */
  peer_expect_stream_or_conn_error(p, 1, H2E_STREAM_CLOSED, 0,
                                   H2E_STREAM_CLOSED, 1);
}

static void test_5_1_closed_stream_headers_is_stream_closed(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, 1,
                  peer_request_block, PEER_REQUEST_BLOCK_LEN);
  peer_expect_stream_or_conn_error(p, 1, H2E_STREAM_CLOSED, 0,
                                   H2E_PROTOCOL_ERROR, 1);
}

static void test_5_1_closed_stream_window_update_is_not_an_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  /* Sent before the peer saw our END_STREAM (§5.1, §6.9). */
  peer_send_window_update(p, 1, 4096);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void test_5_1_closed_stream_rst_stream_is_not_an_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void test_5_1_closed_stream_priority_is_accepted(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  peer_send_priority(p, 1, 0, 7);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void test_5_1_data_after_peer_rst_stream_is_stream_closed(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_reset_event(p, 1, H2E_CANCEL, 1);
  peer_send_data(p, 1, 0, p->body, 10);
  peer_expect_stream_or_conn_error(p, 1, H2E_STREAM_CLOSED, 0,
                                   H2E_STREAM_CLOSED, 1);
}

static void
test_5_1_nothing_is_sent_on_a_stream_after_peer_reset(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 100000, H2E_END_STREAM, 9);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data_total(p, 1, 0, 65535, 0, 0);
  peer_expect_no_frame(p);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  /* The rest of the body is dropped and its buffer released. */
  peer_expect_two_events(p, H2E_EV_STREAM_RESET, 1, H2E_EV_DATA_SENT, 1);
  peer_expect_no_event(p);
  peer_send_window_update(p, 0, 100000);
  peer_send_window_update(p, 1, 100000);
  peer_expect_no_frame(p);
  assert_true(h2e_submit_data(p->conn, 1, p->body, 10, H2E_END_STREAM, 10) < 0);
  assert_true(h2e_submit_headers(p->conn, 1, trailer, 1, H2E_END_STREAM) < 0);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_5_1_closed_stream_takes_no_more_submits(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  assert_true(h2e_submit_data(p->conn, 1, p->body, 10, H2E_END_STREAM, 1) < 0);
  assert_true(h2e_submit_headers(p->conn, 1, trailer, 1, H2E_END_STREAM) < 0);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_5_1_late_consume_on_a_closed_stream_credits_only_the_conn(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data_frames(p, 1, PEER_END_STREAM, 40000, 16000);
  peer_expect_data_event(p, 1, 0, 40000, 1);
  peer_submit_status(p, 1, "200", H2E_END_STREAM);
  /* Control frames go first: the connection's credit for the unconsumed
   * body may come before the response. */
  uint64_t credit = 0;
  if (peer_next_frame_type(p) == H2E_FRAME_WINDOW_UPDATE) {
    peer_expect_window_update(p, 0, 40000);
    credit = 40000;
  }
  peer_expect_status(p, 1, 1, "200");
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 1);
  /* The application gives the body back after the stream closed: the
   * connection gets its credit, the closed stream no WINDOW_UPDATE. */
  credit += peer_connection_credit(p, 1, 0);
  h2e_consume(p->conn, 1, 40000);
  credit += peer_connection_credit(p, 1, 0);
  assert_int_equal(credit, 40000);
}

static void
test_5_1_late_consume_after_peer_reset_credits_only_the_conn(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data_frames(p, 1, 0, 40000, 16000);
  peer_expect_data_event(p, 1, 0, 40000, 0);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_reset_event(p, 1, H2E_CANCEL, 1);
  uint64_t credit = peer_connection_credit(p, 1, 0);
  h2e_consume(p->conn, 1, 40000);
  credit += peer_connection_credit(p, 1, 0);
  assert_int_equal(credit, 40000);
  peer_expect_no_event(p);
}

/* ---- closed after our RST_STREAM: frames in flight ----------------------- */

/* Stream 1 open (request body coming), then reset by the application. */
static peer *reset_by_us(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  assert_int_equal(h2e_submit_rst_stream(p->conn, 1, H2E_CANCEL), 0);
  peer_expect_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_no_frame(p);
  /* The application reset it itself: no STREAM_RESET event. */
  peer_expect_no_event(p);
  return p;
}

static void test_5_1_data_after_our_rst_stream_is_ignored(void **state) {
  peer *p = reset_by_us(state);
  peer_send_data(p, 1, 0, p->body, 1000);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 1000);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void test_5_1_headers_after_our_rst_stream_are_ignored(void **state) {
  peer *p = reset_by_us(state);
  peer_send_headers(p, 1, PEER_END_STREAM, trailer, 1);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void test_5_1_rst_stream_after_our_rst_stream_is_ignored(void **state) {
  peer *p = reset_by_us(state);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void
test_5_1_window_update_after_our_rst_stream_is_ignored(void **state) {
  peer *p = reset_by_us(state);
  peer_send_window_update(p, 1, 1);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void
test_5_1_data_after_our_rst_stream_counts_for_the_connection(void **state) {
  peer *p = reset_by_us(state);
  /* §5.1: discarded DATA still counts toward the connection window, so
   * the engine must give that credit back itself. */
  peer_send_data(p, 1, 0, p->body, 10000);
  peer_expect_no_frame(p);
  peer_send_data(p, 1, 0, p->body, 16000);
  peer_expect_no_frame(p);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 14000);
  peer_expect_window_update(p, 0, 40000);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_5_1_frames_after_a_stream_error_get_no_second_rst(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_data(p, 1, 0, p->body, 10);
  peer_expect_stream_error(p, 1, H2E_STREAM_CLOSED, 1);
  /* More of what was in flight: §5.4.2, one RST_STREAM is enough. */
  peer_send_data(p, 1, 0, p->body, 10);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 10);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

/* ---- §5.1.1 stream identifiers ------------------------------------------- */

static void
test_5_1_1_even_stream_id_from_client_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_request(p, 4, PEER_END_STREAM);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_5_1_1_lower_stream_id_than_previous_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 5, 1);
  peer_send_request(p, 3, PEER_END_STREAM);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 5);
}

static void test_5_1_1_skipped_stream_ids_are_closed(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 5, 1);
  assert_int_equal(h2e_stream_get_state(p->conn, 1), H2E_STATE_CLOSED);
  assert_int_equal(h2e_stream_get_state(p->conn, 3), H2E_STATE_CLOSED);
  assert_int_equal(h2e_stream_get_state(p->conn, 7), H2E_STATE_IDLE);
}

static void test_5_1_1_data_on_a_skipped_stream_is_an_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 5, 0);
  /* Stream 3 went from idle to closed when 5 opened. */
  peer_send_data(p, 3, 0, p->body, 10);
  peer_expect_stream_or_conn_error(p, 3, H2E_STREAM_CLOSED, 0,
                                   H2E_PROTOCOL_ERROR, 5);
}

static void test_5_1_1_stream_ids_may_skip_values(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_open_stream(p, 7, 1);
  peer_open_stream(p, 101, 1);
  peer_finish_stream(p, 7);
  peer_finish_stream(p, 1);
  peer_finish_stream(p, 101);
}

static void test_5_1_1_highest_stream_id_is_accepted(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 0x7fffffff, 1);
  peer_finish_stream(p, 0x7fffffff);
}

static void test_5_1_1_stream_id_is_not_reused_after_reset(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_reset_event(p, 1, H2E_CANCEL, 1);
  peer_send_request(p, 1, PEER_END_STREAM);
  peer_expect_stream_or_conn_error(p, 1, H2E_STREAM_CLOSED, 0,
                                   H2E_PROTOCOL_ERROR, 1);
}

/* ---- §5.1.2 stream concurrency ------------------------------------------- */

static peer *limited_server(void **state, uint32_t max_streams) {
  h2e_config config = peer_config(H2E_SERVER);
  config.max_concurrent_streams = max_streams;
  return peer_start(state, H2E_SERVER, &config);
}

/* A request over the limit: RST_STREAM(REFUSED_STREAM), never delivered. */
static void expect_refused(peer *p, uint32_t stream_id) {
  peer_send_request(p, stream_id, PEER_END_STREAM);
  peer_expect_rst_stream(p, stream_id, H2E_REFUSED_STREAM);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_5_1_2_headers_over_max_concurrent_streams_are_refused(void **state) {
  peer *p = limited_server(state, 1);
  peer_open_stream(p, 1, 0);
  expect_refused(p, 3);
  expect_state(p, 1, H2E_STATE_OPEN);
}

static void
test_5_1_2_half_closed_streams_count_toward_the_limit(void **state) {
  peer *p = limited_server(state, 1);
  peer_open_stream(p, 1, 1); /* half-closed (remote) */
  expect_refused(p, 3);
  peer_finish_stream(p, 1);
}

static void test_5_1_2_closed_streams_free_their_slot(void **state) {
  peer *p = limited_server(state, 1);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  peer_open_stream(p, 3, 1);
  peer_finish_stream(p, 3);
}

static void test_5_1_2_reset_streams_free_their_slot(void **state) {
  peer *p = limited_server(state, 1);
  peer_open_stream(p, 1, 0);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_reset_event(p, 1, H2E_CANCEL, 1);
  peer_open_stream(p, 3, 1);
  peer_finish_stream(p, 3);
}

static void test_5_1_2_frames_on_a_refused_stream_are_ignored(void **state) {
  peer *p = limited_server(state, 1);
  peer_open_stream(p, 1, 0);
  peer_send_request(p, 3, 0);
  peer_expect_rst_stream(p, 3, H2E_REFUSED_STREAM);
  peer_send_data(p, 3, PEER_END_STREAM, p->body, 100);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_5_1_2_zero_max_concurrent_streams_refuses_every_stream(void **state) {
  peer *p = limited_server(state, 0);
  expect_refused(p, 1);
  expect_refused(p, 3);
}

static void test_5_1_2_limit_counts_every_active_stream(void **state) {
  peer *p = limited_server(state, 2);
  peer_open_stream(p, 1, 0);
  peer_open_stream(p, 3, 1);
  expect_refused(p, 5);
  peer_finish_stream(p, 3);
  peer_open_stream(p, 7, 1);
  expect_refused(p, 9);
}

static void test_5_1_2_refused_streams_do_not_count(void **state) {
  peer *p = limited_server(state, 1);
  peer_open_stream(p, 1, 1);
  expect_refused(p, 3);
  expect_refused(p, 5);
  peer_finish_stream(p, 1);
  peer_open_stream(p, 7, 1);
  peer_finish_stream(p, 7);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_5_1_data_on_idle_stream_is_protocol_error),
      PEER_TEST(
          test_5_1_data_on_idle_stream_above_an_open_one_is_protocol_error),
      PEER_TEST(test_5_1_rst_stream_on_idle_stream_is_protocol_error),
      PEER_TEST(test_5_1_window_update_on_idle_stream_is_protocol_error),
      PEER_TEST(test_5_1_continuation_on_idle_stream_is_protocol_error),
      PEER_TEST(test_5_1_push_promise_from_a_client_is_protocol_error),
      PEER_TEST(test_5_1_priority_on_idle_stream_is_accepted),
      PEER_TEST(test_5_1_headers_open_an_idle_stream),
      PEER_TEST(test_5_1_headers_on_server_initiated_stream_is_protocol_error),
      PEER_TEST(test_5_1_end_stream_on_headers_half_closes_remote),
      PEER_TEST(test_5_1_end_stream_on_data_half_closes_remote),
      PEER_TEST(test_5_1_sending_end_stream_half_closes_local),
      PEER_TEST(test_5_1_open_stream_carries_frames_both_ways),
      PEER_TEST(test_5_1_rst_stream_from_peer_closes_an_open_stream),
      PEER_TEST(test_5_1_our_rst_stream_closes_an_open_stream),
      PEER_TEST(test_5_1_half_closed_local_accepts_data),
      PEER_TEST(test_5_1_half_closed_local_closes_on_end_stream),
      PEER_TEST(test_5_1_half_closed_local_accepts_trailers),
      PEER_TEST(test_5_1_half_closed_local_accepts_rst_stream),
      PEER_TEST(test_5_1_half_closed_local_sends_no_more_data),
      PEER_TEST(test_5_1_half_closed_remote_data_is_stream_closed_error),
      PEER_TEST(test_5_1_half_closed_remote_headers_is_stream_closed_error),
      PEER_TEST(
          test_5_1_half_closed_remote_data_after_data_end_stream_is_error),
      PEER_TEST(test_5_1_half_closed_remote_continuation_is_protocol_error),
      PEER_TEST(test_5_1_half_closed_remote_accepts_window_update),
      PEER_TEST(test_5_1_half_closed_remote_accepts_priority),
      PEER_TEST(test_5_1_half_closed_remote_accepts_rst_stream),
      PEER_TEST(test_5_1_half_closed_remote_stream_sends_anything),
      PEER_TEST(test_5_1_closed_stream_data_is_stream_closed),
      PEER_TEST(test_5_1_closed_stream_headers_is_stream_closed),
      PEER_TEST(test_5_1_closed_stream_window_update_is_not_an_error),
      PEER_TEST(test_5_1_closed_stream_rst_stream_is_not_an_error),
      PEER_TEST(test_5_1_closed_stream_priority_is_accepted),
      PEER_TEST(test_5_1_data_after_peer_rst_stream_is_stream_closed),
      PEER_TEST(test_5_1_nothing_is_sent_on_a_stream_after_peer_reset),
      PEER_TEST(test_5_1_closed_stream_takes_no_more_submits),
      PEER_TEST(test_5_1_late_consume_on_a_closed_stream_credits_only_the_conn),
      PEER_TEST(test_5_1_late_consume_after_peer_reset_credits_only_the_conn),
      PEER_TEST(test_5_1_data_after_our_rst_stream_is_ignored),
      PEER_TEST(test_5_1_headers_after_our_rst_stream_are_ignored),
      PEER_TEST(test_5_1_rst_stream_after_our_rst_stream_is_ignored),
      PEER_TEST(test_5_1_window_update_after_our_rst_stream_is_ignored),
      PEER_TEST(test_5_1_data_after_our_rst_stream_counts_for_the_connection),
      PEER_TEST(test_5_1_frames_after_a_stream_error_get_no_second_rst),
      PEER_TEST(test_5_1_1_even_stream_id_from_client_is_protocol_error),
      PEER_TEST(test_5_1_1_lower_stream_id_than_previous_is_protocol_error),
      PEER_TEST(test_5_1_1_skipped_stream_ids_are_closed),
      PEER_TEST(test_5_1_1_data_on_a_skipped_stream_is_an_error),
      PEER_TEST(test_5_1_1_stream_ids_may_skip_values),
      PEER_TEST(test_5_1_1_highest_stream_id_is_accepted),
      PEER_TEST(test_5_1_1_stream_id_is_not_reused_after_reset),
      PEER_TEST(test_5_1_2_headers_over_max_concurrent_streams_are_refused),
      PEER_TEST(test_5_1_2_half_closed_streams_count_toward_the_limit),
      PEER_TEST(test_5_1_2_closed_streams_free_their_slot),
      PEER_TEST(test_5_1_2_reset_streams_free_their_slot),
      PEER_TEST(test_5_1_2_frames_on_a_refused_stream_are_ignored),
      PEER_TEST(test_5_1_2_zero_max_concurrent_streams_refuses_every_stream),
      PEER_TEST(test_5_1_2_limit_counts_every_active_stream),
      PEER_TEST(test_5_1_2_refused_streams_do_not_count),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
