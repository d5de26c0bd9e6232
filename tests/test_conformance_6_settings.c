/* RFC 9113 §6.5 SETTINGS: format (§6.5.1), defined settings (§6.5.2) and
 * synchronization (§6.5.3), server role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const uint8_t one_entry[6] = {
    0, H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 0, 0, 10};

/* The peer sends one setting; the engine must fail the connection. */
static void expect_bad_setting(void **state, uint16_t id, uint32_t value,
                               uint32_t code) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_setting(p, id, value);
  peer_expect_conn_error(p, code, 0);
}

/* The peer sends settings; the engine applies and acknowledges them. */
static peer *accepted_settings(void **state, const h2e_setting *settings,
                               size_t count) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_settings(p, settings, count);
  peer_expect_settings_ack(p);
  peer_expect_no_frame(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_no_event(p);
  return p;
}

/* ---- §6.5 / §6.5.1 ------------------------------------------------------- */

static void
test_6_5_settings_ack_with_payload_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0, one_entry, 6);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void test_6_5_settings_on_a_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_SETTINGS, 0, 1, one_entry, 6);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_5_settings_ack_on_a_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 3, NULL, 0);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_5_settings_of_length_3_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_SETTINGS, 0, 0, one_entry, 3);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void test_6_5_settings_of_length_7_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t payload[7] = {0};
  memcpy(payload, one_entry, 6);
  peer_send_frame(p, H2E_FRAME_SETTINGS, 0, 0, payload, 7);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void test_6_5_settings_are_applied_and_acknowledged(void **state) {
  static const h2e_setting settings[] = {
      {H2E_SETTINGS_HEADER_TABLE_SIZE, 2048},
      {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 10},
      {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1000},
      {H2E_SETTINGS_MAX_FRAME_SIZE, 20000},
      {H2E_SETTINGS_MAX_HEADER_LIST_SIZE, 8192}};
  peer *p = accepted_settings(state, settings, PEER_COUNT(settings));
  for (size_t i = 0; i < PEER_COUNT(settings); i++)
    assert_int_equal(h2e_conn_peer_setting(p->conn, settings[i].id),
                     settings[i].value);
}

static void test_6_5_empty_settings_are_acknowledged(void **state) {
  accepted_settings(state, NULL, 0);
}

static void test_6_5_each_settings_frame_gets_its_own_ack(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t two[18];
  size_t at = 0;
  for (int i = 0; i < 2; i++) {
    h2e_frame_write_header(two + at, 0, H2E_FRAME_SETTINGS, 0, 0);
    at += 9;
  }
  peer_send_bytes(p, two, at);
  peer_expect_settings_ack(p);
  peer_expect_settings_ack(p);
  peer_expect_no_frame(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_no_event(p);
}

static void test_6_5_peer_settings_start_at_their_initial_values(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  /* RFC 9113 §6.5.2 initial values, before the client's SETTINGS. */
  assert_int_equal(
      h2e_conn_peer_setting(p->conn, H2E_SETTINGS_HEADER_TABLE_SIZE), 4096);
  assert_int_equal(h2e_conn_peer_setting(p->conn, H2E_SETTINGS_ENABLE_PUSH), 1);
  assert_int_equal(
      h2e_conn_peer_setting(p->conn, H2E_SETTINGS_INITIAL_WINDOW_SIZE), 65535);
  assert_int_equal(h2e_conn_peer_setting(p->conn, H2E_SETTINGS_MAX_FRAME_SIZE),
                   16384);
  assert_int_equal(
      h2e_conn_peer_setting(p->conn, H2E_SETTINGS_MAX_CONCURRENT_STREAMS),
      UINT32_MAX);
  assert_int_equal(
      h2e_conn_peer_setting(p->conn, H2E_SETTINGS_MAX_HEADER_LIST_SIZE),
      UINT32_MAX);
}

/* ---- §6.5.2 defined settings --------------------------------------------- */

static void test_6_5_2_enable_push_of_2_is_protocol_error(void **state) {
  expect_bad_setting(state, H2E_SETTINGS_ENABLE_PUSH, 2, H2E_PROTOCOL_ERROR);
}

static void
test_6_5_2_enable_push_0_and_1_are_accepted_by_a_server(void **state) {
  static const h2e_setting settings[] = {{H2E_SETTINGS_ENABLE_PUSH, 0},
                                         {H2E_SETTINGS_ENABLE_PUSH, 1}};
  peer *p = accepted_settings(state, settings, 2);
  peer_expect_alive(p);
}

static void
test_6_5_2_initial_window_size_above_2_31_minus_1_is_error(void **state) {
  expect_bad_setting(state, H2E_SETTINGS_INITIAL_WINDOW_SIZE, 0x80000000u,
                     H2E_FLOW_CONTROL_ERROR);
}

static void
test_6_5_2_initial_window_size_of_2_31_minus_1_is_accepted(void **state) {
  static const h2e_setting max = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 0x7fffffff};
  peer *p = accepted_settings(state, &max, 1);
  peer_expect_alive(p);
}

