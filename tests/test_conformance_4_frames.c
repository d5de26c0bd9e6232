/* RFC 9113 §4.1 (frame format) and §4.2 (frame size), server role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const uint8_t opaque[8] = {'h', '2', 'e', '-', 'p', 'i', 'n', 'g'};
static const uint8_t some_bytes[16] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4,
                                       5,    6,    7,    8,    9, 0, 0, 1};

/* ---- §4.1: unknown types, unused flags, the reserved bit ----------------- */

static void test_4_1_unknown_frame_type_on_stream_0_is_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, 0x77, 0, 0, some_bytes, sizeof some_bytes);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_send_ping(p, 0, opaque);
  peer_expect_ping(p, H2E_FLAG_ACK, opaque);
  peer_expect_no_frame(p);
}

static void
test_4_1_unknown_frame_type_on_idle_stream_is_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* It neither opens stream 99 nor closes the streams below it. */
  peer_send_frame(p, 0xfa, 0, 99, some_bytes, sizeof some_bytes);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  assert_int_equal(h2e_stream_get_state(p->conn, 99), H2E_STATE_IDLE);
  peer_expect_alive(p); /* a request on stream 1 */
}

static void
test_4_1_unknown_frame_type_on_open_stream_is_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_frame(p, 0x42, 0, 1, some_bytes, sizeof some_bytes);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 10);
  peer_expect_data_event(p, 1, 0, 10, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void
test_4_1_unknown_frame_type_with_all_flags_set_is_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, 0xfe, 0xff, 0, NULL, 0);
  peer_send_frame(p, 0xfe, 0xff, 0x7fffffff, some_bytes, 3);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

static void test_4_1_unused_flags_on_ping_are_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* Every flag but ACK: still a PING, and the answer has ACK only. */
  peer_send_ping(p, 0xfe, opaque);
  peer_expect_ping(p, H2E_FLAG_ACK, opaque);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_4_1_unused_flags_on_headers_are_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t flags =
      H2E_FLAG_END_STREAM | H2E_FLAG_END_HEADERS | 0x02 | 0x10 | 0x40 | 0x80;
  peer_send_frame(p, H2E_FRAME_HEADERS, flags, 1, peer_request_block,
                  PEER_REQUEST_BLOCK_LEN);
  peer_expect_request(p, 1, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void test_4_1_unused_flags_on_data_are_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, H2E_FLAG_END_STREAM | 0xf6, p->body, 100);
  peer_expect_data_event(p, 1, 0, 100, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void test_4_1_unused_flags_on_settings_are_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const uint8_t entry[6] = {
      0, H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 0, 0, 77};
  /* 0xfe: every flag but ACK, so a SETTINGS to apply and acknowledge. */
  peer_send_frame(p, H2E_FRAME_SETTINGS, 0xfe, 0, entry, sizeof entry);
  peer_expect_settings_ack(p);
  peer_expect_no_frame(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_expect_no_event(p);
  assert_int_equal(
      h2e_conn_peer_setting(p->conn, H2E_SETTINGS_MAX_CONCURRENT_STREAMS), 77);
}

static void test_4_1_unused_flags_on_window_update_are_ignored(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  h2e_setting big = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20};
  peer_handshake(p, &big, 1);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 66535, H2E_END_STREAM, 7);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data_total(p, 1, 0, 65535, 0, 0); /* the connection window */
  peer_expect_no_frame(p);
  static const uint8_t increment[4] = {0, 0, 0x03, 0xe8}; /* 1000 */
  peer_send_frame(p, H2E_FRAME_WINDOW_UPDATE, 0xff, 0, increment, 4);
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, p->body + 65535, 1000);
  peer_expect_no_frame(p);
}

static void test_4_1_unused_flags_on_rst_stream_are_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  static const uint8_t cancel[4] = {0, 0, 0, H2E_CANCEL};
  peer_send_frame(p, H2E_FRAME_RST_STREAM, 0xff, 1, cancel, 4);
  peer_expect_reset_event(p, 1, H2E_CANCEL, 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  assert_int_equal(h2e_stream_get_state(p->conn, 1), H2E_STATE_CLOSED);
}

