/* RFC 9113 §4.3 (field section compression) and §4.3.1 (compression
 * state), server role. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const h2e_field request_with_custom[5] = {
    PEER_FIELD(":method", "GET"), PEER_FIELD(":scheme", "https"),
    PEER_FIELD(":path", "/"), PEER_FIELD(":authority", "example.com"),
    PEER_FIELD("x-custom", "value1")};
static const h2e_field custom_trailer[1] = {PEER_FIELD("x-custom", "value1")};

/* A HEADERS frame opening stream_id with a raw block. */
static void send_block(peer *p, uint32_t stream_id, uint8_t flags,
                       const uint8_t *block, size_t len) {
  peer_send_frame(p, H2E_FRAME_HEADERS, (uint8_t)(flags | H2E_FLAG_END_HEADERS),
                  stream_id, block, len);
}

/* A request block: `prefix` and then the standard request. */
static size_t request_after(const uint8_t *prefix, size_t prefix_len,
                            uint8_t *out) {
  memcpy(out, prefix, prefix_len);
  memcpy(out + prefix_len, peer_request_block, PEER_REQUEST_BLOCK_LEN);
  return prefix_len + PEER_REQUEST_BLOCK_LEN;
}

/* A new stream whose block does not decode: COMPRESSION_ERROR; the
 * request was never processed. */
static void expect_bad_block(const uint8_t *block, size_t len, void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  send_block(p, 1, H2E_FLAG_END_STREAM, block, len);
  peer_expect_conn_error_last2(p, H2E_COMPRESSION_ERROR, 0, 1);
}

static void test_4_3_hpack_index_zero_is_compression_error(void **state) {
  static const uint8_t block[] = {0x82, 0x80};
  expect_bad_block(block, sizeof block, state);
}

static void
test_4_3_hpack_index_beyond_both_tables_is_compression_error(void **state) {
  static const uint8_t block[] = {0x82, 0xbe}; /* 62, dynamic table empty */
  expect_bad_block(block, sizeof block, state);
}

static void test_4_3_hpack_truncated_string_is_compression_error(void **state) {
  static const uint8_t block[] = {0x82, 0x00, 0x05, 'a'};
  expect_bad_block(block, sizeof block, state);
}

static void
test_4_3_hpack_truncated_integer_is_compression_error(void **state) {
  static const uint8_t block[] = {0x82, 0xff};
  expect_bad_block(block, sizeof block, state);
}

static void test_4_3_hpack_integer_overflow_is_compression_error(void **state) {
  static const uint8_t block[] = {0x82, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
  expect_bad_block(block, sizeof block, state);
}

static void test_4_3_hpack_huffman_eos_is_compression_error(void **state) {
  /* A value whose Huffman code holds the 30-bit EOS symbol. */
  static const uint8_t block[] = {0x82, 0x00, 0x01, 'a', 0x84,
                                  0xff, 0xff, 0xff, 0xff};
  expect_bad_block(block, sizeof block, state);
}

static void
test_4_3_hpack_huffman_zero_padding_is_compression_error(void **state) {
  /* 'a' is 00011; padding must be the EOS prefix (ones), not 000. */
  static const uint8_t block[] = {0x82, 0x00, 0x01, 'a', 0x81, 0x18};
  expect_bad_block(block, sizeof block, state);
}

static void
test_4_3_hpack_huffman_padding_over_7_bits_is_compression_error(void **state) {
  static const uint8_t block[] = {0x82, 0x00, 0x01, 'a', 0x82, 0x1f, 0xff};
  expect_bad_block(block, sizeof block, state);
}

static void
test_4_3_hpack_size_update_above_setting_is_compression_error(void **state) {
  /* 4097 > our SETTINGS_HEADER_TABLE_SIZE of 4096 (RFC 7541 §6.3). */
  static const uint8_t update[] = {0x3f, 0xe2, 0x1f};
  uint8_t block[64];
  expect_bad_block(block, request_after(update, sizeof update, block), state);
}

static void
test_4_3_hpack_size_update_after_a_field_is_compression_error(void **state) {
  /* RFC 7541 §4.2: size updates only at the start of a block. */
  static const uint8_t block[] = {0x82, 0x20, 0x87, 0x84};
  expect_bad_block(block, sizeof block, state);
}

static void
test_4_3_hpack_size_updates_at_block_start_are_accepted(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* Down to 0 and back to 4096: the table is as the encoder thinks. */
  static const uint8_t updates[] = {0x20, 0x3f, 0xe1, 0x1f};
  uint8_t block[64];
  send_block(p, 1, H2E_FLAG_END_STREAM, block,
             request_after(updates, sizeof updates, block));
  peer_expect_request(p, 1, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
  peer_expect_alive(p);
}

static void
test_4_3_decoding_error_in_trailers_is_connection_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  static const uint8_t bad[] = {0x80};
  send_block(p, 1, H2E_FLAG_END_STREAM, bad, sizeof bad);
  peer_expect_conn_error(p, H2E_COMPRESSION_ERROR, 1);
}

static void
test_4_3_decoding_error_in_continuation_is_connection_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  static const uint8_t good[] = {0x00, 0x01, 'x', 0x01, 'y'};
  static const uint8_t bad[] = {0x80};
  peer_send_frame(p, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, 1, good,
                  sizeof good);
  peer_send_frame(p, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1, bad,
                  sizeof bad);
  peer_expect_conn_error(p, H2E_COMPRESSION_ERROR, 1);
}