static void
test_6_5_2_max_frame_size_below_16384_is_protocol_error(void **state) {
  expect_bad_setting(state, H2E_SETTINGS_MAX_FRAME_SIZE, 16383,
                     H2E_PROTOCOL_ERROR);
}

static void test_6_5_2_max_frame_size_of_0_is_protocol_error(void **state) {
  expect_bad_setting(state, H2E_SETTINGS_MAX_FRAME_SIZE, 0, H2E_PROTOCOL_ERROR);
}

static void
test_6_5_2_max_frame_size_above_16777215_is_protocol_error(void **state) {
  expect_bad_setting(state, H2E_SETTINGS_MAX_FRAME_SIZE, 16777216,
                     H2E_PROTOCOL_ERROR);
}

static void test_6_5_2_max_frame_size_bounds_are_accepted(void **state) {
  static const h2e_setting bounds[] = {{H2E_SETTINGS_MAX_FRAME_SIZE, 16384},
                                       {H2E_SETTINGS_MAX_FRAME_SIZE, 16777215}};
  peer *p = accepted_settings(state, bounds, 2);
  assert_int_equal(h2e_conn_peer_setting(p->conn, H2E_SETTINGS_MAX_FRAME_SIZE),
                   16777215);
  peer_expect_alive(p);
}

static void test_6_5_2_unknown_settings_are_ignored(void **state) {
  static const h2e_setting unknown[] = {
      {0x0, 1}, {0x7, 0xffffffff}, {0xa, 2}, {0xffff, 0}};
  peer *p = accepted_settings(state, unknown, PEER_COUNT(unknown));
  peer_expect_alive(p);
}

static void test_6_5_2_header_table_size_of_0_is_accepted(void **state) {
  static const h2e_setting zero = {H2E_SETTINGS_HEADER_TABLE_SIZE, 0};
  peer *p = accepted_settings(state, &zero, 1);
  /* The engine's blocks must now decode with an empty table. */
  peer_expect_alive(p);
  peer_expect_alive(p);
}

static void
test_6_5_2_header_table_size_of_2_32_minus_1_is_accepted(void **state) {
  static const h2e_setting huge = {H2E_SETTINGS_HEADER_TABLE_SIZE, 0xffffffff};
  peer *p = accepted_settings(state, &huge, 1);
  peer_expect_alive(p);
}

static void test_6_5_2_max_concurrent_streams_of_0_is_accepted(void **state) {
  static const h2e_setting zero = {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 0};
  peer *p = accepted_settings(state, &zero, 1);
  /* Only the streams a server opens are limited: requests still work. */
  peer_expect_alive(p);
}

static void test_6_5_2_max_header_list_size_is_recorded(void **state) {
  static const h2e_setting limit = {H2E_SETTINGS_MAX_HEADER_LIST_SIZE, 100};
  peer *p = accepted_settings(state, &limit, 1);
  assert_int_equal(
      h2e_conn_peer_setting(p->conn, H2E_SETTINGS_MAX_HEADER_LIST_SIZE), 100);
}

static void
test_6_5_2_enable_connect_protocol_of_2_is_protocol_error(void **state) {
  /* RFC 8441 §3: 0 or 1, anything else is a PROTOCOL_ERROR. */
  expect_bad_setting(state, H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL, 2,
                     H2E_PROTOCOL_ERROR);
}

