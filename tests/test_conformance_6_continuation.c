/* RFC 9113 §6.10 CONTINUATION, and the rule of §4.3 / §6.2 that a field
 * block is a contiguous run of frames, server role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const uint8_t opaque[8] = {'c', 'o', 'n', 't', 'i', 'n', 'u', 'e'};
static const uint8_t raw_trailer[5] = {0x00, 0x01, 'x', 0x01, 'y'};
static const h2e_field trailer_fields[1] = {PEER_FIELD("x", "y")};

/* The standard request, its block cut after `first` octets. */
static void send_split_request(peer *p, uint32_t stream_id, size_t first,
                               uint8_t headers_flags) {
  peer_send_frame(p, H2E_FRAME_HEADERS, headers_flags, stream_id,
                  peer_request_block, first);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, stream_id,
                  peer_request_block + first, PEER_REQUEST_BLOCK_LEN - first);
}

/* Stream 1 open, with a trailer block begun (HEADERS without
 * END_HEADERS): what comes next must be its CONTINUATION. */
static peer *inside_a_block(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, 1, raw_trailer, 3);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  return p;
}

/* ---- well-formed sequences ----------------------------------------------- */

static void test_6_10_headers_and_continuations_form_one_block(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, 1,
                  peer_request_block, 3);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, 0, 1, peer_request_block + 3, 5);
  peer_expect_no_event(p);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1,
                  peer_request_block + 8, PEER_REQUEST_BLOCK_LEN - 8);
  peer_expect_request(p, 1, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void test_6_10_block_may_be_split_at_any_octet(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  for (size_t first = 1; first < PEER_REQUEST_BLOCK_LEN; first++) {
    uint32_t id = (uint32_t)(2 * first - 1);
    send_split_request(p, id, first, H2E_FLAG_END_STREAM);
    peer_expect_request(p, id, 1);
    peer_expect_no_event(p);
    peer_finish_stream(p, id);
  }
}

static void test_6_10_one_octet_fragments_form_one_block(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, 1,
                  peer_request_block, 1);
  for (size_t i = 1; i < PEER_REQUEST_BLOCK_LEN; i++)
    peer_send_frame(p, H2E_FRAME_CONTINUATION,
                    i + 1 == PEER_REQUEST_BLOCK_LEN ? H2E_FLAG_END_HEADERS : 0,
                    1, peer_request_block + i, 1);
  peer_expect_request(p, 1, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void test_6_10_empty_fragments_are_accepted(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, 1, NULL, 0);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, 0, 1, peer_request_block,
                  PEER_REQUEST_BLOCK_LEN);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1, NULL, 0);
  peer_expect_request(p, 1, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void
test_6_10_end_stream_on_headers_covers_its_continuations(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  send_split_request(p, 1, 4, H2E_FLAG_END_STREAM);
  peer_expect_request(p, 1, 1);
  assert_int_equal(h2e_stream_get_state(p->conn, 1),
                   H2E_STATE_HALF_CLOSED_REMOTE);
  peer_finish_stream(p, 1);
}

static void test_6_10_end_stream_flag_on_continuation_is_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* 0x1 means nothing on CONTINUATION (§4.1: unused flags ignored). */
  peer_send_frame(p, H2E_FRAME_HEADERS, 0, 1, peer_request_block, 4);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS | 0x1, 1,
                  peer_request_block + 4, PEER_REQUEST_BLOCK_LEN - 4);
  peer_expect_request(p, 1, 0);
  peer_expect_no_event(p);
  assert_int_equal(h2e_stream_get_state(p->conn, 1), H2E_STATE_OPEN);
}

static void test_6_10_large_block_spans_several_frames(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  size_t value_len = 40000;
  uint8_t *value = malloc(value_len);
  assert_non_null(value);
  memset(value, 'z', value_len);
  h2e_field fields[5];
  memcpy(fields, peer_request_fields, sizeof peer_request_fields);
  fields[4] =
      (h2e_field){(const uint8_t *)"x-large", value, 7, (uint32_t)value_len, 0};
  /* The peer splits blocks over the engine's max frame size. */
  peer_send_headers(p, 1, PEER_END_STREAM, fields, 5);
  peer_expect_headers_event(p, 1, H2E_HEADERS_REQUEST, 1, fields, 5);
  free(value);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void test_6_10_trailers_may_use_continuation(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, 1, raw_trailer, 2);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1,
                  raw_trailer + 2, 3);
  peer_expect_headers_event(p, 1, H2E_HEADERS_TRAILERS, 1, trailer_fields, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

/* ---- CONTINUATION out of place ------------------------------------------- */

static void test_6_10_continuation_on_stream_0_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 0,
                  peer_request_block, PEER_REQUEST_BLOCK_LEN);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 0);
}

static void
test_6_10_continuation_on_stream_0_inside_a_block_is_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 0,
                  raw_trailer + 3, 2);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_10_continuation_after_end_headers_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1,
                  raw_trailer, sizeof raw_trailer);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_10_continuation_after_the_last_continuation_is_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  send_split_request(p, 1, 5, 0);
  peer_expect_request(p, 1, 0);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1,
                  raw_trailer, sizeof raw_trailer);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void test_6_10_continuation_after_data_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 10);
  peer_expect_data_event(p, 1, 0, 10, 0);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1,
                  raw_trailer, sizeof raw_trailer);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_10_continuation_on_another_stream_is_protocol_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 3,
                  raw_trailer + 3, 2);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_10_opening_block_interrupted_is_protocol_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, 1,
                  peer_request_block, 4);
  peer_send_ping(p, 0, opaque);
  /* Stream 1 never completed its block: it may or may not count. */
  peer_expect_conn_error_last2(p, H2E_PROTOCOL_ERROR, 0, 1);
}

