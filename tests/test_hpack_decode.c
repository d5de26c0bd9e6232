/* RFC 7541 decoder: integer and string limits, index checks, dynamic table
 * size updates, eviction, the header list limit (RFC 9113 §6.5.2) and the
 * HPACK bomb, fragments cut anywhere, memory ownership. */
#include "hpack_inspect.h"
#include "hpack_int.h"
#include "hpack_static.h"
#include "hpack_testkit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define BUF_BYTES  65536
#define FIELDS_MAX 64
#define BLOCK_MAX  4096

typedef struct fixture {
  h2e_hpack_decoder *decoder;
  h2e_hpack_output out;
  uint8_t buf[BUF_BYTES];
  h2e_field fields[FIELDS_MAX];
} fixture;

static fixture *fixture_new(uint32_t max_table_size,
                            uint32_t max_header_list_size) {
  fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  config.max_table_size = max_table_size;
  config.max_header_list_size = max_header_list_size;
  f->decoder = h2e_hpack_decoder_new(&config, NULL);
  assert_non_null(f->decoder);
  f->out.buf = f->buf;
  f->out.buf_cap = sizeof f->buf;
  f->out.fields = f->fields;
  f->out.fields_cap = FIELDS_MAX;
  return f;
}

static void fixture_free(fixture *f) {
  h2e_hpack_decoder_free(f->decoder);
  free(f);
}

/* Decodes a hex block whole; returns what h2e_hpack_decode returned. */
static ptrdiff_t decode_hex(fixture *f, const char *hex) {
  uint8_t block[BLOCK_MAX];
  size_t len = hpack_test_hex(hex, block, sizeof block);
  return hpack_test_decode(f->decoder, &f->out, block, len);
}

static void expect_decodes(fixture *f, const char *hex,
                           const hpack_pair *fields) {
  uint8_t block[BLOCK_MAX];
  size_t len = hpack_test_hex(hex, block, sizeof block);
  assert_int_equal(hpack_test_decode(f->decoder, &f->out, block, len),
                   (ptrdiff_t)len);
  hpack_test_expect_fields(f->out.fields, f->out.count, fields);
}

static const h2e_hpack_table *table_of(const fixture *f) {
  return h2e_hpack_decoder_table(f->decoder);
}

static void append_repeated(char *hex, const char *octet, int times) {
  for (int i = 0; i < times; i++) {
    strcat(hex, " ");
    strcat(hex, octet);
  }
}

/* ---- §5.1 integers ------------------------------------------------------ */

static void test_5_1_integer_up_to_2_pow_32_minus_1_round_trips(void **state) {
  (void)state;
  uint8_t octets[H2E_HPACK_INT_MAX_LEN];
  size_t len = h2e_hpack_int_encode(octets, 0x20, 5, UINT32_MAX);
  assert_int_equal(len, H2E_HPACK_INT_MAX_LEN);
  uint32_t value = 0;
  assert_int_equal(h2e_hpack_int_decode(octets, octets + len, 5, &value),
                   (int)len);
  assert_int_equal(value, UINT32_MAX);
}

static void test_5_1_integer_over_32_bits_is_invalid(void **state) {
  (void)state;
  /* 127 + 0x7f + 0x7f<<7 + 0x7f<<14 + 0x7f<<21 + 0x0f<<28 = 2^32 + 126 */
  const uint8_t octets[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x0f};
  uint32_t value;
  assert_int_equal(
      h2e_hpack_int_decode(octets, octets + sizeof octets, 7, &value),
      H2E_HPACK_INT_INVALID);
}