static void
test_4_3_block_ending_inside_a_field_is_compression_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  /* END_HEADERS on a fragment that stops inside a literal. */
  static const uint8_t cut[] = {0x00, 0x03, 'a', 'b'};
  send_block(p, 1, H2E_FLAG_END_STREAM, cut, sizeof cut);
  peer_expect_conn_error(p, H2E_COMPRESSION_ERROR, 1);
}

static void test_4_3_dynamic_table_carries_across_blocks(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  /* The second block refers to entries the first one added. */
  peer_send_headers(p, 1, PEER_END_STREAM, request_with_custom, 5);
  peer_expect_headers_event(p, 1, H2E_HEADERS_REQUEST, 1, request_with_custom,
                            5);
  peer_send_headers(p, 3, PEER_END_STREAM, request_with_custom, 5);
  peer_expect_headers_event(p, 3, H2E_HEADERS_REQUEST, 1, request_with_custom,
                            5);
  peer_expect_no_event(p);
}

static void test_4_3_engine_blocks_share_one_compression_context(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const h2e_field response[] = {PEER_FIELD(":status", "200"),
                                       PEER_FIELD("x-served-by", "h2e"),
                                       PEER_FIELD("cache-control", "no-store")};
  for (uint32_t id = 1; id <= 5; id += 2) {
    peer_open_stream(p, id, 1);
    assert_int_equal(
        h2e_submit_headers(p->conn, id, response, 3, H2E_END_STREAM), 0);
    /* The peer's decoder follows the engine's table from block to block. */
    peer_expect_headers(p, id, 1, response, 3);
    peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  }
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
}

static void
test_4_3_block_on_a_stream_we_reset_still_updates_the_table(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  assert_int_equal(h2e_submit_rst_stream(p->conn, 1, H2E_CANCEL), 0);
  peer_expect_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_no_frame(p);
  /* The application reset it itself: no STREAM_RESET event. */
  peer_expect_no_event(p);
  /* Trailers in flight: discarded, but their block must be decoded. */
  peer_send_headers(p, 1, PEER_END_STREAM, custom_trailer, 1);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  /* This block refers to x-custom by its dynamic table index. */
  peer_send_headers(p, 3, PEER_END_STREAM, request_with_custom, 5);
  peer_expect_headers_event(p, 3, H2E_HEADERS_REQUEST, 1, request_with_custom,
                            5);
  peer_expect_no_event(p);
}

static void
test_4_3_block_on_a_refused_stream_still_updates_the_table(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.max_concurrent_streams = 1;
  peer *p = peer_start(state, H2E_SERVER, &config);
  peer_open_stream(p, 1, 1);
  peer_send_headers(p, 3, PEER_END_STREAM, request_with_custom, 5);
  peer_expect_rst_stream(p, 3, H2E_REFUSED_STREAM);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_finish_stream(p, 1);
  peer_send_headers(p, 5, PEER_END_STREAM, request_with_custom, 5);
  peer_expect_headers_event(p, 5, H2E_HEADERS_REQUEST, 1, request_with_custom,
                            5);
  peer_expect_no_event(p);
}

/* ---- §4.3.1 -------------------------------------------------------------- */

static void
test_4_3_1_engine_starts_next_block_with_size_update_after_ack(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const h2e_field response[] = {PEER_FIELD(":status", "200"),
                                       PEER_FIELD("x-resp", "abcdef")};
  peer_open_stream(p, 1, 1);
  assert_int_equal(h2e_submit_headers(p->conn, 1, response, 2, H2E_END_STREAM),
                   0);
  peer_expect_headers(p, 1, 1, response, 2);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 1);
  /* The engine's table is not empty; we reduce its maximum to 0. */
  peer_send_setting(p, H2E_SETTINGS_HEADER_TABLE_SIZE, 0);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  peer_open_stream(p, 3, 1);
  assert_int_equal(h2e_submit_headers(p->conn, 3, response, 2, H2E_END_STREAM),
                   0);
  peer_expect_headers(p, 3, 1, response, 2);
  /* The block opens with a Dynamic Table Size Update to 0. */
  assert_true(p->block_len > 0);
  assert_int_equal(p->block[0], 0x20);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, 3);
  peer_expect_no_event(p);
}

