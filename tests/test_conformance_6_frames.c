/* RFC 9113 §6.1 DATA, §6.2 HEADERS, §6.3 PRIORITY and §6.4 RST_STREAM,
 * server role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const h2e_field trailer[1] = {PEER_FIELD("x-checksum", "abc")};

/* A HEADERS payload: [pad length] [priority] block [padding]. */
static size_t headers_payload(uint8_t *out, int padded, uint8_t pad_len,
                              int priority) {
  size_t at = 0;
  if (padded)
    out[at++] = pad_len;
  if (priority) {
    static const uint8_t fields[5] = {0x80, 0, 0, 0, 200}; /* exclusive on 0 */
    memcpy(out + at, fields, 5);
    at += 5;
  }
  memcpy(out + at, peer_request_block, PEER_REQUEST_BLOCK_LEN);
  at += PEER_REQUEST_BLOCK_LEN;
  if (padded) {
    memset(out + at, 0, pad_len);
    at += pad_len;
  }
  return at;
}

/* ---- §6.1 DATA ----------------------------------------------------------- */

static void test_6_1_data_on_stream_0_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_data(p, 0, 0, p->body, 10);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_1_empty_data_with_end_stream_ends_the_body(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 10);
  peer_expect_data_event(p, 1, 0, 10, 0);
  peer_send_data(p, 1, PEER_END_STREAM, NULL, 0);
  peer_expect_data_event(p, 1, 0, 0, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void
test_6_1_padded_data_is_delivered_without_its_padding(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_padded_data(p, 1, PEER_END_STREAM, 100, 10);
  peer_expect_data_event(p, 1, 0, 100, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void
test_6_1_pad_length_equal_to_payload_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  static const uint8_t payload[5] = {5, 'a', 'b', 'c', 'd'};
  peer_send_frame(p, H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, payload, 5);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void test_6_1_pad_length_above_payload_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  static const uint8_t payload[1] = {200};
  peer_send_frame(p, H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, payload, 1);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void test_6_1_padding_may_fill_the_rest_of_the_frame(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  /* Pad Length 4 in a 5-octet payload: no data, and no error. */
  static const uint8_t payload[5] = {4, 0, 0, 0, 0};
  peer_send_frame(p, H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, payload, 5);
  peer_expect_no_frame(p);
  h2e_event ev;
  if (peer_next_event(p, &ev)) { /* an empty DATA event is allowed */
    assert_int_equal(ev.type, H2E_EV_DATA);
    assert_int_equal(ev.u.data.len, 0);
    assert_int_equal(ev.u.data.end_stream, 0);
  }
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 7);
  peer_expect_data_event(p, 1, 0, 7, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void test_6_1_padding_counts_toward_flow_control(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.initial_window_size = 16384;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0);
  /* 16128 octets of data + 256 of padding fill the stream window. */
  peer_send_padded_data(p, 1, 0, 16128, 255);
  peer_expect_data_event(p, 1, 0, 16128, 0);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  /* One more padded octet (just a Pad Length of 0) is over the window. */
  peer_send_padded_data(p, 1, 0, 0, 0);
  peer_expect_stream_or_conn_error(p, 1, H2E_FLOW_CONTROL_ERROR, 1,
                                   H2E_FLOW_CONTROL_ERROR, 1);
}

static void test_6_1_padding_credit_is_returned_by_the_engine(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  for (int i = 0; i < 3; i++) {
    peer_send_padded_data(p, 1, 0, 16128, 255);
    peer_expect_data_event(p, 1, 0, 16128, 0);
    peer_expect_no_frame(p);
  }
  peer_expect_no_event(p);
  /* The application gives back the data; the engine adds the padding:
   * 3 x 16384 octets were taken from both windows. */
  assert_int_equal(h2e_consume(p->conn, 1, 3 * 16128), 0);
  peer_expect_window_updates(p, 1, 3 * 16384);
  peer_expect_no_frame(p);
}

static void test_6_1_data_events_are_slices_of_the_input(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  uint8_t frame[9 + 100];
  h2e_frame_write_header(frame, 100, H2E_FRAME_DATA, H2E_FLAG_END_STREAM, 1);
  memcpy(frame + 9, p->body, 100);
  peer_send_bytes(p, frame, sizeof frame);
  /* Zero copy: the payload is handed out where it arrived. */
  h2e_event ev = peer_expect_event(p, H2E_EV_DATA, 1);
  assert_ptr_equal(ev.u.data.data, frame + 9);
  assert_int_equal(ev.u.data.len, 100);
  assert_int_equal(ev.u.data.end_stream, 1);
  peer_expect_no_event(p);
}

static void test_6_1_file_body_goes_out_as_data_frames(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  FILE *file = tmpfile();
  assert_non_null(file);
  assert_int_equal(fwrite(p->body, 1, 50000, file), 50000);
  assert_int_equal(fflush(file), 0);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  /* A region of the file: octets 1000 .. 41000. */
  assert_int_equal(h2e_submit_file(p->conn, 1, fileno(file), 1000, 40000,
                                   H2E_END_STREAM, 77),
                   0);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data_total(p, 1, 1000, 40000, 1, 16384);
  peer_expect_no_frame(p);
  /* The release and the close, in either order. */
  int released = 0, closed = 0;
  h2e_event ev;
  while (peer_next_event(p, &ev)) {
    if (ev.type == H2E_EV_DATA_SENT && ev.u.data_sent.cookie == 77)
      released++;
    else if (ev.type == H2E_EV_STREAM_CLOSED && ev.stream_id == 1)
      closed++;
    else
      fail_msg("unexpected event %s", peer_event_name(ev.type));
  }
  assert_int_equal(released, 1);
  assert_int_equal(closed, 1);
  fclose(file);
}

static void test_6_1_data_cannot_be_submitted_on_an_idle_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  assert_true(h2e_submit_data(p->conn, 1, p->body, 10, H2E_END_STREAM, 1) < 0);
  assert_true(h2e_submit_data(p->conn, 2, p->body, 10, H2E_END_STREAM, 1) < 0);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

/* ---- §6.2 HEADERS -------------------------------------------------------- */

static void test_6_2_headers_on_stream_0_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, 0,
                  peer_request_block, PEER_REQUEST_BLOCK_LEN);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void expect_headers_variant(void **state, int padded, uint8_t pad_len,
                                   int priority) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t payload[512];
  size_t len = headers_payload(payload, padded, pad_len, priority);
  uint8_t flags = H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM;
  flags |= padded ? H2E_FLAG_PADDED : 0;
  flags |= priority ? H2E_FLAG_PRIORITY : 0;
  peer_send_frame(p, H2E_FRAME_HEADERS, flags, 1, payload, len);
  peer_expect_request(p, 1, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void test_6_2_padded_headers_are_decoded(void **state) {
  expect_headers_variant(state, 1, 20, 0);
}

static void test_6_2_headers_with_zero_padding_are_decoded(void **state) {
  expect_headers_variant(state, 1, 0, 0);
}

static void test_6_2_headers_with_priority_fields_are_decoded(void **state) {
  expect_headers_variant(state, 0, 0, 1);
}

static void
test_6_2_headers_with_padding_and_priority_are_decoded(void **state) {
  expect_headers_variant(state, 1, 255, 1);
}

static void
test_6_2_headers_pad_length_equal_to_payload_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t payload[64];
  size_t len = headers_payload(payload, 1, 3, 0);
  payload[0] = (uint8_t)len;
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_PADDED | H2E_FLAG_END_HEADERS,
                  1, payload, len);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_2_headers_pad_length_above_payload_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t payload[64];
  size_t len = headers_payload(payload, 1, 0, 0);
  payload[0] = 255;
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_PADDED | H2E_FLAG_END_HEADERS,
                  1, payload, len);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_2_trailers_end_the_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 64);
  peer_expect_data_event(p, 1, 0, 64, 0);
  peer_send_headers(p, 1, PEER_END_STREAM, trailer, 1);
  peer_expect_headers_event(p, 1, H2E_HEADERS_TRAILERS, 1, trailer, 1);
  peer_expect_no_event(p);
  assert_int_equal(h2e_stream_get_state(p->conn, 1),
                   H2E_STATE_HALF_CLOSED_REMOTE);
  peer_finish_stream(p, 1);
}