static void
test_6_5_2_no_rfc7540_priorities_of_2_is_protocol_error(void **state) {
  /* RFC 9218 §2.1: 0 or 1, anything else is a PROTOCOL_ERROR. */
  expect_bad_setting(state, H2E_SETTINGS_NO_RFC7540_PRIORITIES, 2,
                     H2E_PROTOCOL_ERROR);
}

static void
test_6_5_2_bad_value_after_good_ones_is_not_acknowledged(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const h2e_setting settings[] = {
      {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 5},
      {H2E_SETTINGS_MAX_FRAME_SIZE, 100}};
  peer_send_settings(p, settings, 2);
  /* Only the GOAWAY: no ACK for a frame that failed. */
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

/* ---- §6.5.3 synchronization ---------------------------------------------- */

static void test_6_5_3_values_are_processed_in_order(void **state) {
  static const h2e_setting windows[] = {{H2E_SETTINGS_INITIAL_WINDOW_SIZE, 100},
                                        {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1}};
  peer *p = accepted_settings(state, windows, 2);
  assert_int_equal(
      h2e_conn_peer_setting(p->conn, H2E_SETTINGS_INITIAL_WINDOW_SIZE), 1);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 10, H2E_END_STREAM, 1);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data(p, 1, 0, p->body, 1);
  peer_expect_no_frame(p);
}

static void test_6_5_3_later_frame_replaces_earlier_values(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_setting(p, H2E_SETTINGS_INITIAL_WINDOW_SIZE, 3);
  peer_send_setting(p, H2E_SETTINGS_INITIAL_WINDOW_SIZE, 5);
  peer_expect_settings_ack(p);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 10, H2E_END_STREAM, 1);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data(p, 1, 0, p->body, 5);
  peer_expect_no_frame(p);
}

static void test_6_5_3_ack_goes_out_before_queued_responses(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 100, H2E_END_STREAM, 1);
  /* Not drained: SETTINGS arrives while the response waits. */
  peer_send_settings(p, NULL, 0);
  peer_expect_settings_ack(p);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, p->body, 100);
  peer_expect_no_frame(p);
}

static void test_6_5_3_unacknowledged_settings_time_out(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL); /* at 1000 ms */
  peer_expect_engine_settings(p);
  peer_send_preface(p);
  peer_send_settings(p, NULL, 0);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_tick(p, 0); /* the idle connection gives its buffers back */
  /* Default settings_timeout_ms: 10000. */
  assert_int_equal(h2e_conn_deadline(p->conn), 11000);
  peer_tick(p, 9999);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_tick(p, 1);
  peer_expect_conn_error(p, H2E_SETTINGS_TIMEOUT, 0);
}

static void test_6_5_3_acknowledged_settings_do_not_time_out(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_tick(p, 0); /* the idle connection gives its buffers back */
  assert_int_equal(h2e_conn_deadline(p->conn), UINT64_MAX);
  peer_tick(p, 600000);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void test_6_5_3_submitted_settings_go_out_as_given(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const h2e_setting settings[] = {
      {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 7},
      {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 131072}};
  assert_int_equal(h2e_submit_settings(p->conn, settings, 2, p->now_ms), 0);
  peer_expect_settings(p, settings, 2);
  peer_expect_no_frame(p);
  peer_send_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS_ACK, 0);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void test_6_5_3_submitted_settings_time_out_without_ack(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_tick(p, 5000);
  static const h2e_setting setting = {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 7};
  assert_int_equal(h2e_submit_settings(p->conn, &setting, 1, p->now_ms), 0);
  peer_expect_settings(p, &setting, 1);
  peer_tick(p, 0); /* the idle connection gives its buffers back */
  assert_int_equal(h2e_conn_deadline(p->conn), p->now_ms + 10000);
  peer_tick(p, 9999);
  peer_expect_no_frame(p);
  peer_tick(p, 1);
  peer_expect_conn_error(p, H2E_SETTINGS_TIMEOUT, 0);
}

static void test_6_5_3_acks_match_settings_frames_in_order(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const h2e_setting first = {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 7};
  static const h2e_setting second = {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 9};
  assert_int_equal(h2e_submit_settings(p->conn, &first, 1, p->now_ms), 0);
  peer_tick(p, 1000);
  assert_int_equal(h2e_submit_settings(p->conn, &second, 1, p->now_ms), 0);
  peer_expect_settings(p, &first, 1);
  peer_expect_settings(p, &second, 1);
  peer_send_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS_ACK, 0);
  peer_tick(p, 0); /* the idle connection gives its buffers back */
  /* The second frame is still waiting, on its own clock. */
  assert_int_equal(h2e_conn_deadline(p->conn), p->now_ms + 10000);
  peer_send_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS_ACK, 0);
  peer_tick(p, 0);
  assert_int_equal(h2e_conn_deadline(p->conn), UINT64_MAX);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void