/* The engine lowers its HEADER_TABLE_SIZE to `size` after stream 1 filled
 * its decoder's table; the peer acknowledges when `ack` says so. */
static peer *reduce_engine_table(void **state, uint32_t size, int ack) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1); /* :authority enters the table */
  peer_finish_stream(p, 1);
  h2e_setting setting = {H2E_SETTINGS_HEADER_TABLE_SIZE, size};
  assert_int_equal(h2e_submit_settings(p->conn, &setting, 1, p->now_ms), 0);
  peer_expect_settings(p, &setting, 1);
  peer_expect_no_frame(p);
  if (ack) {
    peer_send_settings_ack(p);
    peer_expect_event(p, H2E_EV_SETTINGS_ACK, 0);
    peer_expect_no_event(p);
  }
  return p;
}

static void
test_4_3_1_block_without_size_update_after_reduction_is_error(void **state) {
  peer *p = reduce_engine_table(state, 0, 1);
  send_block(p, 3, H2E_FLAG_END_STREAM, peer_request_block,
             PEER_REQUEST_BLOCK_LEN);
  peer_expect_conn_error_last2(p, H2E_COMPRESSION_ERROR, 1, 3);
}

static void
test_4_3_1_block_with_size_update_after_reduction_is_accepted(void **state) {
  peer *p = reduce_engine_table(state, 0, 1);
  /* The peer's encoder took the new size with its ACK: its next block
   * starts with the update. */
  peer_open_stream(p, 3, 1);
  peer_finish_stream(p, 3);
}

static void
test_4_3_1_reduction_takes_effect_only_when_acknowledged(void **state) {
  peer *p = reduce_engine_table(state, 0, 0);
  /* Not acknowledged yet: the old maximum still holds, no update due. */
  send_block(p, 3, H2E_FLAG_END_STREAM, peer_request_block,
             PEER_REQUEST_BLOCK_LEN);
  peer_expect_request(p, 3, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, 3);
}

static void
test_4_3_1_size_update_above_reduced_maximum_is_error(void **state) {
  peer *p = reduce_engine_table(state, 1024, 1);
  static const uint8_t update[] = {0x3f, 0xe1, 0x0f}; /* 2048 > 1024 */
  uint8_t block[64];
  send_block(p, 3, H2E_FLAG_END_STREAM, block,
             request_after(update, sizeof update, block));
  peer_expect_conn_error_last2(p, H2E_COMPRESSION_ERROR, 1, 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_4_3_hpack_index_zero_is_compression_error),
      PEER_TEST(test_4_3_hpack_index_beyond_both_tables_is_compression_error),
      PEER_TEST(test_4_3_hpack_truncated_string_is_compression_error),
      PEER_TEST(test_4_3_hpack_truncated_integer_is_compression_error),
      PEER_TEST(test_4_3_hpack_integer_overflow_is_compression_error),
      PEER_TEST(test_4_3_hpack_huffman_eos_is_compression_error),
      PEER_TEST(test_4_3_hpack_huffman_zero_padding_is_compression_error),
      PEER_TEST(
          test_4_3_hpack_huffman_padding_over_7_bits_is_compression_error),
      PEER_TEST(test_4_3_hpack_size_update_above_setting_is_compression_error),
      PEER_TEST(test_4_3_hpack_size_update_after_a_field_is_compression_error),
      PEER_TEST(test_4_3_hpack_size_updates_at_block_start_are_accepted),
      PEER_TEST(test_4_3_decoding_error_in_trailers_is_connection_error),
      PEER_TEST(test_4_3_decoding_error_in_continuation_is_connection_error),
      PEER_TEST(test_4_3_block_ending_inside_a_field_is_compression_error),
      PEER_TEST(test_4_3_dynamic_table_carries_across_blocks),
      PEER_TEST(test_4_3_engine_blocks_share_one_compression_context),
      PEER_TEST(test_4_3_block_on_a_stream_we_reset_still_updates_the_table),
      PEER_TEST(test_4_3_block_on_a_refused_stream_still_updates_the_table),
      PEER_TEST(test_4_3_1_engine_starts_next_block_with_size_update_after_ack),
      PEER_TEST(test_4_3_1_block_without_size_update_after_reduction_is_error),
      PEER_TEST(test_4_3_1_block_with_size_update_after_reduction_is_accepted),
      PEER_TEST(test_4_3_1_reduction_takes_effect_only_when_acknowledged),
      PEER_TEST(test_4_3_1_size_update_above_reduced_maximum_is_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