static void test_6_2_engine_sends_trailers_after_the_body(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 20000, 0, 1);
  assert_int_equal(h2e_submit_headers(p->conn, 1, trailer, 1, H2E_END_STREAM),
                   0);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data(p, 1, 0, p->body, 16384);
  peer_expect_data(p, 1, 0, p->body + 16384, 20000 - 16384);
  peer_expect_headers(p, 1, 1, trailer, 1);
  peer_expect_no_frame(p);
}

/* ---- §6.3 PRIORITY ------------------------------------------------------- */

static void test_6_3_priority_on_stream_0_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_priority(p, 0, 1, 16);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_3_priority_of_length_4_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  static const uint8_t payload[4] = {0, 0, 0, 0};
  peer_send_frame(p, H2E_FRAME_PRIORITY, 0, 1, payload, 4);
  peer_expect_stream_error(p, 1, H2E_FRAME_SIZE_ERROR, 1);
}

static void test_6_3_priority_of_length_6_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  static const uint8_t payload[6] = {0, 0, 0, 0, 16, 0};
  peer_send_frame(p, H2E_FRAME_PRIORITY, 0, 1, payload, 6);
  peer_expect_stream_error(p, 1, H2E_FRAME_SIZE_ERROR, 1);
}

static void
test_6_3_priority_of_wrong_length_on_idle_stream_is_an_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const uint8_t payload[4] = {0, 0, 0, 0};
  peer_send_frame(p, H2E_FRAME_PRIORITY, 0, 3, payload, 4);
  /* §6.3 asks for a stream error, §6.4 forbids RST_STREAM on an idle
   * stream: RST_STREAM(FRAME_SIZE_ERROR) (what h2spec expects) or a
   * connection error FRAME_SIZE_ERROR (§5.4.1). */
  if (peer_next_frame_type(p) == H2E_FRAME_GOAWAY) {
    peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
    return;
  }
  peer_expect_rst_stream(p, 3, H2E_FRAME_SIZE_ERROR);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void test_6_3_priority_does_not_change_stream_state(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_priority(p, 1, 0x80000000u, 255);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  assert_int_equal(h2e_stream_get_state(p->conn, 1), H2E_STATE_OPEN);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 1);
  peer_expect_data_event(p, 1, 0, 1, 1);
  peer_finish_stream(p, 1);
}

