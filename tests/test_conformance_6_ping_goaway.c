/* RFC 9113 §6.7 PING and §6.8 GOAWAY, server role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const uint8_t opaque[8] = {0x00, 0x11, 0x22, 0x33,
                                  0x44, 0x55, 0x66, 0x77};
static const h2e_field request_with_custom[5] = {
    PEER_FIELD(":method", "GET"), PEER_FIELD(":scheme", "https"),
    PEER_FIELD(":path", "/"), PEER_FIELD(":authority", "example.com"),
    PEER_FIELD("x-custom", "value1")};
static const h2e_field custom_trailer[1] = {PEER_FIELD("x-custom", "value1")};

#define MAX_ID 0x7fffffffu

/* ---- §6.7 PING ----------------------------------------------------------- */

static void test_6_7_ping_is_answered_with_the_same_payload(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_ping(p, 0, opaque);
  peer_expect_ping(p, H2E_FLAG_ACK, opaque);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_6_7_ping_ack_is_not_answered(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_ping(p, H2E_FLAG_ACK, opaque);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void test_6_7_ping_on_a_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_PING, 0, 1, opaque, 8);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_7_ping_ack_on_a_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_PING, H2E_FLAG_ACK, 1, opaque, 8);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void expect_bad_ping_length(void **state, uint8_t flags, size_t len) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t payload[16] = {0};
  peer_send_frame(p, H2E_FRAME_PING, flags, 0, payload, len);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void test_6_7_ping_of_length_0_is_frame_size_error(void **state) {
  expect_bad_ping_length(state, 0, 0);
}

static void test_6_7_ping_of_length_7_is_frame_size_error(void **state) {
  expect_bad_ping_length(state, 0, 7);
}

static void test_6_7_ping_of_length_9_is_frame_size_error(void **state) {
  expect_bad_ping_length(state, 0, 9);
}

static void test_6_7_ping_ack_of_length_16_is_frame_size_error(void **state) {
  expect_bad_ping_length(state, H2E_FLAG_ACK, 16);
}

static void test_6_7_every_ping_gets_its_own_ack_in_order(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t three[3 * 17];
  for (uint8_t i = 0; i < 3; i++) {
    h2e_frame_write_header(three + 17 * i, 8, H2E_FRAME_PING, 0, 0);
    memcpy(three + 17 * i + 9, opaque, 8);
    three[17 * i + 9] = i;
  }
  peer_send_bytes(p, three, sizeof three);
  for (uint8_t i = 0; i < 3; i++) {
    uint8_t want[8];
    memcpy(want, opaque, 8);
    want[0] = i;
    peer_expect_ping(p, H2E_FLAG_ACK, want);
  }
  peer_expect_no_frame(p);
}

static void test_6_7_ping_ack_goes_before_queued_responses(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 1000, H2E_END_STREAM, 1);
  peer_send_ping(p, 0, opaque);
  /* PING responses SHOULD be given higher priority than any other frame. */
  peer_expect_ping(p, H2E_FLAG_ACK, opaque);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, p->body, 1000);
  peer_expect_no_frame(p);
}

static void test_6_7_submitted_ping_reports_its_round_trip(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  assert_int_equal(h2e_submit_ping(p->conn, opaque, p->now_ms), 0);
  peer_expect_ping(p, 0, opaque);
  peer_expect_no_frame(p);
  p->now_ms += 25;
  peer_send_ping(p, H2E_FLAG_ACK, opaque);
  h2e_event ev = peer_expect_event(p, H2E_EV_PING_ACK, 0);
  assert_memory_equal(ev.u.ping_ack.opaque_data, opaque, 8);
  assert_int_equal(ev.u.ping_ack.rtt_ms, 25);
  peer_expect_no_event(p);
  /* The engine does not answer the ACK. */
  peer_expect_no_frame(p);
}

/* A server with one timer of `ms` armed (config set by the caller), idle:
 * its first tick gives the buffers back and sends nothing. */