static void test_4_1_reserved_bit_in_stream_id_is_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_END_STREAM | H2E_FLAG_END_HEADERS, 0x80000001u,
                  peer_request_block, PEER_REQUEST_BLOCK_LEN);
  peer_expect_request(p, 1, 1);
  peer_expect_no_event(p);
  /* The answer goes to stream 1, reserved bit clear (checked by peer). */
  peer_finish_stream(p, 1);
}

static void test_4_1_reserved_bit_on_connection_frame_is_ignored(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* Stream 0 with the reserved bit set is still stream 0. */
  peer_send_frame(p, H2E_FRAME_PING, 0, 0x80000000u, opaque, 8);
  peer_expect_ping(p, H2E_FLAG_ACK, opaque);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void test_4_1_sent_frames_leave_unused_flags_unset(void **state) {
  /* Every frame the peer parses is checked for flags its type does not
   * define (peer.c); this drives the engine through most frame types. */
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_ping(p, 0, opaque);
  peer_expect_ping(p, H2E_FLAG_ACK, opaque);
  peer_open_stream(p, 1, 0);
  peer_send_data_frames(p, 1, PEER_END_STREAM, 40000, 16384);
  peer_expect_data_event(p, 1, 0, 40000, 1);
  assert_int_equal(h2e_consume(p->conn, 1, 40000), 0);
  peer_expect_window_update(p, 0, 40000);
  peer_expect_no_frame(p);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 10, H2E_END_STREAM, 1);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, p->body, 10);
  peer_expect_no_frame(p);
}

static void test_4_1_sent_frames_leave_reserved_bits_unset(void **state) {
  /* The peer checks the reserved bit of every stream id, WINDOW_UPDATE
   * increment and GOAWAY last stream id the engine sends. */
  h2e_config config = peer_config(H2E_SERVER);
  config.connection_window = 0x7fffffff;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_send_request(p, 0x7fffffff, 0);
  peer_expect_request(p, 0x7fffffff, 0);
  assert_int_equal(h2e_submit_rst_stream(p->conn, 0x7fffffff, H2E_CANCEL), 0);
  peer_expect_rst_stream(p, 0x7fffffff, H2E_CANCEL);
  assert_int_equal(
      h2e_submit_goaway(p->conn, H2E_ENHANCE_YOUR_CALM, "bye", p->now_ms), 0);
  peer_expect_goaway(p, 0x7fffffff, H2E_ENHANCE_YOUR_CALM);
  peer_expect_no_frame(p);
}

/* ---- §4.2: frame size ---------------------------------------------------- */

/* The standard request plus x-fill: <value> so the block is `total`
 * octets, as a literal without indexing (the table stays untouched).
 * Returns the value length. */
static size_t filled_block(uint8_t *out, size_t total) {
  memcpy(out, peer_request_block, PEER_REQUEST_BLOCK_LEN);
  uint8_t *at = out + PEER_REQUEST_BLOCK_LEN;
  *at++ = 0x00;
  *at++ = 6;
  memcpy(at, "x-fill", 6);
  at += 6;
  /* 7-bit prefix integer with two continuation octets (RFC 7541 §5.1). */
  size_t value_len = total - (size_t)(at - out) - 3;
  size_t rest = value_len - 127;
  assert_true(rest >= 128 && rest < (1u << 14));
  *at++ = 0x7f;
  *at++ = (uint8_t)(0x80 | (rest & 0x7f));
  *at++ = (uint8_t)(rest >> 7);
  memset(at, 'f', value_len);
  return value_len;
}

static void test_4_2_data_frame_of_16384_octets_is_accepted(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 16384);
  peer_expect_data_event(p, 1, 0, 16384, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void test_4_2_headers_frame_of_16384_octets_is_accepted(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t *block = malloc(16384);
  assert_non_null(block);
  size_t value_len = filled_block(block, 16384);
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, 1, block, 16384);
  h2e_field want[5];
  memcpy(want, peer_request_fields, sizeof peer_request_fields);
  want[4] = (h2e_field){(const uint8_t *)"x-fill", block + 16384 - value_len, 6,
                        (uint32_t)value_len, 0};
  peer_expect_headers_event(p, 1, H2E_HEADERS_REQUEST, 1, want, 5);
  free(block);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void
test_4_2_data_frame_over_max_frame_size_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 16385);
  /* A DATA frame alters one stream: stream or connection error. */
  peer_expect_stream_or_conn_error(p, 1, H2E_FRAME_SIZE_ERROR, 1,
                                   H2E_FRAME_SIZE_ERROR, 1);
}

