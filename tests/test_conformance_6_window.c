/* RFC 9113 §5.2 (flow control) and §6.9 WINDOW_UPDATE (§6.9.1 the window,
 * §6.9.2 initial window size, §6.9.3 reducing it), server role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

#define MAX_WINDOW 0x7fffffffu

static const uint8_t opaque[8] = {'w', 'i', 'n', 'd', 'o', 'w', '!', '!'};

/* A server whose client has announced `settings`, answering stream 1
 * (request complete) with a body of body_len octets. */
static peer *answering(void **state, const h2e_setting *settings, size_t count,
                       size_t body_len) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  peer_handshake(p, settings, count);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, body_len, H2E_END_STREAM, 1);
  peer_expect_status(p, 1, 0, "200");
  return p;
}

/* ---- sending within the peer's windows ----------------------------------- */

static void test_5_2_1_both_windows_start_at_65535(void **state) {
  peer *p = answering(state, NULL, 0, 100000);
  assert_int_equal(peer_expect_data_total(p, 1, 0, 65535, 0, 0), 4);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_6_9_1_sender_stops_at_the_stream_window(void **state) {
  peer *p = answering(state, NULL, 0, 100000);
  peer_send_window_update(p, 0, 1u << 20);
  peer_expect_data_total(p, 1, 0, 65535, 0, 0);
  peer_expect_no_frame(p);
  peer_send_window_update(p, 1, 1000);
  peer_expect_data(p, 1, 0, p->body + 65535, 1000);
  peer_expect_no_frame(p);
  peer_skip_events(p, H2E_EV_WINDOW_OPEN);
  peer_expect_no_event(p);
}

static void test_6_9_1_sender_stops_at_the_connection_window(void **state) {
  h2e_setting big = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20};
  peer *p = answering(state, &big, 1, 100000);
  peer_expect_data_total(p, 1, 0, 65535, 0, 0);
  peer_expect_no_frame(p);
  peer_send_window_update(p, 0, 34465);
  peer_expect_data_total(p, 1, 65535, 34465, 1, 0);
  peer_expect_no_frame(p);
  peer_skip_events(p, H2E_EV_WINDOW_OPEN);
  peer_expect_two_events(p, H2E_EV_DATA_SENT, 1, H2E_EV_STREAM_CLOSED, 1);
}

static void test_6_9_1_streams_share_the_connection_window(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  h2e_setting big = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20};
  peer_handshake(p, &big, 1);
  size_t sent[2] = {0, 0};
  peer_open_stream(p, 1, 1);
  peer_open_stream(p, 3, 1);
  for (uint32_t id = 1; id <= 3; id += 2) {
    peer_submit_status(p, id, "200", 0);
    peer_submit_body(p, id, 0, 50000, H2E_END_STREAM, id);
  }
  peer_expect_status(p, 1, 0, "200");
  peer_expect_status(p, 3, 0, "200");
  h2e_frame f;
  while (peer_next_frame(p, &f)) {
    assert_int_equal(f.hd.type, H2E_FRAME_DATA);
    sent[f.hd.stream_id == 3] += f.u.data.data_len;
  }
  assert_int_equal(sent[0] + sent[1], 65535);
  peer_send_window_update(p, 0, 100000 - 65535);
  while (peer_next_frame(p, &f)) {
    assert_int_equal(f.hd.type, H2E_FRAME_DATA);
    sent[f.hd.stream_id == 3] += f.u.data.data_len;
  }
  assert_int_equal(sent[0], 50000);
  assert_int_equal(sent[1], 50000);
}