static void test_6_3_priority_may_name_idle_and_closed_streams(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_finish_stream(p, 1);
  peer_open_stream(p, 3, 1);
  peer_send_priority(p, 3, 99, 1); /* on an idle stream */
  peer_send_priority(p, 3, 1, 1);  /* on a closed stream */
  peer_send_priority(p, 5, 3, 1);  /* from an idle stream */
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_finish_stream(p, 3);
  peer_expect_alive(p);
}

/* RFC 7540 §5.3.1 made a stream depending on itself a stream error
 * PROTOCOL_ERROR; RFC 9113 drops priority signals and says nothing. So:
 * either ignored, or exactly that stream error. */
static void expect_ignored_or_protocol_error(peer *p, uint32_t stream_id,
                                             int reset_event) {
  peer_drain(p);
  if (p->wire_pos < p->wire_len) {
    peer_expect_stream_error(p, stream_id, H2E_PROTOCOL_ERROR, reset_event);
    return;
  }
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void
test_6_3_priority_depending_on_itself_is_at_most_a_stream_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_send_priority(p, 1, 1, 1);
  expect_ignored_or_protocol_error(p, 1, 1);
}

static void
test_6_2_headers_depending_on_itself_is_at_most_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t payload[64];
  size_t len = headers_payload(payload, 0, 0, 1);
  payload[3] = 1; /* exclusive dependency on stream 1 itself */
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_PRIORITY | H2E_FLAG_END_HEADERS |
                      H2E_FLAG_END_STREAM,
                  1, payload, len);
  /* A frame carrying a field block: a connection error is also fine
   * (RFC 9113 §5.4.1, an endpoint MAY treat a stream error so). */
  if (peer_next_frame_type(p) == H2E_FRAME_GOAWAY) {
    peer_expect_conn_error_last2(p, H2E_PROTOCOL_ERROR, 0, 1);
    return;
  }
  h2e_event ev;
  if (peer_next_event(p, &ev)) { /* delivered: then it must be served */
    assert_int_equal(ev.type, H2E_EV_HEADERS);
    assert_int_equal(ev.stream_id, 1);
    expect_ignored_or_protocol_error(p, 1, 1);
    return;
  }
  expect_ignored_or_protocol_error(p, 1, 0);
}

/* ---- §6.4 RST_STREAM ----------------------------------------------------- */

static void test_6_4_rst_stream_on_stream_0_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_rst_stream(p, 0, H2E_CANCEL);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void test_6_4_rst_stream_on_idle_stream_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_rst_stream(p, 3, H2E_CANCEL);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void test_6_4_rst_stream_of_length_3_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  static const uint8_t payload[3] = {0, 0, 0};
  peer_send_frame(p, H2E_FRAME_RST_STREAM, 0, 1, payload, 3);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 1);
}

static void test_6_4_rst_stream_of_length_5_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  static const uint8_t payload[5] = {0, 0, 0, H2E_CANCEL, 0};
  peer_send_frame(p, H2E_FRAME_RST_STREAM, 0, 1, payload, 5);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 1);
}