/* ---- other frames inside a field block (§4.3, §6.2) ---------------------- */

static void
test_6_2_data_inside_a_header_block_is_protocol_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_data(p, 1, 0, p->body, 4);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_2_headers_of_another_stream_inside_a_block_is_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, 3,
                  peer_request_block, PEER_REQUEST_BLOCK_LEN);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_2_headers_of_the_same_stream_inside_a_block_is_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, 1,
                  raw_trailer + 3, 2);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_2_priority_inside_a_header_block_is_protocol_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_priority(p, 1, 0, 16);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_2_priority_of_another_stream_inside_a_block_is_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_priority(p, 5, 0, 16);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_2_ping_inside_a_header_block_is_protocol_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_ping(p, 0, opaque);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_2_settings_inside_a_header_block_is_protocol_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_settings(p, NULL, 0);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_2_rst_stream_inside_a_header_block_is_protocol_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_2_window_update_inside_a_header_block_is_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_window_update(p, 0, 100);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

static void
test_6_2_goaway_inside_a_header_block_is_protocol_error(void **state) {
  peer *p = inside_a_block(state);
  peer_send_goaway(p, 0, H2E_NO_ERROR);
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
}

/* ---- what the engine sends ----------------------------------------------- */

static void
test_6_10_engine_block_stays_contiguous_among_other_output(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_open_stream(p, 3, 1);
  size_t value_len = 30000;
  uint8_t *value = malloc(value_len);
  assert_non_null(value);
  memset(value, 'q', value_len);
  h2e_field fields[2] = {
      PEER_FIELD(":status", "200"),
      {(const uint8_t *)"x-big", value, 5, (uint32_t)value_len, 0}};
  /* Stream 3's body and a PING compete with stream 1's large block; the
   * peer fails the test if anything comes between its frames. */
  peer_submit_status(p, 3, "200", 0);
  peer_submit_body(p, 3, 0, 30000, H2E_END_STREAM, 3);
  assert_int_equal(h2e_submit_headers(p->conn, 1, fields, 2, H2E_END_STREAM),
                   0);
  peer_send_ping(p, 0, opaque);
  int blocks = 0;
  h2e_frame f;
  while (peer_next_frame(p, &f)) {
    if (f.hd.type != H2E_FRAME_HEADERS || f.hd.stream_id != 1)
      continue;
    blocks++;
    while (p->block_open)
      assert_true(peer_next_frame(p, &f));
    assert_int_equal(p->decoded.count, 2);
    assert_int_equal(p->decoded.fields[1].value_len, value_len);
    assert_memory_equal(p->decoded.fields[1].value, value, value_len);
  }
  assert_int_equal(blocks, 1);
  free(value);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_6_10_headers_and_continuations_form_one_block),
      PEER_TEST(test_6_10_block_may_be_split_at_any_octet),
      PEER_TEST(test_6_10_one_octet_fragments_form_one_block),
      PEER_TEST(test_6_10_empty_fragments_are_accepted),
      PEER_TEST(test_6_10_end_stream_on_headers_covers_its_continuations),
      PEER_TEST(test_6_10_end_stream_flag_on_continuation_is_ignored),
      PEER_TEST(test_6_10_large_block_spans_several_frames),
      PEER_TEST(test_6_10_trailers_may_use_continuation),
      PEER_TEST(test_6_10_continuation_on_stream_0_is_protocol_error),
      PEER_TEST(test_6_10_continuation_on_stream_0_inside_a_block_is_error),
      PEER_TEST(test_6_10_continuation_after_end_headers_is_protocol_error),
      PEER_TEST(test_6_10_continuation_after_the_last_continuation_is_error),
      PEER_TEST(test_6_10_continuation_after_data_is_protocol_error),
      PEER_TEST(test_6_10_continuation_on_another_stream_is_protocol_error),
      PEER_TEST(test_6_10_opening_block_interrupted_is_protocol_error),
      PEER_TEST(test_6_2_data_inside_a_header_block_is_protocol_error),
      PEER_TEST(test_6_2_headers_of_another_stream_inside_a_block_is_error),
      PEER_TEST(test_6_2_headers_of_the_same_stream_inside_a_block_is_error),
      PEER_TEST(test_6_2_priority_inside_a_header_block_is_protocol_error),
      PEER_TEST(test_6_2_priority_of_another_stream_inside_a_block_is_error),
      PEER_TEST(test_6_2_ping_inside_a_header_block_is_protocol_error),
      PEER_TEST(test_6_2_settings_inside_a_header_block_is_protocol_error),
      PEER_TEST(test_6_2_rst_stream_inside_a_header_block_is_protocol_error),
      PEER_TEST(test_6_2_window_update_inside_a_header_block_is_error),
      PEER_TEST(test_6_2_goaway_inside_a_header_block_is_protocol_error),
      PEER_TEST(test_6_10_engine_block_stays_contiguous_among_other_output),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