static void
test_4_2_headers_frame_over_max_frame_size_is_connection_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t *block = malloc(16385);
  assert_non_null(block);
  filled_block(block, 16385);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_HEADERS, 1, block, 16385);
  free(block);
  /* RFC 9113 §4.2: a frame carrying a field block alters the connection
   * state (HPACK), so this is a connection error. */
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void
test_4_2_continuation_over_max_frame_size_is_connection_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  /* A trailer block on stream 1, continued by an oversized CONTINUATION. */
  static const uint8_t first[] = {0x00, 0x01, 'x'};
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, 1, first,
                  sizeof first);
  uint8_t *rest = calloc(1, 16385);
  assert_non_null(rest);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1, rest,
                  16385);
  free(rest);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 1);
}

static void
test_4_2_settings_over_max_frame_size_is_connection_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  size_t len = 6 * 2731; /* 16386 octets, a multiple of 6 */
  uint8_t *entries = malloc(len);
  assert_non_null(entries);
  for (size_t i = 0; i < len; i += 6) {
    static const uint8_t entry[6] = {
        0, H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 0, 0, 0, 100};
    memcpy(entries + i, entry, 6);
  }
  peer_send_frame(p, H2E_FRAME_SETTINGS, 0, 0, entries, len);
  free(entries);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void test_4_2_oversized_frame_fails_on_its_header_alone(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* Only the 9-octet header of a 16 MiB HEADERS frame: no need to wait
   * for (or buffer) the payload to know it is too large. */
  peer_send_frame_len(p, 0xffffff, H2E_FRAME_HEADERS, H2E_FLAG_END_HEADERS, 1,
                      NULL, 0);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void
test_4_2_larger_advertised_max_frame_size_is_honoured(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.max_frame_size = 32768;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, PEER_END_STREAM, p->body, 20000);
  peer_expect_data_event(p, 1, 0, 20000, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
}

static void test_4_2_frame_over_advertised_max_frame_size_is_frame_size_error(
    void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.max_frame_size = 32768;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 0);
  peer_send_data(p, 1, 0, p->body, 32769);
  peer_expect_stream_or_conn_error(p, 1, H2E_FRAME_SIZE_ERROR, 1,
                                   H2E_FRAME_SIZE_ERROR, 1);
}

static void test_4_2_sent_data_is_split_at_16384_by_default(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 40000, H2E_END_STREAM, 5);
  /* RFC 9113 §4.1: nothing over 2^14 unless the peer allowed more. */
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data(p, 1, 0, p->body, 16384);
  peer_expect_data(p, 1, 0, p->body + 16384, 16384);
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, p->body + 32768, 7232);
  peer_expect_no_frame(p);
}

static void test_4_2_sent_data_uses_the_peer_max_frame_size(void **state) {
  peer *p = peer_new(state, H2E_SERVER, NULL);
  h2e_setting larger = {H2E_SETTINGS_MAX_FRAME_SIZE, 32768};
  peer_handshake(p, &larger, 1);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  peer_submit_body(p, 1, 0, 40000, H2E_END_STREAM, 5);
  peer_expect_status(p, 1, 0, "200");
  peer_expect_data(p, 1, 0, p->body, 32768);
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, p->body + 32768, 7232);
  peer_expect_no_frame(p);
}

static void
test_4_2_large_sent_header_block_is_split_into_continuations(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  size_t value_len = 40000;
  uint8_t *value = malloc(value_len);
  assert_non_null(value);
  memset(value, 'v', value_len);
  h2e_field fields[2] = {PEER_FIELD(":status", "200"),
                         {(const uint8_t *)"x-big", value, 5,
                          (uint32_t)value_len, H2E_FIELD_NO_INDEX}};
  assert_int_equal(h2e_submit_headers(p->conn, 1, fields, 2, H2E_END_STREAM),
                   0);
  /* HEADERS then CONTINUATIONs, each within 16384 octets (the peer's
   * parser enforces it), decoding to exactly the submitted fields. */
  h2e_frame first;
  assert_true(peer_next_frame(p, &first));
  assert_int_equal(first.hd.type, H2E_FRAME_HEADERS);
  assert_int_equal(first.hd.flags, H2E_FLAG_END_STREAM);
  size_t continuations = 0;
  while (p->block_open) {
    h2e_frame next;
    assert_true(peer_next_frame(p, &next));
    assert_int_equal(next.hd.type, H2E_FRAME_CONTINUATION);
    assert_int_equal(next.hd.stream_id, 1);
    continuations++;
  }
  assert_true(continuations >= 2);
  assert_int_equal(p->decoded.count, 2);
  assert_int_equal(p->decoded.fields[1].value_len, value_len);
  assert_memory_equal(p->decoded.fields[1].value, value, value_len);
  free(value);
  peer_expect_no_frame(p);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 1);
  peer_expect_no_event(p);
}