static void test_5_2_1_data_of_several_streams_goes_round_robin(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  h2e_setting big = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20};
  peer_handshake(p, &big, 1);
  peer_send_window_update(p, 0, 1u << 20);
  peer_open_stream(p, 1, 1);
  peer_open_stream(p, 3, 1);
  /* RFC 9218 §4.2: incremental responses share the connection (by
   * default one goes after the other: test_priorities.c). */
  const h2e_priority incremental = {H2E_URGENCY_DEFAULT, 1};
  for (uint32_t id = 1; id <= 3; id += 2) {
    assert_int_equal(h2e_stream_set_priority(p->conn, id, &incremental), 0);
    peer_submit_status(p, id, "200", 0);
    peer_submit_body(p, id, 0, 40000, H2E_END_STREAM, id);
  }
  /* Header blocks first, then DATA taking turns. */
  peer_expect_status(p, 1, 0, "200");
  peer_expect_status(p, 3, 0, "200");
  peer_expect_data(p, 1, 0, p->body, 16384);
  peer_expect_data(p, 3, 0, p->body, 16384);
  peer_expect_data(p, 1, 0, p->body + 16384, 16384);
  peer_expect_data(p, 3, 0, p->body + 16384, 16384);
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, p->body + 32768, 7232);
  peer_expect_data(p, 3, H2E_FLAG_END_STREAM, p->body + 32768, 7232);
  peer_expect_no_frame(p);
}

static void test_5_2_1_headers_are_not_flow_controlled(void **state) {
  h2e_setting zero = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 0};
  peer *p = answering(state, &zero, 1, 5);
  /* The HEADERS went out (checked by answering); the DATA waits. */
  peer_expect_no_frame(p);
  peer_send_window_update(p, 1, 5);
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, p->body, 5);
  peer_expect_no_frame(p);
}

static void
test_5_2_1_other_frames_flow_when_the_window_is_exhausted(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.initial_window_size = 1u << 20;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0);
  /* The whole connection window, not consumed by the application. */
  peer_send_data_frames(p, 1, 0, 65535, 16384);
  peer_expect_data_event(p, 1, 0, 65535, 0);
  peer_expect_no_frame(p);
  peer_send_ping(p, 0, opaque);
  peer_expect_ping(p, H2E_FLAG_ACK, opaque);
  peer_open_stream(p, 3, 1);
  peer_finish_stream(p, 3);
}

static void test_5_2_2_window_updates_are_read_while_data_waits(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 70000, H2E_END_STREAM, 1);
  /* Output not drained: the response waits, and more input arrives. */
  static const uint8_t frames[] = {0,
                                   0,
                                   4,
                                   H2E_FRAME_WINDOW_UPDATE,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0x27,
                                   0x10,
                                   0,
                                   0,
                                   4,
                                   H2E_FRAME_WINDOW_UPDATE,
                                   0,
                                   0,
                                   0,
                                   0,
                                   1,
                                   0,
                                   0,
                                   0x27,
                                   0x10,
                                   0,
                                   0,
                                   8,
                                   H2E_FRAME_PING,
                                   0,
                                   0,
                                   0,
                                   0,
                                   0,
                                   'w',
                                   'i',
                                   'n',
                                   'd',
                                   'o',
                                   'w',
                                   '!',
                                   '!'};
  peer_send_bytes(p, frames, sizeof frames);
  peer_expect_ping(p, H2E_FLAG_ACK, opaque);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data_total(p, 1, 0, 70000, 1, 0);
  peer_expect_no_frame(p);
}

/* ---- §6.9.2 the peer's initial window size ------------------------------- */

static void
test_6_9_2_new_initial_window_size_adjusts_open_streams(void **state) {
  peer *p = answering(state, NULL, 0, 100000);
  peer_send_window_update(p, 0, 1u << 20);
  peer_expect_data_total(p, 1, 0, 65535, 0, 0);
  peer_expect_no_frame(p);
  peer_send_setting(p, H2E_SETTINGS_INITIAL_WINDOW_SIZE, 66535);
  peer_expect_settings_ack(p);
  peer_expect_data(p, 1, 0, p->body + 65535, 1000);
  peer_expect_no_frame(p);
}