test_6_5_3_lower_stream_limit_applies_once_acknowledged(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const h2e_setting one = {H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 1};
  assert_int_equal(h2e_submit_settings(p->conn, &one, 1, p->now_ms), 0);
  peer_expect_settings(p, &one, 1);
  /* Before the ACK the client may not know the new limit yet. */
  peer_open_stream(p, 1, 1);
  peer_open_stream(p, 3, 1);
  peer_send_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS_ACK, 0);
  peer_finish_stream(p, 1);
  /* One stream open, limit 1: the next one is refused. */
  peer_send_request(p, 5, PEER_END_STREAM);
  peer_expect_rst_stream(p, 5, H2E_REFUSED_STREAM);
  peer_expect_no_event(p);
  peer_finish_stream(p, 3);
  peer_open_stream(p, 7, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_6_5_settings_ack_with_payload_is_frame_size_error),
      PEER_TEST(test_6_5_settings_on_a_stream_is_protocol_error),
      PEER_TEST(test_6_5_settings_ack_on_a_stream_is_protocol_error),
      PEER_TEST(test_6_5_settings_of_length_3_is_frame_size_error),
      PEER_TEST(test_6_5_settings_of_length_7_is_frame_size_error),
      PEER_TEST(test_6_5_settings_are_applied_and_acknowledged),
      PEER_TEST(test_6_5_empty_settings_are_acknowledged),
      PEER_TEST(test_6_5_each_settings_frame_gets_its_own_ack),
      PEER_TEST(test_6_5_peer_settings_start_at_their_initial_values),
      PEER_TEST(test_6_5_2_enable_push_of_2_is_protocol_error),
      PEER_TEST(test_6_5_2_enable_push_0_and_1_are_accepted_by_a_server),
      PEER_TEST(test_6_5_2_initial_window_size_above_2_31_minus_1_is_error),
      PEER_TEST(test_6_5_2_initial_window_size_of_2_31_minus_1_is_accepted),
      PEER_TEST(test_6_5_2_max_frame_size_below_16384_is_protocol_error),
      PEER_TEST(test_6_5_2_max_frame_size_of_0_is_protocol_error),
      PEER_TEST(test_6_5_2_max_frame_size_above_16777215_is_protocol_error),
      PEER_TEST(test_6_5_2_max_frame_size_bounds_are_accepted),
      PEER_TEST(test_6_5_2_unknown_settings_are_ignored),
      PEER_TEST(test_6_5_2_header_table_size_of_0_is_accepted),
      PEER_TEST(test_6_5_2_header_table_size_of_2_32_minus_1_is_accepted),
      PEER_TEST(test_6_5_2_max_concurrent_streams_of_0_is_accepted),
      PEER_TEST(test_6_5_2_max_header_list_size_is_recorded),
      PEER_TEST(test_6_5_2_enable_connect_protocol_of_2_is_protocol_error),
      PEER_TEST(test_6_5_2_no_rfc7540_priorities_of_2_is_protocol_error),
      PEER_TEST(test_6_5_2_bad_value_after_good_ones_is_not_acknowledged),
      PEER_TEST(test_6_5_3_values_are_processed_in_order),
      PEER_TEST(test_6_5_3_later_frame_replaces_earlier_values),
      PEER_TEST(test_6_5_3_ack_goes_out_before_queued_responses),
      PEER_TEST(test_6_5_3_unacknowledged_settings_time_out),
      PEER_TEST(test_6_5_3_acknowledged_settings_do_not_time_out),
      PEER_TEST(test_6_5_3_submitted_settings_go_out_as_given),
      PEER_TEST(test_6_5_3_submitted_settings_time_out_without_ack),
      PEER_TEST(test_6_5_3_acks_match_settings_frames_in_order),
      PEER_TEST(test_6_5_3_lower_stream_limit_applies_once_acknowledged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