static peer *server_with_timer(void **state, h2e_config *config, uint64_t ms) {
  peer *p = peer_start(state, H2E_SERVER, config);
  assert_int_equal(peer_tick(p, 0), 0);
  assert_int_equal(h2e_conn_deadline(p->conn), p->now_ms + ms);
  return p;
}

/* The tick `ms` later queues a frame, of this type. */
static h2e_frame tick_sends(peer *p, uint64_t ms, uint8_t type) {
  assert_int_equal(peer_tick(p, ms), 1);
  h2e_frame f;
  assert_true(peer_next_frame(p, &f));
  assert_int_equal(f.hd.type, type);
  return f;
}

static void test_6_7_keepalive_pings_after_silence(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.keepalive_ms = 5000;
  peer *p = server_with_timer(state, &config, 5000);
  h2e_frame f = tick_sends(p, 5000, H2E_FRAME_PING);
  assert_int_equal(f.hd.flags, 0);
  uint8_t sent[8];
  memcpy(sent, f.u.ping.opaque_data, 8);
  peer_expect_no_frame(p);
  peer_send_ping(p, H2E_FLAG_ACK, sent);
  peer_expect_no_frame(p);
  peer_expect_alive(p);
}

/* ---- §6.8 GOAWAY --------------------------------------------------------- */

/* §6.8: a server closing an idle connection says GOAWAY with the last
 * stream it processed, NO_ERROR, after idle_timeout_ms without streams. */
static void test_6_8_idle_timeout_sends_goaway_no_error(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.idle_timeout_ms = 30000;
  peer *p = server_with_timer(state, &config, 30000);
  assert_int_equal(peer_tick(p, 29999), 0);
  peer_expect_no_frame(p);
  h2e_frame f = tick_sends(p, 1, H2E_FRAME_GOAWAY);
  assert_int_equal(f.hd.stream_id, 0);
  assert_int_equal(f.u.goaway.last_stream_id, 0);
  assert_int_equal(f.u.goaway.error_code, H2E_NO_ERROR);
  peer_expect_no_frame(p);
  assert_int_equal(h2e_conn_deadline(p->conn), UINT64_MAX);
}