static void test_6_9_2_window_may_go_negative_and_must_recover(void **state) {
  peer *p = answering(state, NULL, 0, 100000);
  peer_send_window_update(p, 0, 1u << 20);
  peer_expect_data_total(p, 1, 0, 65535, 0, 0);
  peer_send_setting(p, H2E_SETTINGS_INITIAL_WINDOW_SIZE, 16384);
  peer_expect_settings_ack(p);
  peer_expect_no_frame(p);
  /* -49151 + 49151 = 0: still nothing may be sent. */
  peer_send_window_update(p, 1, 49151);
  peer_expect_no_frame(p);
  peer_send_window_update(p, 1, 10);
  peer_expect_data(p, 1, 0, p->body + 65535, 10);
  peer_expect_no_frame(p);
}

static void test_6_9_2_zero_initial_window_then_one_octet(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  h2e_setting zero = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 0};
  peer_handshake(p, &zero, 1);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 10, H2E_END_STREAM, 1);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_no_frame(p);
  peer_send_setting(p, H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1);
  peer_expect_settings_ack(p);
  peer_expect_data(p, 1, 0, p->body, 1);
  peer_expect_no_frame(p);
}

static void
test_6_9_2_settings_do_not_change_the_connection_window(void **state) {
  h2e_setting big = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20};
  peer *p = answering(state, &big, 1, 100000);
  peer_expect_data_total(p, 1, 0, 65535, 0, 0);
  peer_expect_no_frame(p);
}

static void
test_6_9_2_new_streams_start_with_the_peer_initial_window(void **state) {
  h2e_setting small = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1000};
  peer *p = answering(state, &small, 1, 5000);
  peer_expect_data(p, 1, 0, p->body, 1000);
  peer_expect_no_frame(p);
}

static void
test_6_9_2_initial_window_size_overflowing_a_window_is_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_window_update(p, 1, MAX_WINDOW - 65535);
  peer_expect_no_frame(p);
  /* +1 on every stream window: stream 1 would reach 2^31. */
  peer_send_setting(p, H2E_SETTINGS_INITIAL_WINDOW_SIZE, 65536);
  peer_expect_conn_error(p, H2E_FLOW_CONTROL_ERROR, 1);
}

static void
test_6_9_2_new_initial_window_size_adjusts_every_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_window_update(p, 0, 1u << 20);
  peer_open_stream(p, 1, 1);
  peer_open_stream(p, 3, 1);
  for (uint32_t id = 1; id <= 3; id += 2) {
    peer_submit_status(p, id, "200", 0);
    peer_submit_body(p, id, 0, 100000, H2E_END_STREAM, id);
  }
  peer_expect_status(p, 1, 0, "200");
  peer_expect_status(p, 3, 0, "200");
  size_t sent[2] = {0, 0};
  h2e_frame f;
  while (peer_next_frame(p, &f))
    sent[f.hd.stream_id == 3] += f.u.data.data_len;
  assert_int_equal(sent[0], 65535);
  assert_int_equal(sent[1], 65535);
  peer_send_setting(p, H2E_SETTINGS_INITIAL_WINDOW_SIZE, 66535);
  peer_expect_settings_ack(p);
  while (peer_next_frame(p, &f)) {
    assert_int_equal(f.hd.type, H2E_FRAME_DATA);
    sent[f.hd.stream_id == 3] += f.u.data.data_len;
  }
  assert_int_equal(sent[0], 66535);
  assert_int_equal(sent[1], 66535);
}

static void
test_6_9_window_update_of_0_on_an_idle_stream_is_conn_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* No RST_STREAM may go to an idle stream (§6.4): the idle-state rule
   * (§5.1) makes it a connection error. */
  peer_send_window_update(p, 3, 0);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_9_data_on_a_closed_stream_still_counts_for_the_conn(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  peer_send_data(p, 1, 0, p->body, 10000);
  if (peer_next_frame_type(p) == H2E_FRAME_GOAWAY) { /* §5.1 allows it */
    peer_expect_conn_error(p, H2E_STREAM_CLOSED, 1);
    return;
  }
  peer_expect_rst_stream(p, 1, H2E_STREAM_CLOSED);
  peer_expect_no_frame(p);
  peer_send_data(p, 1, 0, p->body, 16000);
  peer_send_data(p, 1, 0, p->body, 14000);
  /* More RST_STREAMs are a SHOULD NOT (§5.4.2, tested elsewhere); here
   * only the connection's credit matters. */
  assert_int_equal(peer_connection_credit(p, 1, 1), 40000);
}