static void
test_5_1_integer_with_a_sixth_continuation_is_invalid(void **state) {
  (void)state;
  const uint8_t zeros[] = {0xff, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  uint32_t value;
  assert_int_equal(h2e_hpack_int_decode(zeros, zeros + sizeof zeros, 7, &value),
                   H2E_HPACK_INT_INVALID);
  /* Five padded continuations are still within the limit. */
  const uint8_t five[] = {0xff, 0x80, 0x80, 0x80, 0x80, 0x00};
  assert_int_equal(h2e_hpack_int_decode(five, five + sizeof five, 7, &value),
                   6);
  assert_int_equal(value, 127);
}

static void test_5_1_integer_cut_short_is_incomplete(void **state) {
  (void)state;
  const uint8_t octets[] = {0xff, 0x80, 0x80};
  uint32_t value;
  assert_int_equal(h2e_hpack_int_decode(octets, octets + 1, 7, &value),
                   H2E_HPACK_INT_INCOMPLETE);
  assert_int_equal(h2e_hpack_int_decode(octets, octets + 3, 7, &value),
                   H2E_HPACK_INT_INCOMPLETE);
}

static void
test_5_1_truncated_integer_waits_then_fails_the_block(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  const uint8_t block[] = {0xff};
  h2e_hpack_decode_begin(f->decoder, &f->out);
  assert_int_equal(h2e_hpack_decode(f->decoder, block, 1, 0), 0);
  assert_int_equal(h2e_hpack_decode(f->decoder, block, 1, 1),
                   H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void test_5_1_integer_overflow_is_compression_error(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  /* A size update whose value does not fit 32 bits. */
  assert_int_equal(decode_hex(f, "3f ff ff ff ff 0f"), H2E_ERR_COMPRESSION);
  fixture_free(f);
  f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "ff 80 80 80 80 80 00"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

/* ---- §5.2 strings ---------------------------------------------------------
 */

static void test_5_2_truncated_string_waits_then_fails_the_block(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  uint8_t block[8];
  size_t len = hpack_test_hex("40 0a 63 75", block, sizeof block);
  h2e_hpack_decode_begin(f->decoder, &f->out);
  assert_int_equal(h2e_hpack_decode(f->decoder, block, len, 0), 0);
  assert_int_equal(h2e_hpack_decode(f->decoder, block, len, 1),
                   H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void test_5_2_string_longer_than_any_limit_fails_at_once(void **state) {
  (void)state;
  /* The bound is max(65536, 4096): a name of 65537 octets can never fit. */
  fixture *f = fixture_new(4096, 65536);
  uint8_t block[8];
  size_t len = hpack_test_hex("40 7f 82 ff 03", block, sizeof block);
  h2e_hpack_decode_begin(f->decoder, &f->out);
  assert_int_equal(h2e_hpack_decode(f->decoder, block, len, 0),
                   H2E_ERR_COMPRESSION);
  fixture_free(f);
  /* 65536 octets might: the decoder waits for them. */
  f = fixture_new(4096, 65536);
  len = hpack_test_hex("40 7f 81 ff 03", block, sizeof block);
  h2e_hpack_decode_begin(f->decoder, &f->out);
  assert_int_equal(h2e_hpack_decode(f->decoder, block, len, 0), 0);
  fixture_free(f);
}

static void test_5_2_huffman_string_decodes(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  /* 'a' is 00011: one octet with three padding bits. */
  expect_decodes(f, "01 81 1f",
                 (const hpack_pair[]){{":authority", "a"}, {NULL, NULL}});
  fixture_free(f);
}

static void
test_5_2_huffman_padding_over_7_bits_is_compression_error(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "01 82 1f ff"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void
test_5_2_huffman_padding_not_eos_prefix_is_compression_error(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "01 81 18"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void test_5_2_huffman_eos_in_string_is_compression_error(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "01 84 ff ff ff ff"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

/* ---- §6.1, §6.2 indices ---------------------------------------------------
 */

static void test_6_1_index_0_is_compression_error(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "80"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void test_6_1_index_past_the_tables_is_compression_error(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "be"), H2E_ERR_COMPRESSION);
  fixture_free(f);
  f = fixture_new(4096, 65536);
  expect_decodes(f, "40 01 61 01 62 be",
                 (const hpack_pair[]){{"a", "b"}, {"a", "b"}, {NULL, NULL}});
  assert_int_equal(decode_hex(f, "bf"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void test_6_1_static_fields_are_referenced_not_copied(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  expect_decodes(
      f, "82 44 01 78",
      (const hpack_pair[]){{":method", "GET"}, {":path", "x"}, {NULL, NULL}});
  assert_ptr_equal(f->fields[0].name, h2e_hpack_static_table[2].name);
  assert_ptr_equal(f->fields[0].value, h2e_hpack_static_table[2].value);
  assert_ptr_equal(f->fields[1].name, h2e_hpack_static_table[4].name);
  assert_int_equal(f->out.buf_used, 1);
  fixture_free(f);
}

static void
test_6_2_name_index_past_the_tables_is_compression_error(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "7e 01 61"), H2E_ERR_COMPRESSION);
  fixture_free(f);
  f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "0f 30 01 61"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void test_6_2_3_never_indexed_flag_on_dynamic_name(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  expect_decodes(f, "40 01 61 01 62 1f 2f 01 63",
                 (const hpack_pair[]){{"a", "b"}, {"a", "c"}, {NULL, NULL}});
  assert_int_equal(f->fields[0].flags, 0);
  assert_int_equal(f->fields[1].flags, H2E_FIELD_NEVER_INDEX);
  assert_int_equal(table_of(f)->count, 1);
  fixture_free(f);
}

/* ---- §4.2, §6.3 size updates ----------------------------------------------
 */

static void
test_6_3_size_update_above_the_limit_is_compression_error(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "3f e1 1f 82"), 4); /* 4096 */
  assert_int_equal(decode_hex(f, "3f e2 1f 82"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void test_4_2_size_updates_in_a_row_open_a_block(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  expect_decodes(f, "40 01 61 01 62",
                 (const hpack_pair[]){{"a", "b"}, {NULL, NULL}});
  assert_int_equal(decode_hex(f, "20 3f e1 07 82"), 5);
  assert_int_equal(table_of(f)->max_size, 1024);
  hpack_test_expect_table(table_of(f), (const hpack_pair[]){{NULL, NULL}}, 0);
  fixture_free(f);
}

static void
test_4_2_size_update_after_a_field_is_compression_error(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "82 20"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void
test_4_2_size_update_after_a_field_of_an_earlier_fragment_fails(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  const uint8_t field[] = {0x82};
  const uint8_t update[] = {0x20};
  h2e_hpack_decode_begin(f->decoder, &f->out);
  assert_int_equal(h2e_hpack_decode(f->decoder, field, 1, 0), 1);
  assert_int_equal(h2e_hpack_decode(f->decoder, update, 1, 1),
                   H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void test_4_2_lowered_limit_requires_an_update_first(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 1024),
                   H2E_OK);
  assert_int_equal(decode_hex(f, "82"), H2E_ERR_COMPRESSION);
  fixture_free(f);
  /* The update is due in the very next block, even an empty one. */
  f = fixture_new(4096, 65536);
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 1024),
                   H2E_OK);
  assert_int_equal(decode_hex(f, ""), H2E_ERR_COMPRESSION);
  fixture_free(f);
  f = fixture_new(4096, 65536);
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 1024),
                   H2E_OK);
  assert_int_equal(decode_hex(f, "3f e1 07 82"), 4);
  assert_int_equal(table_of(f)->max_size, 1024);
  assert_int_equal(decode_hex(f, "82"), 1);
  fixture_free(f);
}

static void
test_4_2_first_update_is_within_the_smallest_limit_set(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 1), H2E_OK);
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 3840),
                   H2E_OK);
  assert_int_equal(decode_hex(f, "28 82"), H2E_ERR_COMPRESSION); /* 8 > 1 */
  fixture_free(f);
  f = fixture_new(4096, 65536);
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 1), H2E_OK);
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 3840),
                   H2E_OK);
  assert_int_equal(decode_hex(f, "21 3f e1 1d 82"), 5); /* 1, then 3840 */
  assert_int_equal(table_of(f)->max_size, 3840);
  fixture_free(f);
}

