/* RFC 9113 §5.4 (error handling), §5.5 (extending HTTP/2) and §7 (error
 * codes), server role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const uint8_t opaque[8] = {8, 7, 6, 5, 4, 3, 2, 1};
static const uint8_t raw_trailer[5] = {0x00, 0x01, 'x', 0x01, 'y'};

/* ---- §5.4.1 connection errors -------------------------------------------- */

static void test_5_4_1_goaway_names_the_last_processed_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  peer_open_stream(p, 3, 0);
  peer_send_frame(p, H2E_FRAME_PING, 0, 3, opaque, 8);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 3);
}

static void
test_5_4_1_goaway_last_stream_is_0_when_none_was_processed(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_SETTINGS, 0, 1, NULL, 0);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_5_4_1_connection_is_closed_after_a_connection_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_frame(p, H2E_FRAME_DATA, 0, 0, p->body, 1);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
  /* Terminal: nothing more goes out, whatever the application does. */
  h2e_field status = PEER_FIELD(":status", "200");
  assert_int_equal(h2e_submit_headers(p->conn, 1, &status, 1, H2E_END_STREAM),
                   H2E_ERR_CONN_CLOSED);
  assert_int_equal(h2e_submit_ping(p->conn, opaque, p->now_ms),
                   H2E_ERR_CONN_CLOSED);
  peer_tick(p, 60000);
  peer_expect_no_frame(p);
  assert_int_equal(h2e_conn_want(p->conn), H2E_CLOSED);
}

static void test_5_4_1_nothing_follows_the_goaway(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 30000, H2E_END_STREAM, 3);
  /* Not drained: the response is queued when the error happens. */
  peer_send_frame(p, H2E_FRAME_WINDOW_UPDATE, 0, 0, opaque, 3);
  h2e_frame f;
  int goaway = 0;
  while (peer_next_frame(p, &f)) {
    if (goaway)
      fail_msg("a %s frame follows the GOAWAY of a connection error",
               h2e_frame_type_name(f.hd.type));
    if (f.hd.type == H2E_FRAME_GOAWAY) {
      assert_int_equal(f.u.goaway.error_code, H2E_FRAME_SIZE_ERROR);
      assert_int_equal(f.u.goaway.last_stream_id, 1);
      goaway = 1;
    }
  }
  assert_true(goaway);
}

static void
test_5_4_1_frame_with_stream_and_connection_errors_is_conn_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* PRIORITY of length 4 (a stream error, §6.3) on stream 0 (a
   * connection error): the connection error MUST be reported. */
  static const uint8_t short_priority[4] = {0, 0, 0, 1};
  peer_send_frame(p, H2E_FRAME_PRIORITY, 0, 0, short_priority, 4);
  peer_expect_conn_error2(p, H2E_PROTOCOL_ERROR, H2E_FRAME_SIZE_ERROR, 0);
}

/* ---- §5.4.2 stream errors ------------------------------------------------ */

static void test_5_4_2_stream_error_leaves_other_streams_alone(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_open_stream(p, 3, 0);
  peer_send_data(p, 1, 0, p->body, 10);
  peer_expect_rst_stream(p, 1, H2E_STREAM_CLOSED);
  peer_expect_no_frame(p);
  peer_expect_reset_event(p, 1, H2E_STREAM_CLOSED, 0);
  peer_expect_no_event(p);
  peer_send_data(p, 3, PEER_END_STREAM, p->body, 20);
  peer_expect_data_event(p, 3, 0, 20, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 3);
}