/* ---- receiving within our windows ---------------------------------------- */

static void test_6_9_1_data_beyond_the_stream_window_is_error(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.initial_window_size = 16384;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 16384);
  peer_expect_data_event(p, 1, 0, 16384, 0);
  peer_send_data(p, 1, 0, p->body, 1);
  peer_expect_stream_or_conn_error(p, 1, H2E_FLOW_CONTROL_ERROR, 1,
                                   H2E_FLOW_CONTROL_ERROR, 1);
}

static void
test_6_9_1_data_beyond_the_connection_window_is_error(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.initial_window_size = 1u << 20;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0);
  peer_send_data_frames(p, 1, 0, 65535, 16384);
  peer_expect_data_event(p, 1, 0, 65535, 0);
  peer_open_stream(p, 3, 0);
  peer_send_data(p, 3, 0, p->body, 1);
  peer_expect_conn_error(p, H2E_FLOW_CONTROL_ERROR, 3);
}

static void
test_6_9_2_configured_connection_window_takes_more_data(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.initial_window_size = 1u << 20;
  config.connection_window = 1u << 20;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0);
  peer_send_data_frames(p, 1, PEER_END_STREAM, 200000, 16384);
  peer_expect_data_event(p, 1, 0, 200000, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void
test_6_9_window_update_of_0_on_a_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_window_update(p, 1, 0);
  peer_expect_stream_error(p, 1, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_9_window_update_of_0_on_the_connection_is_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_window_update(p, 0, 0);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_9_window_update_of_length_3_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const uint8_t payload[3] = {0, 0, 1};
  peer_send_frame(p, H2E_FRAME_WINDOW_UPDATE, 0, 0, payload, 3);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void
test_6_9_window_update_of_length_5_on_a_stream_is_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  static const uint8_t payload[5] = {0, 0, 0, 1, 0};
  peer_send_frame(p, H2E_FRAME_WINDOW_UPDATE, 0, 1, payload, 5);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 1);
}

static void test_6_9_window_update_reserved_bit_is_ignored(void **state) {
  h2e_setting big = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20};
  peer *p = answering(state, &big, 1, 70000);
  peer_expect_data_total(p, 1, 0, 65535, 0, 0);
  /* 0x8000000a: the increment is 10, not an overflow. */
  peer_send_window_update(p, 0, 0x8000000au);
  peer_expect_data(p, 1, 0, p->body + 65535, 10);
  peer_expect_no_frame(p);
}

static void
test_6_9_1_connection_window_over_2_31_minus_1_is_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_window_update(p, 0, MAX_WINDOW);
  peer_expect_conn_error(p, H2E_FLOW_CONTROL_ERROR, 0);
}

static void
test_6_9_1_stream_window_over_2_31_minus_1_is_stream_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_window_update(p, 1, MAX_WINDOW);
  peer_expect_stream_error(p, 1, H2E_FLOW_CONTROL_ERROR, 1);
}

static void test_6_9_1_windows_may_reach_exactly_2_31_minus_1(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_window_update(p, 0, MAX_WINDOW - 65535);
  peer_send_window_update(p, 1, MAX_WINDOW - 65535);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_send_window_update(p, 0, 1);
  peer_expect_conn_error(p, H2E_FLOW_CONTROL_ERROR, 1);
}

static void
test_6_9_1_accumulated_updates_overflowing_connection_is_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_window_update(p, 0, 1u << 30);
  peer_expect_no_frame(p);
  peer_send_window_update(p, 0, 1u << 30);
  peer_expect_conn_error(p, H2E_FLOW_CONTROL_ERROR, 0);
}