static void test_6_8_goaway_on_a_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const uint8_t payload[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  peer_send_frame(p, H2E_FRAME_GOAWAY, 0, 1, payload, 8);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_8_goaway_of_length_7_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const uint8_t payload[7] = {0};
  peer_send_frame(p, H2E_FRAME_GOAWAY, 0, 0, payload, 7);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void test_6_8_goaway_of_length_0_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_GOAWAY, 0, 0, NULL, 0);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void test_6_8_goaway_is_reported_with_its_fields(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const uint8_t payload[11] = {0,   0,   0,  0, 0, 0, 0, H2E_NO_ERROR,
                                      'b', 'y', 'e'};
  peer_send_frame(p, H2E_FRAME_GOAWAY, 0, 0, payload, sizeof payload);
  h2e_event ev = peer_expect_event(p, H2E_EV_GOAWAY, 0);
  assert_int_equal(ev.u.goaway.last_stream_id, 0);
  assert_int_equal(ev.u.goaway.error_code, H2E_NO_ERROR);
  assert_int_equal(ev.u.goaway.debug_len, 3);
  assert_memory_equal(ev.u.goaway.debug_data, "bye", 3);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void test_6_8_open_streams_complete_after_peer_goaway(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_goaway(p, 0, H2E_NO_ERROR);
  peer_expect_event(p, H2E_EV_GOAWAY, 0);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 10);
  peer_expect_data_event(p, 1, 0, 10, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

/* Server with streams 1 and 3 processed, 3 still open. */
static peer *two_streams(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  peer_open_stream(p, 3, 0);
  return p;
}

/* The first half of a graceful shutdown: GOAWAY(2^31-1, NO_ERROR) and a
 * PING; returns the PING's payload in ping. */
static void begin_graceful_shutdown(peer *p, uint8_t ping[8]) {
  assert_int_equal(h2e_submit_goaway(p->conn, H2E_NO_ERROR, NULL, p->now_ms),
                   0);
  peer_expect_goaway(p, MAX_ID, H2E_NO_ERROR);
  h2e_frame f;
  assert_true(peer_next_frame(p, &f));
  assert_int_equal(f.hd.type, H2E_FRAME_PING);
  assert_int_equal(f.hd.flags, 0);
  memcpy(ping, f.u.ping.opaque_data, 8);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_6_8_graceful_shutdown_announces_2_31_minus_1_then_pings(void **state) {
  peer *p = two_streams(state);
  uint8_t ping[8];
  begin_graceful_shutdown(p, ping);
}

static void
test_6_8_graceful_shutdown_sends_last_id_after_ping_ack(void **state) {
  peer *p = two_streams(state);
  uint8_t ping[8];
  begin_graceful_shutdown(p, ping);
  peer_send_ping(p, H2E_FLAG_ACK, ping);
  peer_expect_goaway(p, 3, H2E_NO_ERROR);
  peer_expect_no_frame(p);
  /* The stream below the last id still completes. */
  peer_send_data(p, 3, PEER_END_STREAM, p->body, 5);
  peer_expect_data_event(p, 3, 0, 5, 1);
  peer_finish_stream(p, 3);
}

static void
test_6_8_streams_opened_during_graceful_shutdown_are_served(void **state) {
  peer *p = two_streams(state);
  uint8_t ping[8];
  begin_graceful_shutdown(p, ping);
  /* In flight before the client saw the first GOAWAY. */
  peer_open_stream(p, 5, 1);
  peer_send_ping(p, H2E_FLAG_ACK, ping);
  peer_expect_goaway(p, 5, H2E_NO_ERROR);
  peer_finish_stream(p, 5);
}

static void
test_6_8_graceful_shutdown_without_streams_ends_with_0(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t ping[8];
  begin_graceful_shutdown(p, ping);
  peer_send_ping(p, H2E_FLAG_ACK, ping);
  peer_expect_goaway(p, 0, H2E_NO_ERROR);
  peer_expect_no_frame(p);
}

/* Graceful shutdown finished with last stream id 3 (stream 3 open). */
static peer *after_final_goaway(void **state) {
  peer *p = two_streams(state);
  uint8_t ping[8];
  begin_graceful_shutdown(p, ping);
  peer_send_ping(p, H2E_FLAG_ACK, ping);
  peer_expect_goaway(p, 3, H2E_NO_ERROR);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  return p;
}

static void test_6_8_streams_above_the_last_id_are_ignored(void **state) {
  peer *p = after_final_goaway(state);
  peer_send_request(p, 5, PEER_END_STREAM);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_6_8_blocks_above_the_last_id_still_update_the_table(void **state) {
  peer *p = after_final_goaway(state);
  peer_send_headers(p, 5, PEER_END_STREAM, request_with_custom, 5);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  /* Stream 3's trailers refer to the entry the ignored block added. */
  peer_send_headers(p, 3, PEER_END_STREAM, custom_trailer, 1);
  peer_expect_headers_event(p, 3, H2E_HEADERS_TRAILERS, 1, custom_trailer, 1);
  peer_expect_no_event(p);
}

static void
test_6_8_data_above_the_last_id_counts_for_the_connection(void **state) {
  peer *p = after_final_goaway(state);
  peer_send_request(p, 5, 0);
  peer_send_data(p, 5, 0, p->body, 10000);
  peer_expect_no_frame(p);
  peer_send_data(p, 5, 0, p->body, 16000);
  peer_expect_no_frame(p);
  peer_send_data(p, 5, PEER_END_STREAM, p->body, 14000);
  peer_expect_window_update(p, 0, 40000);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_6_8_last_stream_id_never_increases(void **state) {
  peer *p = after_final_goaway(state);
  peer_send_request(p, 5, PEER_END_STREAM);
  /* A connection error now: its GOAWAY may not name stream 5. */
  peer_send_frame(p, H2E_FRAME_PING, 0, 3, opaque, 8);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 3);
}

static void
test_6_8_immediate_goaway_carries_code_and_debug_data(void **state) {
  peer *p = two_streams(state);
  assert_int_equal(
      h2e_submit_goaway(p->conn, H2E_ENHANCE_YOUR_CALM, "calm down", p->now_ms),
      0);
  static const uint8_t want[17] = {
      0,   0,   0,   3,   0,   0,   0,  H2E_ENHANCE_YOUR_CALM, 'c', 'a',
      'l', 'm', ' ', 'd', 'o', 'w', 'n'};
  peer_expect_frame(p, H2E_FRAME_GOAWAY, 0, 0, want, sizeof want);
  peer_expect_no_frame(p);
}

static void test_6_8_goaway_both_ways_without_streams_closes(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  peer_send_goaway(p, 0, H2E_NO_ERROR);
  peer_expect_event(p, H2E_EV_GOAWAY, 0);
  uint8_t ping[8];
  begin_graceful_shutdown(p, ping);
  peer_send_ping(p, H2E_FLAG_ACK, ping);
  peer_expect_goaway(p, 1, H2E_NO_ERROR);
  peer_expect_no_frame(p);
  assert_int_equal(h2e_conn_want(p->conn), H2E_CLOSED);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_6_7_ping_is_answered_with_the_same_payload),
      PEER_TEST(test_6_7_ping_ack_is_not_answered),
      PEER_TEST(test_6_7_ping_on_a_stream_is_protocol_error),
      PEER_TEST(test_6_7_ping_ack_on_a_stream_is_protocol_error),
      PEER_TEST(test_6_7_ping_of_length_0_is_frame_size_error),
      PEER_TEST(test_6_7_ping_of_length_7_is_frame_size_error),
      PEER_TEST(test_6_7_ping_of_length_9_is_frame_size_error),
      PEER_TEST(test_6_7_ping_ack_of_length_16_is_frame_size_error),
      PEER_TEST(test_6_7_every_ping_gets_its_own_ack_in_order),
      PEER_TEST(test_6_7_ping_ack_goes_before_queued_responses),
      PEER_TEST(test_6_7_submitted_ping_reports_its_round_trip),
      PEER_TEST(test_6_7_keepalive_pings_after_silence),
      PEER_TEST(test_6_8_idle_timeout_sends_goaway_no_error),
      PEER_TEST(test_6_8_goaway_on_a_stream_is_protocol_error),
      PEER_TEST(test_6_8_goaway_of_length_7_is_frame_size_error),
      PEER_TEST(test_6_8_goaway_of_length_0_is_frame_size_error),
      PEER_TEST(test_6_8_goaway_is_reported_with_its_fields),
      PEER_TEST(test_6_8_open_streams_complete_after_peer_goaway),
      PEER_TEST(test_6_8_graceful_shutdown_announces_2_31_minus_1_then_pings),
      PEER_TEST(test_6_8_graceful_shutdown_sends_last_id_after_ping_ack),
      PEER_TEST(test_6_8_streams_opened_during_graceful_shutdown_are_served),
      PEER_TEST(test_6_8_graceful_shutdown_without_streams_ends_with_0),
      PEER_TEST(test_6_8_streams_above_the_last_id_are_ignored),
      PEER_TEST(test_6_8_blocks_above_the_last_id_still_update_the_table),
      PEER_TEST(test_6_8_data_above_the_last_id_counts_for_the_connection),
      PEER_TEST(test_6_8_last_stream_id_never_increases),
      PEER_TEST(test_6_8_immediate_goaway_carries_code_and_debug_data),
      PEER_TEST(test_6_8_goaway_both_ways_without_streams_closes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