static void
test_4_2_update_above_a_lowered_limit_is_compression_error(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 1024),
                   H2E_OK);
  assert_int_equal(decode_hex(f, "3f e1 1f 82"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void
test_4_2_limit_at_or_above_the_current_maximum_needs_no_update(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "3f e1 03 82"), 4); /* the peer uses 512 */
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 1024),
                   H2E_OK);
  assert_int_equal(decode_hex(f, "82"), 1);
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 4096),
                   H2E_OK);
  assert_int_equal(decode_hex(f, "82"), 1);
  fixture_free(f);
}

static void test_4_2_table_starts_at_4096_whatever_we_allow(void **state) {
  (void)state;
  fixture *f = fixture_new(65536, 65536);
  assert_int_equal(table_of(f)->max_size, 4096);
  assert_int_equal(decode_hex(f, "3f e1 ff 03 82"), 5); /* 65536 */
  assert_int_equal(table_of(f)->max_size, 65536);
  fixture_free(f);
  f = fixture_new(256, 65536);
  assert_int_equal(table_of(f)->max_size, 256);
  fixture_free(f);
}

static void
test_4_2_limit_above_the_allocated_capacity_is_refused(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(f->decoder, 4097),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(decode_hex(f, "3f e2 1f"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

/* ---- §4.3, §4.4 eviction ------------------------------------------------- */

static void test_4_3_smaller_maximum_evicts_oldest_entries(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  /* Three entries of 34 octets each. */
  assert_int_equal(
      decode_hex(f, "40 01 61 01 31 40 01 62 01 32 40 01 63 01 33"), 15);
  hpack_test_expect_table(
      table_of(f),
      (const hpack_pair[]){{"c", "3"}, {"b", "2"}, {"a", "1"}, {NULL, NULL}},
      102);
  assert_int_equal(decode_hex(f, "3f 2a"), 2); /* 73: room for two */
  hpack_test_expect_table(
      table_of(f), (const hpack_pair[]){{"c", "3"}, {"b", "2"}, {NULL, NULL}},
      68);
  assert_int_equal(decode_hex(f, "20"), 1);
  hpack_test_expect_table(table_of(f), (const hpack_pair[]){{NULL, NULL}}, 0);
  fixture_free(f);
}

static void test_4_4_entry_larger_than_the_table_empties_it(void **state) {
  (void)state;
  fixture *f = fixture_new(256, 65536);
  /* a: 1 (34), then x: 227 octets (260 > 256). */
  char hex[1024] = "40 01 61 01 31 40 01 78 7f 64";
  append_repeated(hex, "79", 227);
  assert_true(decode_hex(f, hex) > 0);
  assert_int_equal(f->out.count, 2);
  assert_int_equal(f->fields[1].value_len, 227);
  hpack_test_expect_table(table_of(f), (const hpack_pair[]){{NULL, NULL}}, 0);
  fixture_free(f);
}

static void test_4_4_new_entry_may_name_the_entry_it_evicts(void **state) {
  (void)state;
  fixture *f = fixture_new(100, 65536);
  expect_decodes(f, "40 0a 637573746f6d2d6b6579 02 7631",
                 (const hpack_pair[]){{"custom-key", "v1"}, {NULL, NULL}});
  /* custom-key (index 62) with a 30-octet value: 72 octets, so the entry
   * of 44 it names must go first (44 + 72 > 100). */
  const char *value = "abcdefghijklmnopqrstuvwxyz0123";
  expect_decodes(f,
                 "7e 1e 6162636465666768696a6b6c6d6e6f707172737475767778797a"
                 "30313233",
                 (const hpack_pair[]){{"custom-key", value}, {NULL, NULL}});
  hpack_test_expect_table(
      table_of(f), (const hpack_pair[]){{"custom-key", value}, {NULL, NULL}},
      72);
  fixture_free(f);
}

/* ---- RFC 9113 §6.5.2 header list size ------------------------------------ */

static void
test_6_5_2_list_over_the_limit_keeps_the_table_in_sync(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 100);
  /* a: x (34) then bbbbb: 40 octets (77): 111 > 100. */
  char hex[512] = "40 01 61 01 78 40 05 62 62 62 62 62 28";
  append_repeated(hex, "79", 40);
  assert_int_equal(decode_hex(f, hex), H2E_ERR_HEADER_LIST_TOO_LARGE);
  /* Both entries were added anyway (RFC 9113 §10.5.1 / RFC 7541 §4.4). */
  assert_int_equal(table_of(f)->count, 2);
  expect_decodes(f, "bf", (const hpack_pair[]){{"a", "x"}, {NULL, NULL}});
  assert_int_equal(decode_hex(f, "be"), 1);
  assert_int_equal(f->fields[0].value_len, 40);
  fixture_free(f);
}

static void
test_6_5_2_literal_after_the_limit_still_enters_the_table(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 60);
  /* a: 40 octets (73) is over 60 at once; c: 'a' (Huffman) follows. */
  char hex[512] = "40 01 61 28";
  append_repeated(hex, "79", 40);
  strcat(hex, " 40 01 63 81 1f");
  assert_int_equal(decode_hex(f, hex), H2E_ERR_HEADER_LIST_TOO_LARGE);
  assert_true(f->out.list_size > 60);
  expect_decodes(f, "be", (const hpack_pair[]){{"c", "a"}, {NULL, NULL}});
  fixture_free(f);
}

static void
test_6_5_2_bad_huffman_past_the_limit_still_fails_when_indexed(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 60);
  char hex[512] = "40 01 61 28";
  append_repeated(hex, "79", 40);
  strcat(hex, " 40 01 63 81 18");
  assert_int_equal(decode_hex(f, hex), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

static void test_6_5_2_too_many_fields_for_the_output(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  f->out.fields_cap = 1;
  assert_int_equal(decode_hex(f, "82 84"), H2E_ERR_HEADER_LIST_TOO_LARGE);
  assert_int_equal(decode_hex(f, "82"), 1);
  fixture_free(f);
}

static void test_6_5_2_output_buffer_too_small_for_the_fields(void **state) {
  (void)state;
  fixture *f = fixture_new(64, 65536);
  f->out.buf_cap = 64;
  char hex[512] = "40 01 61 14";
  append_repeated(hex, "62", 20);
  expect_decodes(
      f, hex,
      (const hpack_pair[]){{"a", "bbbbbbbbbbbbbbbbbbbb"}, {NULL, NULL}});
  assert_int_equal(decode_hex(f, "be be be be"), H2E_ERR_HEADER_LIST_TOO_LARGE);
  assert_int_equal(decode_hex(f, "be be be"), 3);
  fixture_free(f);
}

/* CVE-2016-6581 style: a small block that expands through references to
 * one big entry. Past the limit nothing more is copied. */
static void test_6_5_2_hpack_bomb_costs_bounded_memory(void **state) {
  (void)state;
  enum { VALUE = 4000, REFERENCES = 100000, LIMIT = 16384, OUT = 1 << 20 };
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  config.max_header_list_size = LIMIT;
  h2e_hpack_decoder *decoder = h2e_hpack_decoder_new(&config, NULL);
  size_t len = 0;
  uint8_t *block = malloc(8 + VALUE + REFERENCES);
  uint8_t *buf = malloc(OUT);
  h2e_field fields[64];
  assert_non_null(block);
  assert_non_null(buf);
  block[len++] = 0x40; /* x: VALUE octets, indexed */
  block[len++] = 0x01;
  block[len++] = 'x';
  len += h2e_hpack_int_encode(block + len, 0x00, 7, VALUE);
  memset(block + len, 'v', VALUE);
  len += VALUE;
  memset(block + len, 0xbe, REFERENCES);
  len += REFERENCES;
  memset(buf, 0xaa, OUT);
  h2e_hpack_output out = {buf, OUT, fields, 64, 0, 0, 0};
  assert_int_equal(hpack_test_decode(decoder, &out, block, len),
                   H2E_ERR_HEADER_LIST_TOO_LARGE);
  /* Four fields of 4033 fit 16384; nothing past the limit was written. */
  assert_int_equal(out.count, 4);
  assert_true(out.buf_used <= LIMIT);
  for (size_t i = LIMIT; i < OUT; i++)
    assert_int_equal(buf[i], 0xaa);
  assert_true(out.list_size > LIMIT);
  /* The table is intact and the decoder usable. */
  const uint8_t one_reference[] = {0xbe};
  assert_int_equal(hpack_test_decode(decoder, &out, one_reference, 1), 1);
  assert_int_equal(out.fields[0].value_len, VALUE);
  h2e_hpack_decoder_free(decoder);
  free(block);
  free(buf);
}

/* ---- fragments --------------------------------------------------------------
 */

/* Every representation kind; self-contained so each run starts empty. */
static const char *const composite_block =
    "3f e1 1f"                                     /* size update */
    "82"                                           /* :method GET */
    "40 88 25a849e95ba97d7f 89 25a849e95bb8e8b4bf" /* Huffman */
    "be"                                           /* dynamic */
    "04 0c 2f73616d706c652f70617468"               /* :path */
    "1f 2f 06 736563726574"                        /* never, dyn name */
    "10 08 70617373776f7264 06 736563726574";      /* never, literal */

static const hpack_pair composite_fields[] = {{":method", "GET"},
                                              {"custom-key", "custom-value"},
                                              {"custom-key", "custom-value"},
                                              {":path", "/sample/path"},
                                              {"custom-key", "secret"},
                                              {"password", "secret"},
                                              {NULL, NULL}};

static void expect_composite(fixture *f) {
  hpack_test_expect_fields(f->out.fields, f->out.count, composite_fields);
  assert_int_equal(f->fields[4].flags, H2E_FIELD_NEVER_INDEX);
  assert_int_equal(f->fields[5].flags, H2E_FIELD_NEVER_INDEX);
  hpack_test_expect_table(
      table_of(f),
      (const hpack_pair[]){{"custom-key", "custom-value"}, {NULL, NULL}}, 54);
}

static void test_3_2_block_cut_at_every_offset_decodes_the_same(void **state) {
  (void)state;
  uint8_t block[BLOCK_MAX];
  size_t len = hpack_test_hex(composite_block, block, sizeof block);
  fixture *whole = fixture_new(4096, 65536);
  assert_int_equal(hpack_test_decode(whole->decoder, &whole->out, block, len),
                   (ptrdiff_t)len);
  expect_composite(whole);
  fixture_free(whole);
  for (size_t cut = 1; cut < len; cut++) {
    fixture *f = fixture_new(4096, 65536);
    assert_true(
        hpack_test_decode_cut(f->decoder, &f->out, block, len, &cut, 1) >= 0);
    expect_composite(f);
    fixture_free(f);
  }
}

static void
test_3_2_block_fed_one_octet_at_a_time_decodes_the_same(void **state) {
  (void)state;
  uint8_t block[BLOCK_MAX];
  size_t len = hpack_test_hex(composite_block, block, sizeof block);
  size_t cuts[BLOCK_MAX];
  for (size_t i = 0; i + 1 < len; i++)
    cuts[i] = i + 1;
  fixture *f = fixture_new(4096, 65536);
  assert_true(hpack_test_decode_cut(f->decoder, &f->out, block, len, cuts,
                                    len - 1) >= 0);
  expect_composite(f);
  fixture_free(f);
}

static void test_3_2_bomb_in_fragments_reports_at_the_last_one(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 1000);
  char hex[4096] = "40 01 61 7f 00"; /* a: 127 octets */
  append_repeated(hex, "62", 127);
  append_repeated(hex, "be", 40);
  uint8_t block[BLOCK_MAX];
  size_t len = hpack_test_hex(hex, block, sizeof block);
  size_t cuts[] = {3, 70, 140, 150};
  assert_int_equal(
      hpack_test_decode_cut(f->decoder, &f->out, block, len, cuts, 4),
      H2E_ERR_HEADER_LIST_TOO_LARGE);
  assert_int_equal(decode_hex(f, "be"), 1);
  fixture_free(f);
}

/* ---- API contract
 * ------------------------------------------------------------ */

static void test_decode_without_begin_is_invalid_arg(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  const uint8_t block[] = {0x82};
  assert_int_equal(h2e_hpack_decode(f->decoder, block, 1, 1),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(decode_hex(f, "82"), 1);
  /* The block ended: the next one needs its own begin. */
  assert_int_equal(h2e_hpack_decode(f->decoder, block, 1, 1),
                   H2E_ERR_INVALID_ARG);
  fixture_free(f);
}

static void test_6_5_2_tiny_output_still_keeps_the_table_in_sync(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  f->out.buf_cap = 4;
  /* a: 20 octets, Huffman-free, then x: 'a' Huffman-coded, both indexed. */
  char hex[512] = "40 01 61 14";
  append_repeated(hex, "62", 20);
  strcat(hex, " 40 01 78 81 1f");
  assert_int_equal(decode_hex(f, hex), H2E_ERR_HEADER_LIST_TOO_LARGE);
  f->out.buf_cap = sizeof f->buf;
  expect_decodes(f, "bf be",
                 (const hpack_pair[]){
                     {"a", "bbbbbbbbbbbbbbbbbbbb"}, {"x", "a"}, {NULL, NULL}});
  fixture_free(f);
}

static void test_compression_error_is_sticky(void **state) {
  (void)state;
  fixture *f = fixture_new(4096, 65536);
  assert_int_equal(decode_hex(f, "80"), H2E_ERR_COMPRESSION);
  assert_int_equal(decode_hex(f, "82"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

/* The decoder and its table's first storage (test_hpack_grow.c follows
 * the table as it grows). */
static void test_decoder_memory_comes_from_the_allocator(void **state) {
  (void)state;
  hpack_test_allocator counting;
  hpack_test_allocator_init(&counting);
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  h2e_hpack_decoder *decoder =
      h2e_hpack_decoder_new(&config, &counting.allocator);
  assert_non_null(decoder);
  assert_int_equal(counting.allocs, 2);
  size_t fresh = counting.live_bytes;
  assert_true(fresh < h2e_hpack_decoder_memsize(4096) / 10);
  uint8_t buf[4096];
  h2e_field fields[8];
  h2e_hpack_output out = {buf, sizeof buf, fields, 8, 0, 0, 0};
  uint8_t block[64];
  size_t len = hpack_test_hex("40 01 61 01 62 be 82", block, sizeof block);
  assert_int_equal(hpack_test_decode(decoder, &out, block, len),
                   (ptrdiff_t)len);
  assert_int_equal(counting.allocs, 2); /* "a: b" fits the first storage */
  assert_int_equal(counting.live_bytes, fresh);
  h2e_hpack_decoder_free(decoder);
  assert_int_equal(counting.frees, 2);
  assert_int_equal(counting.live_bytes, 0);
}

static void test_decoder_new_fails_cleanly(void **state) {
  (void)state;
  hpack_test_allocator counting;
  hpack_test_allocator_init(&counting);
  counting.fail_after = 0;
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  assert_null(h2e_hpack_decoder_new(&config, &counting.allocator));
  config.max_table_size = (UINT32_C(1) << 30) + 1;
  assert_null(h2e_hpack_decoder_new(&config, NULL));
  assert_null(h2e_hpack_decoder_new(NULL, NULL));
  h2e_hpack_decoder_free(NULL);
}

static void test_decoder_with_a_zero_table_ignores_every_insert(void **state) {
  (void)state;
  fixture *f = fixture_new(0, 65536);
  f->out.buf_cap = 16;
  expect_decodes(
      f, "40 01 61 01 62 82",
      (const hpack_pair[]){{"a", "b"}, {":method", "GET"}, {NULL, NULL}});
  assert_int_equal(table_of(f)->count, 0);
  assert_int_equal(decode_hex(f, "be"), H2E_ERR_COMPRESSION);
  fixture_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_5_1_integer_up_to_2_pow_32_minus_1_round_trips),
      cmocka_unit_test(test_5_1_integer_over_32_bits_is_invalid),
      cmocka_unit_test(test_5_1_integer_with_a_sixth_continuation_is_invalid),
      cmocka_unit_test(test_5_1_integer_cut_short_is_incomplete),
      cmocka_unit_test(test_5_1_truncated_integer_waits_then_fails_the_block),
      cmocka_unit_test(test_5_1_integer_overflow_is_compression_error),
      cmocka_unit_test(test_5_2_truncated_string_waits_then_fails_the_block),
      cmocka_unit_test(test_5_2_string_longer_than_any_limit_fails_at_once),
      cmocka_unit_test(test_5_2_huffman_string_decodes),
      cmocka_unit_test(
          test_5_2_huffman_padding_over_7_bits_is_compression_error),
      cmocka_unit_test(
          test_5_2_huffman_padding_not_eos_prefix_is_compression_error),
      cmocka_unit_test(test_5_2_huffman_eos_in_string_is_compression_error),
      cmocka_unit_test(test_6_1_index_0_is_compression_error),
      cmocka_unit_test(test_6_1_index_past_the_tables_is_compression_error),
      cmocka_unit_test(test_6_1_static_fields_are_referenced_not_copied),
      cmocka_unit_test(
          test_6_2_name_index_past_the_tables_is_compression_error),
      cmocka_unit_test(test_6_2_3_never_indexed_flag_on_dynamic_name),
      cmocka_unit_test(
          test_6_3_size_update_above_the_limit_is_compression_error),
      cmocka_unit_test(test_4_2_size_updates_in_a_row_open_a_block),
      cmocka_unit_test(test_4_2_size_update_after_a_field_is_compression_error),
      cmocka_unit_test(
          test_4_2_size_update_after_a_field_of_an_earlier_fragment_fails),
      cmocka_unit_test(test_4_2_lowered_limit_requires_an_update_first),
      cmocka_unit_test(test_4_2_first_update_is_within_the_smallest_limit_set),
      cmocka_unit_test(
          test_4_2_update_above_a_lowered_limit_is_compression_error),
      cmocka_unit_test(
          test_4_2_limit_at_or_above_the_current_maximum_needs_no_update),
      cmocka_unit_test(test_4_2_table_starts_at_4096_whatever_we_allow),
      cmocka_unit_test(test_4_2_limit_above_the_allocated_capacity_is_refused),
      cmocka_unit_test(test_4_3_smaller_maximum_evicts_oldest_entries),
      cmocka_unit_test(test_4_4_entry_larger_than_the_table_empties_it),
      cmocka_unit_test(test_4_4_new_entry_may_name_the_entry_it_evicts),
      cmocka_unit_test(test_6_5_2_list_over_the_limit_keeps_the_table_in_sync),
      cmocka_unit_test(
          test_6_5_2_literal_after_the_limit_still_enters_the_table),
      cmocka_unit_test(
          test_6_5_2_bad_huffman_past_the_limit_still_fails_when_indexed),
      cmocka_unit_test(test_6_5_2_too_many_fields_for_the_output),
      cmocka_unit_test(test_6_5_2_output_buffer_too_small_for_the_fields),
      cmocka_unit_test(test_6_5_2_hpack_bomb_costs_bounded_memory),
      cmocka_unit_test(test_3_2_block_cut_at_every_offset_decodes_the_same),
      cmocka_unit_test(test_3_2_block_fed_one_octet_at_a_time_decodes_the_same),
      cmocka_unit_test(test_3_2_bomb_in_fragments_reports_at_the_last_one),
      cmocka_unit_test(test_decode_without_begin_is_invalid_arg),
      cmocka_unit_test(test_6_5_2_tiny_output_still_keeps_the_table_in_sync),
      cmocka_unit_test(test_compression_error_is_sticky),
      cmocka_unit_test(test_decoder_memory_comes_from_the_allocator),
      cmocka_unit_test(test_decoder_new_fails_cleanly),
      cmocka_unit_test(test_decoder_with_a_zero_table_ignores_every_insert),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