static void
test_6_9_1_accumulated_updates_overflowing_stream_is_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_window_update(p, 1, 1u << 30);
  peer_expect_no_frame(p);
  peer_send_window_update(p, 1, 1u << 30);
  peer_expect_stream_error(p, 1, H2E_FLOW_CONTROL_ERROR, 1);
}

static void
test_6_9_data_in_error_still_counts_for_the_connection(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  /* DATA on a half-closed (remote) stream: a stream error, but the
   * octets were counted by the sender, so they count here too. */
  peer_send_data(p, 1, 0, p->body, 10000);
  peer_expect_rst_stream(p, 1, H2E_STREAM_CLOSED);
  peer_expect_no_frame(p);
  peer_expect_reset_event(p, 1, H2E_STREAM_CLOSED, 0);
  peer_send_data(p, 1, 0, p->body, 16000);
  peer_expect_no_frame(p);
  peer_send_data(p, 1, 0, p->body, 14000);
  peer_expect_window_update(p, 0, 40000);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_6_9_1_credit_is_announced_in_batches(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 16000);
  peer_expect_data_event(p, 1, 0, 16000, 0);
  assert_int_equal(h2e_consume(p->conn, 1, 16000), 0);
  peer_expect_no_frame(p); /* 24% of the window: not yet */
  peer_send_data(p, 1, 0, p->body, 16000);
  peer_expect_data_event(p, 1, 0, 16000, 0);
  assert_int_equal(h2e_consume(p->conn, 1, 16000), 0);
  peer_expect_no_frame(p); /* 49% */
  peer_send_data(p, 1, 0, p->body, 1000);
  peer_expect_data_event(p, 1, 0, 1000, 0);
  assert_int_equal(h2e_consume(p->conn, 1, 1000), 0);
  /* 50% reached: all the credit so far, in one update per window. */
  peer_expect_window_updates(p, 1, 33000);
  peer_expect_no_frame(p);
}

static void test_6_9_1_no_credit_before_the_application_consumes(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data_frames(p, 1, 0, 60000, 16384);
  peer_expect_data_event(p, 1, 0, 60000, 0);
  peer_expect_no_frame(p);
  assert_int_equal(h2e_consume(p->conn, 1, 60000), 0);
  peer_expect_window_updates(p, 1, 60000);
}

static void test_6_9_1_auto_consume_returns_credit_by_itself(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.auto_consume = 1;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0);
  /* 16000 + 16000 + 8000: the threshold is crossed by the last frame. */
  peer_send_data_frames(p, 1, 0, 40000, 16000);
  peer_expect_data_event(p, 1, 0, 40000, 0);
  peer_expect_window_updates(p, 1, 40000);
  peer_expect_no_frame(p);
}

static void test_6_9_1_update_threshold_follows_the_config(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.window_update_percent = 10;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 6000);
  peer_expect_data_event(p, 1, 0, 6000, 0);
  assert_int_equal(h2e_consume(p->conn, 1, 6000), 0);
  peer_expect_no_frame(p); /* under 6553 */
  peer_send_data(p, 1, 0, p->body, 1000);
  peer_expect_data_event(p, 1, 0, 1000, 0);
  assert_int_equal(h2e_consume(p->conn, 1, 1000), 0);
  peer_expect_window_updates(p, 1, 7000);
}

/* ---- §6.9.3 reducing our window ------------------------------------------ */