static void test_6_4_rst_stream_is_reported_with_its_code(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_open_stream(p, 3, 0);
  peer_send_rst_stream(p, 3, H2E_ENHANCE_YOUR_CALM);
  peer_expect_reset_event(p, 3, H2E_ENHANCE_YOUR_CALM, 1);
  peer_send_rst_stream(p, 1, H2E_NO_ERROR);
  peer_expect_reset_event(p, 1, H2E_NO_ERROR, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void
test_6_4_rst_stream_cannot_be_submitted_on_an_idle_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* RFC 9113 §6.4: RST_STREAM MUST NOT be sent for an idle stream. */
  assert_true(h2e_submit_rst_stream(p->conn, 1, H2E_CANCEL) < 0);
  assert_true(h2e_submit_rst_stream(p->conn, 2, H2E_CANCEL) < 0);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_6_4_rst_stream_cannot_be_submitted_on_stream_0(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  assert_true(h2e_submit_rst_stream(p->conn, 0, H2E_CANCEL) < 0);
  peer_expect_no_frame(p);
}

static void test_6_4_one_rst_stream_per_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  assert_int_equal(h2e_submit_rst_stream(p->conn, 1, H2E_CANCEL), 0);
  h2e_submit_rst_stream(p->conn, 1, H2E_INTERNAL_ERROR); /* may refuse */
  peer_expect_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_no_frame(p);
  /* The application reset it itself: no STREAM_RESET event. */
  peer_expect_no_event(p);
}

static void test_6_4_nothing_is_sent_after_receiving_rst_stream(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 1000, 0, 21);
  /* The response is queued, not yet written, when the reset arrives. */
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  h2e_frame f;
  while (peer_next_frame(p, &f))
    if (f.hd.stream_id == 1)
      fail_msg("a %s frame went out on stream 1 after its RST_STREAM was "
               "received",
               h2e_frame_type_name(f.hd.type));
  peer_expect_two_events(p, H2E_EV_STREAM_RESET, 1, H2E_EV_DATA_SENT, 1);
  peer_expect_no_event(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_6_1_data_on_stream_0_is_protocol_error),
      PEER_TEST(test_6_1_empty_data_with_end_stream_ends_the_body),
      PEER_TEST(test_6_1_padded_data_is_delivered_without_its_padding),
      PEER_TEST(test_6_1_pad_length_equal_to_payload_is_protocol_error),
      PEER_TEST(test_6_1_pad_length_above_payload_is_protocol_error),
      PEER_TEST(test_6_1_padding_may_fill_the_rest_of_the_frame),
      PEER_TEST(test_6_1_padding_counts_toward_flow_control),
      PEER_TEST(test_6_1_padding_credit_is_returned_by_the_engine),
      PEER_TEST(test_6_1_data_events_are_slices_of_the_input),
      PEER_TEST(test_6_1_file_body_goes_out_as_data_frames),
      PEER_TEST(test_6_1_data_cannot_be_submitted_on_an_idle_stream),
      PEER_TEST(test_6_2_headers_on_stream_0_is_protocol_error),
      PEER_TEST(test_6_2_padded_headers_are_decoded),
      PEER_TEST(test_6_2_headers_with_zero_padding_are_decoded),
      PEER_TEST(test_6_2_headers_with_priority_fields_are_decoded),
      PEER_TEST(test_6_2_headers_with_padding_and_priority_are_decoded),
      PEER_TEST(test_6_2_headers_pad_length_equal_to_payload_is_protocol_error),
      PEER_TEST(test_6_2_headers_pad_length_above_payload_is_protocol_error),
      PEER_TEST(test_6_2_trailers_end_the_stream),
      PEER_TEST(test_6_2_engine_sends_trailers_after_the_body),
      PEER_TEST(test_6_3_priority_on_stream_0_is_protocol_error),
      PEER_TEST(test_6_3_priority_of_length_4_is_frame_size_error),
      PEER_TEST(test_6_3_priority_of_length_6_is_frame_size_error),
      PEER_TEST(test_6_3_priority_of_wrong_length_on_idle_stream_is_an_error),
      PEER_TEST(test_6_3_priority_does_not_change_stream_state),
      PEER_TEST(test_6_3_priority_may_name_idle_and_closed_streams),
      PEER_TEST(
          test_6_3_priority_depending_on_itself_is_at_most_a_stream_error),
      PEER_TEST(test_6_2_headers_depending_on_itself_is_at_most_protocol_error),
      PEER_TEST(test_6_4_rst_stream_on_stream_0_is_protocol_error),
      PEER_TEST(test_6_4_rst_stream_on_idle_stream_is_protocol_error),
      PEER_TEST(test_6_4_rst_stream_of_length_3_is_frame_size_error),
      PEER_TEST(test_6_4_rst_stream_of_length_5_is_frame_size_error),
      PEER_TEST(test_6_4_rst_stream_is_reported_with_its_code),
      PEER_TEST(test_6_4_rst_stream_cannot_be_submitted_on_an_idle_stream),
      PEER_TEST(test_6_4_rst_stream_cannot_be_submitted_on_stream_0),
      PEER_TEST(test_6_4_one_rst_stream_per_stream),
      PEER_TEST(test_6_4_nothing_is_sent_after_receiving_rst_stream),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