static void
test_5_4_2_rst_stream_is_not_answered_with_rst_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_rst_stream(p, 1, H2E_PROTOCOL_ERROR);
  peer_expect_reset_event(p, 1, H2E_PROTOCOL_ERROR, 1);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_5_4_2_rst_stream_after_our_stream_error_is_not_answered(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_data(p, 1, 0, p->body, 10);
  peer_expect_stream_error(p, 1, H2E_STREAM_CLOSED, 1);
  peer_send_rst_stream(p, 1, H2E_STREAM_CLOSED);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_5_4_2_rst_stream_is_the_last_frame_on_its_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 100000, H2E_END_STREAM, 8);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data_total(p, 1, 0, 65535, 0, 0);
  peer_expect_no_frame(p);
  /* A frame the half-closed stream may not receive: a stream error. */
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, 1, raw_trailer,
                  sizeof raw_trailer);
  peer_expect_rst_stream(p, 1, H2E_STREAM_CLOSED);
  peer_expect_two_events(p, H2E_EV_STREAM_RESET, 1, H2E_EV_DATA_SENT, 1);
  /* Credit for the rest of the body arrives: none of it is sent. */
  peer_send_window_update(p, 0, 100000);
  peer_send_window_update(p, 1, 100000);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_5_4_2_frames_on_a_closed_stream_get_one_rst_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  /* A peer that keeps sending on a closed stream: §5.4.2, an endpoint
   * SHOULD NOT send more than one RST_STREAM for a stream (and each one
   * it answers with is a reset it was made to send, CVE-2019-9514). */
  for (int i = 0; i < 3; i++)
    peer_send_data(p, 1, 0, p->body, 10);
  if (peer_next_frame_type(p) == H2E_FRAME_GOAWAY) { /* §5.1 allows it */
    peer_expect_conn_error(p, H2E_STREAM_CLOSED, 1);
    return;
  }
  peer_expect_rst_stream(p, 1, H2E_STREAM_CLOSED);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

/* ---- §5.5 extensions ----------------------------------------------------- */

static void
test_5_5_unknown_frame_inside_a_header_block_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, 1, raw_trailer,
                  sizeof raw_trailer);
  peer_send_frame(p, 0x77, 0, 1, opaque, 8);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_5_5_unknown_frame_on_stream_0_inside_a_block_is_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, 1, raw_trailer,
                  sizeof raw_trailer);
  peer_send_frame(p, 0xb0, 0, 0, NULL, 0);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_5_5_unknown_frames_between_data_frames_are_discarded(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 100);
  peer_expect_data_event(p, 1, 0, 100, 0);
  peer_send_frame(p, 0xcc, 0x0f, 1, opaque, 8);
  peer_send_frame(p, 0xcd, 0, 0, opaque, 8);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 50);
  peer_expect_data_event(p, 1, 0, 50, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  peer_finish_stream(p, 1);
}