static void
test_6_9_3_data_above_a_reduced_window_is_accepted_before_ack(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  h2e_setting small = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1000};
  assert_int_equal(h2e_submit_settings(p->conn, &small, 1, p->now_ms), 0);
  peer_expect_settings(p, &small, 1);
  /* Sent before the client saw our SETTINGS. */
  peer_send_data(p, 1, 0, p->body, 16000);
  peer_expect_data_event(p, 1, 0, 16000, 0);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_6_9_3_reduced_window_applies_once_acknowledged(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  h2e_setting small = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1000};
  assert_int_equal(h2e_submit_settings(p->conn, &small, 1, p->now_ms), 0);
  peer_expect_settings(p, &small, 1);
  peer_send_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS_ACK, 0);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 1000);
  peer_expect_data_event(p, 1, 0, 1000, 0);
  peer_send_data(p, 1, 0, p->body, 1);
  peer_expect_stream_or_conn_error(p, 1, H2E_FLOW_CONTROL_ERROR, 1,
                                   H2E_FLOW_CONTROL_ERROR, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_5_2_1_both_windows_start_at_65535),
      PEER_TEST(test_6_9_1_sender_stops_at_the_stream_window),
      PEER_TEST(test_6_9_1_sender_stops_at_the_connection_window),
      PEER_TEST(test_6_9_1_streams_share_the_connection_window),
      PEER_TEST(test_5_2_1_data_of_several_streams_goes_round_robin),
      PEER_TEST(test_5_2_1_headers_are_not_flow_controlled),
      PEER_TEST(test_5_2_1_other_frames_flow_when_the_window_is_exhausted),
      PEER_TEST(test_5_2_2_window_updates_are_read_while_data_waits),
      PEER_TEST(test_6_9_2_new_initial_window_size_adjusts_open_streams),
      PEER_TEST(test_6_9_2_new_initial_window_size_adjusts_every_stream),
      PEER_TEST(test_6_9_window_update_of_0_on_an_idle_stream_is_conn_error),
      PEER_TEST(test_6_9_data_on_a_closed_stream_still_counts_for_the_conn),
      PEER_TEST(test_6_9_2_window_may_go_negative_and_must_recover),
      PEER_TEST(test_6_9_2_zero_initial_window_then_one_octet),
      PEER_TEST(test_6_9_2_settings_do_not_change_the_connection_window),
      PEER_TEST(test_6_9_2_new_streams_start_with_the_peer_initial_window),
      PEER_TEST(test_6_9_2_initial_window_size_overflowing_a_window_is_error),
      PEER_TEST(test_6_9_1_data_beyond_the_stream_window_is_error),
      PEER_TEST(test_6_9_1_data_beyond_the_connection_window_is_error),
      PEER_TEST(test_6_9_2_configured_connection_window_takes_more_data),
      PEER_TEST(test_6_9_window_update_of_0_on_a_stream_is_protocol_error),
      PEER_TEST(test_6_9_window_update_of_0_on_the_connection_is_error),
      PEER_TEST(test_6_9_window_update_of_length_3_is_frame_size_error),
      PEER_TEST(test_6_9_window_update_of_length_5_on_a_stream_is_error),
      PEER_TEST(test_6_9_window_update_reserved_bit_is_ignored),
      PEER_TEST(test_6_9_1_connection_window_over_2_31_minus_1_is_error),
      PEER_TEST(test_6_9_1_stream_window_over_2_31_minus_1_is_stream_error),
      PEER_TEST(test_6_9_1_windows_may_reach_exactly_2_31_minus_1),
      PEER_TEST(test_6_9_1_accumulated_updates_overflowing_connection_is_error),
      PEER_TEST(test_6_9_1_accumulated_updates_overflowing_stream_is_error),
      PEER_TEST(test_6_9_data_in_error_still_counts_for_the_connection),
      PEER_TEST(test_6_9_1_credit_is_announced_in_batches),
      PEER_TEST(test_6_9_1_no_credit_before_the_application_consumes),
      PEER_TEST(test_6_9_1_auto_consume_returns_credit_by_itself),
      PEER_TEST(test_6_9_1_update_threshold_follows_the_config),
      PEER_TEST(test_6_9_3_data_above_a_reduced_window_is_accepted_before_ack),
      PEER_TEST(test_6_9_3_reduced_window_applies_once_acknowledged),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