static void
test_4_2_padded_data_without_pad_length_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  /* PADDED with an empty payload: no room for the Pad Length field. */
  peer_send_frame(p, H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, NULL, 0);
  peer_expect_stream_or_conn_error(p, 1, H2E_FRAME_SIZE_ERROR, 1,
                                   H2E_FRAME_SIZE_ERROR, 1);
}

static void
test_4_2_padded_headers_without_pad_length_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_PADDED | H2E_FLAG_END_HEADERS,
                  1, NULL, 0);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

static void
test_4_2_headers_too_short_for_priority_is_frame_size_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const uint8_t short_priority[4] = {0, 0, 0, 0};
  peer_send_frame(p, H2E_FRAME_HEADERS,
                  H2E_FLAG_PRIORITY | H2E_FLAG_END_HEADERS, 1, short_priority,
                  sizeof short_priority);
  peer_expect_conn_error(p, H2E_FRAME_SIZE_ERROR, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_4_1_unknown_frame_type_on_stream_0_is_ignored),
      PEER_TEST(test_4_1_unknown_frame_type_on_idle_stream_is_ignored),
      PEER_TEST(test_4_1_unknown_frame_type_on_open_stream_is_ignored),
      PEER_TEST(test_4_1_unknown_frame_type_with_all_flags_set_is_ignored),
      PEER_TEST(test_4_1_unused_flags_on_ping_are_ignored),
      PEER_TEST(test_4_1_unused_flags_on_headers_are_ignored),
      PEER_TEST(test_4_1_unused_flags_on_data_are_ignored),
      PEER_TEST(test_4_1_unused_flags_on_settings_are_ignored),
      PEER_TEST(test_4_1_unused_flags_on_window_update_are_ignored),
      PEER_TEST(test_4_1_unused_flags_on_rst_stream_are_ignored),
      PEER_TEST(test_4_1_reserved_bit_in_stream_id_is_ignored),
      PEER_TEST(test_4_1_reserved_bit_on_connection_frame_is_ignored),
      PEER_TEST(test_4_1_sent_frames_leave_unused_flags_unset),
      PEER_TEST(test_4_1_sent_frames_leave_reserved_bits_unset),
      PEER_TEST(test_4_2_data_frame_of_16384_octets_is_accepted),
      PEER_TEST(test_4_2_headers_frame_of_16384_octets_is_accepted),
      PEER_TEST(test_4_2_data_frame_over_max_frame_size_is_frame_size_error),
      PEER_TEST(test_4_2_headers_frame_over_max_frame_size_is_connection_error),
      PEER_TEST(test_4_2_continuation_over_max_frame_size_is_connection_error),
      PEER_TEST(test_4_2_settings_over_max_frame_size_is_connection_error),
      PEER_TEST(test_4_2_oversized_frame_fails_on_its_header_alone),
      PEER_TEST(test_4_2_larger_advertised_max_frame_size_is_honoured),
      PEER_TEST(
          test_4_2_frame_over_advertised_max_frame_size_is_frame_size_error),
      PEER_TEST(test_4_2_sent_data_is_split_at_16384_by_default),
      PEER_TEST(test_4_2_sent_data_uses_the_peer_max_frame_size),
      PEER_TEST(test_4_2_large_sent_header_block_is_split_into_continuations),
      PEER_TEST(test_4_2_padded_data_without_pad_length_is_frame_size_error),
      PEER_TEST(test_4_2_padded_headers_without_pad_length_is_frame_size_error),
      PEER_TEST(test_4_2_headers_too_short_for_priority_is_frame_size_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