static void test_5_5_large_unknown_frame_is_discarded(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, 0x99, 0, 0, p->body, 16384);
  peer_send_frame(p, 0x99, 0, 5, p->body, 16384);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void test_5_5_priority_update_extension_frame_is_reported(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  /* RFC 9218 §7.1: a known extension frame, on stream 0. */
  static const uint8_t update[] = {0, 0, 0, 1, 'u', '=', '1'};
  peer_send_frame(p, H2E_FRAME_PRIORITY_UPDATE, 0, 0, update, sizeof update);
  h2e_event ev = peer_expect_event(p, H2E_EV_PRIORITY_UPDATE, 0);
  assert_int_equal(ev.u.priority_update.prioritized_stream_id, 1);
  assert_int_equal(ev.u.priority_update.field_value_len, 3);
  assert_memory_equal(ev.u.priority_update.field_value, "u=1", 3);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void test_5_5_altsvc_sent_to_a_server_is_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* RFC 7838 §4: ALTSVC is a server-to-client frame. */
  static const uint8_t altsvc[] = {0,   11,  'e', 'x', 'a', 'm', 'p',
                                   'l', 'e', '.', 'c', 'o', 'm', 'h',
                                   '2', '=', '"', ':', '1', '"'};
  peer_send_frame(p, H2E_FRAME_ALTSVC, 0, 0, altsvc, sizeof altsvc);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

/* ---- §7 error codes ------------------------------------------------------ */

static void
test_7_unknown_error_code_in_rst_stream_has_no_special_meaning(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_rst_stream(p, 1, 0xdeadbeef);
  peer_expect_reset_event(p, 1, 0xdeadbeef, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  peer_expect_alive(p);
}

/* Everything a server puts out after a GOAWAY(0, code) from the client,
 * with stream 1 waiting for its response, as bytes and event types. */
typedef struct reaction {
  uint8_t wire[256];
  size_t wire_len;
  h2e_event_type events[8];
  size_t event_count;
  int submit_result;
} reaction;

static void react_to_goaway(peer *p, uint32_t code, reaction *out) {
  memset(out, 0, sizeof *out);
  peer_open_stream(p, 1, 1);
  peer_send_goaway(p, 0, code);
  h2e_event ev;
  while (peer_next_event(p, &ev) && out->event_count < 8) {
    if (ev.type == H2E_EV_GOAWAY)
      assert_int_equal(ev.u.goaway.error_code, code); /* reported as is */
    out->events[out->event_count++] = ev.type;
  }
  h2e_field status = PEER_FIELD(":status", "200");
  out->submit_result =
      h2e_submit_headers(p->conn, 1, &status, 1, H2E_END_STREAM);
  peer_drain(p);
  out->wire_len = p->wire_len - p->wire_pos;
  assert_true(out->wire_len <= sizeof out->wire);
  memcpy(out->wire, p->wire + p->wire_pos, out->wire_len);
}

static int same_reaction(const reaction *a, const reaction *b) {
  if (a->event_count != b->event_count ||
      a->submit_result != b->submit_result || a->wire_len != b->wire_len ||
      memcmp(a->wire, b->wire, a->wire_len) != 0)
    return 0;
  for (size_t i = 0; i < a->event_count; i++)
    if (a->events[i] != b->events[i])
      return 0;
  return 1;
}

static void
test_7_unknown_error_code_in_goaway_has_no_special_meaning(void **state) {
  /* RFC 9113 §7: no special behaviour; an implementation MAY take it as
   * INTERNAL_ERROR. So the engine reacts exactly as it does to a known
   * code: NO_ERROR (nothing special) or INTERNAL_ERROR. */
  reaction unknown, none, internal;
  react_to_goaway(peer_start(state, H2E_SERVER, NULL), 0x12345678, &unknown);
  peer_teardown(state);
  react_to_goaway(peer_start(state, H2E_SERVER, NULL), H2E_NO_ERROR, &none);
  peer_teardown(state);
  react_to_goaway(peer_start(state, H2E_SERVER, NULL), H2E_INTERNAL_ERROR,
                  &internal);
  if (!same_reaction(&unknown, &none) && !same_reaction(&unknown, &internal))
    fail_msg("GOAWAY with an unknown code gets a reaction of its own (%zu "
             "events, submit %d, %zu octets out)",
             unknown.event_count, unknown.submit_result, unknown.wire_len);
}

static void test_7_goaway_with_no_error_lets_open_streams_finish(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_goaway(p, 0, H2E_NO_ERROR);
  h2e_event ev = peer_expect_event(p, H2E_EV_GOAWAY, 0);
  assert_int_equal(ev.u.goaway.error_code, H2E_NO_ERROR);
  peer_expect_no_event(p);
  peer_submit_status(p, 1, "200", H2E_END_STREAM);
  peer_expect_status(p, 1, 1, "200");
  peer_expect_no_frame(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_5_4_1_goaway_names_the_last_processed_stream),
      PEER_TEST(test_5_4_1_goaway_last_stream_is_0_when_none_was_processed),
      PEER_TEST(test_5_4_1_connection_is_closed_after_a_connection_error),
      PEER_TEST(test_5_4_1_nothing_follows_the_goaway),
      PEER_TEST(
          test_5_4_1_frame_with_stream_and_connection_errors_is_conn_error),
      PEER_TEST(test_5_4_2_stream_error_leaves_other_streams_alone),
      PEER_TEST(test_5_4_2_rst_stream_is_not_answered_with_rst_stream),
      PEER_TEST(test_5_4_2_rst_stream_after_our_stream_error_is_not_answered),
      PEER_TEST(test_5_4_2_rst_stream_is_the_last_frame_on_its_stream),
      PEER_TEST(test_5_4_2_frames_on_a_closed_stream_get_one_rst_stream),
      PEER_TEST(test_5_5_unknown_frame_inside_a_header_block_is_protocol_error),
      PEER_TEST(test_5_5_unknown_frame_on_stream_0_inside_a_block_is_error),
      PEER_TEST(test_5_5_unknown_frames_between_data_frames_are_discarded),
      PEER_TEST(test_5_5_large_unknown_frame_is_discarded),
      PEER_TEST(test_5_5_priority_update_extension_frame_is_reported),
      PEER_TEST(test_5_5_altsvc_sent_to_a_server_is_ignored),
      PEER_TEST(test_7_unknown_error_code_in_rst_stream_has_no_special_meaning),
      PEER_TEST(test_7_unknown_error_code_in_goaway_has_no_special_meaning),
      PEER_TEST(test_7_goaway_with_no_error_lets_open_streams_finish),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
