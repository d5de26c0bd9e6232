/* RFC 7541 Appendix C: every example, byte for byte, decoded and encoded,
 * with the dynamic table checked after each block as the RFC lists it. */
#include "hpack_inspect.h"
#include "hpack_int.h"
#include "hpack_testkit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define BLOCK_MAX  256
#define FIELDS_MAX 16

typedef struct example_block {
  const char *hex;
  hpack_pair fields[FIELDS_MAX];
  hpack_pair table[FIELDS_MAX]; /* newest first */
  uint32_t table_size;
} example_block;

/* ---- C.1 integers ------------------------------------------------------ */

static void expect_integer(uint32_t value, unsigned prefix_bits,
                           const char *hex) {
  uint8_t want[H2E_HPACK_INT_MAX_LEN];
  size_t want_len = hpack_test_hex(hex, want, sizeof want);
  uint8_t got[H2E_HPACK_INT_MAX_LEN];
  size_t got_len = h2e_hpack_int_encode(got, 0, prefix_bits, value);
  assert_int_equal(got_len, want_len);
  assert_memory_equal(got, want, want_len);
  uint32_t decoded = 0;
  assert_int_equal(
      h2e_hpack_int_decode(want, want + want_len, prefix_bits, &decoded),
      (int)want_len);
  assert_int_equal(decoded, value);
}

static void test_c_1_1_encoding_10_with_a_5_bit_prefix(void **state) {
  (void)state;
  expect_integer(10, 5, "0a");
}

static void test_c_1_2_encoding_1337_with_a_5_bit_prefix(void **state) {
  (void)state;
  expect_integer(1337, 5, "1f 9a 0a");
}

static void test_c_1_3_encoding_42_at_an_octet_boundary(void **state) {
  (void)state;
  expect_integer(42, 8, "2a");
}

/* ---- shared drivers ---------------------------------------------------- */

static void decode_blocks(const example_block *blocks, size_t count,
                          uint32_t table_size) {
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  config.max_table_size = table_size;
  h2e_hpack_decoder *decoder = h2e_hpack_decoder_new(&config, NULL);
  assert_non_null(decoder);
  uint8_t buf[4096];
  h2e_field fields[FIELDS_MAX];
  h2e_hpack_output out = {buf, sizeof buf, fields, FIELDS_MAX, 0, 0, 0};
  for (size_t i = 0; i < count; i++) {
    uint8_t block[BLOCK_MAX];
    size_t len = hpack_test_hex(blocks[i].hex, block, sizeof block);
    assert_int_equal(hpack_test_decode(decoder, &out, block, len),
                     (ptrdiff_t)len);
    hpack_test_expect_fields(out.fields, out.count, blocks[i].fields);
    hpack_test_expect_table(h2e_hpack_decoder_table(decoder), blocks[i].table,
                            blocks[i].table_size);
  }
  h2e_hpack_decoder_free(decoder);
}

/* The encoder starts from the peer's initial 4096 (RFC 9113 §6.5.2); a
 * smaller table is first signalled (RFC 7541 §4.2) by the update given as
 * opening_hex, and the RFC bytes follow it. */
static void encode_blocks(const example_block *blocks, size_t count,
                          const h2e_hpack_encoder_config *config,
                          const char *opening_hex) {
  h2e_hpack_encoder *encoder = h2e_hpack_encoder_new(config, NULL);
  assert_non_null(encoder);
  for (size_t i = 0; i < count; i++) {
    uint8_t want[BLOCK_MAX];
    size_t want_len = 0;
    if (i == 0)
      want_len = hpack_test_hex(opening_hex, want, sizeof want);
    want_len +=
        hpack_test_hex(blocks[i].hex, want + want_len, sizeof want - want_len);
    h2e_field fields[FIELDS_MAX];
    size_t field_count =
        hpack_test_fields(blocks[i].fields, fields, FIELDS_MAX);
    uint8_t got[BLOCK_MAX * 4];
    assert_true(h2e_hpack_encode_bound(encoder, fields, field_count) <=
                sizeof got);
    ptrdiff_t got_len =
        h2e_hpack_encode(encoder, fields, field_count, got, sizeof got);
    assert_int_equal(got_len, (ptrdiff_t)want_len);
    assert_memory_equal(got, want, want_len);
    hpack_test_expect_table(h2e_hpack_encoder_table(encoder), blocks[i].table,
                            blocks[i].table_size);
  }
  h2e_hpack_encoder_free(encoder);
}

static h2e_hpack_encoder_config
index_all_config(uint32_t table_size, h2e_hpack_huffman_policy huffman) {
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  config.max_table_size = table_size;
  config.index_policy = H2E_HPACK_INDEX_ALL;
  config.huffman = huffman;
  return config;
}

/* ---- C.2 field representations ----------------------------------------- */

static const example_block c_2_1 = {
    "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
    {{"custom-key", "custom-header"}, {NULL, NULL}},
    {{"custom-key", "custom-header"}, {NULL, NULL}},
    55};
static const example_block c_2_2 = {"040c 2f73 616d 706c 652f 7061 7468",
                                    {{":path", "/sample/path"}, {NULL, NULL}},
                                    {{NULL, NULL}},
                                    0};
static const example_block c_2_3 = {
    "1008 7061 7373 776f 7264 0673 6563 7265 74",
    {{"password", "secret"}, {NULL, NULL}},
    {{NULL, NULL}},
    0};
static const example_block c_2_4 = {
    "82", {{":method", "GET"}, {NULL, NULL}}, {{NULL, NULL}}, 0};

static void test_c_2_field_representations_decode(void **state) {
  (void)state;
  decode_blocks(&c_2_1, 1, 4096);
  decode_blocks(&c_2_2, 1, 4096);
  decode_blocks(&c_2_3, 1, 4096);
  decode_blocks(&c_2_4, 1, 4096);
}

static void test_c_2_3_never_indexed_literal_keeps_its_flag(void **state) {
  (void)state;
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  h2e_hpack_decoder *decoder = h2e_hpack_decoder_new(&config, NULL);
  uint8_t block[BLOCK_MAX];
  size_t len = hpack_test_hex(c_2_3.hex, block, sizeof block);
  uint8_t buf[4096];
  h2e_field fields[2];
  h2e_hpack_output out = {buf, sizeof buf, fields, 2, 0, 0, 0};
  assert_int_equal(hpack_test_decode(decoder, &out, block, len),
                   (ptrdiff_t)len);
  assert_int_equal(out.count, 1);
  assert_int_equal(fields[0].flags, H2E_FIELD_NEVER_INDEX);
  h2e_hpack_decoder_free(decoder);
}

static void test_c_2_field_representations_encode(void **state) {
  (void)state;
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  config.huffman = H2E_HPACK_HUFFMAN_NEVER;
  /* The default policy indexes custom-key but not :path (§C.2.2). */
  encode_blocks(&c_2_1, 1, &config, "");
  encode_blocks(&c_2_2, 1, &config, "");
  encode_blocks(&c_2_4, 1, &config, "");
  /* §C.2.3: the caller marks the password never-indexed. */
  h2e_hpack_encoder *encoder = h2e_hpack_encoder_new(&config, NULL);
  h2e_field password = {(const uint8_t *)"password", (const uint8_t *)"secret",
                        8, 6, H2E_FIELD_NEVER_INDEX};
  uint8_t want[BLOCK_MAX];
  size_t want_len = hpack_test_hex(c_2_3.hex, want, sizeof want);
  uint8_t got[BLOCK_MAX];
  assert_int_equal(h2e_hpack_encode(encoder, &password, 1, got, sizeof got),
                   (ptrdiff_t)want_len);
  assert_memory_equal(got, want, want_len);
  assert_int_equal(h2e_hpack_encoder_table(encoder)->count, 0);
  h2e_hpack_encoder_free(encoder);
}

/* ---- C.3 and C.4 requests ---------------------------------------------- */

#define REQUEST_1_FIELDS                                                       \
  {":method", "GET"}, {":scheme", "http"}, {":path", "/"},                     \
      {":authority", "www.example.com"}, {                                     \
    NULL, NULL                                                                 \
  }
#define REQUEST_1_TABLE                                                        \
  {":authority", "www.example.com"}, {                                         \
    NULL, NULL                                                                 \
  }
#define REQUEST_2_FIELDS                                                       \
  {":method", "GET"}, {":scheme", "http"}, {":path", "/"},                     \
      {":authority", "www.example.com"}, {"cache-control", "no-cache"}, {      \
    NULL, NULL                                                                 \
  }
#define REQUEST_2_TABLE                                                        \
  {"cache-control", "no-cache"}, {":authority", "www.example.com"}, {          \
    NULL, NULL                                                                 \
  }
#define REQUEST_3_FIELDS                                                       \
  {":method", "GET"}, {":scheme", "https"}, {":path", "/index.html"},          \
      {":authority", "www.example.com"}, {"custom-key", "custom-value"}, {     \
    NULL, NULL                                                                 \
  }
#define REQUEST_3_TABLE                                                        \
  {"custom-key", "custom-value"}, {"cache-control", "no-cache"},               \
      {":authority", "www.example.com"}, {                                     \
    NULL, NULL                                                                 \
  }

static const example_block c_3[] = {
    {"8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
     {REQUEST_1_FIELDS},
     {REQUEST_1_TABLE},
     57},
    {"8286 84be 5808 6e6f 2d63 6163 6865",
     {REQUEST_2_FIELDS},
     {REQUEST_2_TABLE},
     110},
    {"8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 "
     "65",
     {REQUEST_3_FIELDS},
     {REQUEST_3_TABLE},
     164},
};

static const example_block c_4[] = {
    {"8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
     {REQUEST_1_FIELDS},
     {REQUEST_1_TABLE},
     57},
    {"8286 84be 5886 a8eb 1064 9cbf",
     {REQUEST_2_FIELDS},
     {REQUEST_2_TABLE},
     110},
    {"8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
     {REQUEST_3_FIELDS},
     {REQUEST_3_TABLE},
     164},
};

static void test_c_3_requests_without_huffman_decode(void **state) {
  (void)state;
  decode_blocks(c_3, 3, 4096);
}

static void test_c_3_requests_without_huffman_encode(void **state) {
  (void)state;
  h2e_hpack_encoder_config config =
      index_all_config(4096, H2E_HPACK_HUFFMAN_NEVER);
  encode_blocks(c_3, 3, &config, "");
}

static void test_c_4_requests_with_huffman_decode(void **state) {
  (void)state;
  decode_blocks(c_4, 3, 4096);
}

static void test_c_4_requests_with_huffman_encode(void **state) {
  (void)state;
  h2e_hpack_encoder_config config =
      index_all_config(4096, H2E_HPACK_HUFFMAN_ALWAYS);
  encode_blocks(c_4, 3, &config, "");
  /* Every C.4 string gets shorter, so the default gives the same bytes. */
  config.huffman = H2E_HPACK_HUFFMAN_SHORTER;
  encode_blocks(c_4, 3, &config, "");
}

/* ---- C.5 and C.6 responses, table size 256 ----------------------------- */

#define DATE_21  "Mon, 21 Oct 2013 20:13:21 GMT"
#define DATE_22  "Mon, 21 Oct 2013 20:13:22 GMT"
#define LOCATION "https://www.example.com"
#define COOKIE   "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"

#define RESPONSE_1_FIELDS                                                      \
  {":status", "302"}, {"cache-control", "private"}, {"date", DATE_21},         \
      {"location", LOCATION}, {                                                \
    NULL, NULL                                                                 \
  }
#define RESPONSE_1_TABLE                                                       \
  {"location", LOCATION}, {"date", DATE_21}, {"cache-control", "private"},     \
      {":status", "302"}, {                                                    \
    NULL, NULL                                                                 \
  }
#define RESPONSE_2_FIELDS                                                      \
  {":status", "307"}, {"cache-control", "private"}, {"date", DATE_21},         \
      {"location", LOCATION}, {                                                \
    NULL, NULL                                                                 \
  }
#define RESPONSE_2_TABLE                                                       \
  {":status", "307"}, {"location", LOCATION}, {"date", DATE_21},               \
      {"cache-control", "private"}, {                                          \
    NULL, NULL                                                                 \
  }
#define RESPONSE_3_FIELDS                                                      \
  {":status", "200"}, {"cache-control", "private"}, {"date", DATE_22},         \
      {"location", LOCATION}, {"content-encoding", "gzip"},                    \
      {"set-cookie", COOKIE}, {                                                \
    NULL, NULL                                                                 \
  }
#define RESPONSE_3_TABLE                                                       \
  {"set-cookie", COOKIE}, {"content-encoding", "gzip"}, {"date", DATE_22}, {   \
    NULL, NULL                                                                 \
  }

static const example_block c_5[] = {
    {"4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 "
     "3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 "
     "7777 2e65 7861 6d70 6c65 2e63 6f6d",
     {RESPONSE_1_FIELDS},
     {RESPONSE_1_TABLE},
     222},
    {"4803 3330 37c1 c0bf", {RESPONSE_2_FIELDS}, {RESPONSE_2_TABLE}, 222},
    {"88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 "
     "3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a "
     "584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 "
     "3630 303b 2076 6572 7369 6f6e 3d31",
     {RESPONSE_3_FIELDS},
     {RESPONSE_3_TABLE},
     215},
};

static const example_block c_6[] = {
    {"4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 "
     "66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
     {RESPONSE_1_FIELDS},
     {RESPONSE_1_TABLE},
     222},
    {"4883 640e ffc1 c0bf", {RESPONSE_2_FIELDS}, {RESPONSE_2_TABLE}, 222},
    {"88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a "
     "839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 "
     "72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
     {RESPONSE_3_FIELDS},
     {RESPONSE_3_TABLE},
     215},
};

/* RFC 7541 §6.3: a size update to 256 (5-bit prefix: 31, then 225). */
#define UPDATE_TO_256 "3f e1 01"

static void test_c_5_responses_without_huffman_decode(void **state) {
  (void)state;
  decode_blocks(c_5, 3, 256);
}

static void test_c_5_responses_without_huffman_encode(void **state) {
  (void)state;
  h2e_hpack_encoder_config config =
      index_all_config(256, H2E_HPACK_HUFFMAN_NEVER);
  encode_blocks(c_5, 3, &config, UPDATE_TO_256);
}

static void test_c_6_responses_with_huffman_decode(void **state) {
  (void)state;
  decode_blocks(c_6, 3, 256);
}

static void test_c_6_responses_with_huffman_encode(void **state) {
  (void)state;
  h2e_hpack_encoder_config config =
      index_all_config(256, H2E_HPACK_HUFFMAN_ALWAYS);
  encode_blocks(c_6, 3, &config, UPDATE_TO_256);
}

/* §C.6.2 codes "307" in 3 octets, no shorter than the raw string: the
 * default sends it raw, the rest of the block is the same. */
static void test_c_6_2_huffman_only_when_shorter_sends_307_raw(void **state) {
  (void)state;
  h2e_hpack_encoder_config config =
      index_all_config(256, H2E_HPACK_HUFFMAN_SHORTER);
  example_block blocks[2] = {c_6[0], c_6[1]};
  blocks[1].hex = "4803 3330 37c1 c0bf";
  encode_blocks(blocks, 2, &config, UPDATE_TO_256);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_c_1_1_encoding_10_with_a_5_bit_prefix),
      cmocka_unit_test(test_c_1_2_encoding_1337_with_a_5_bit_prefix),
      cmocka_unit_test(test_c_1_3_encoding_42_at_an_octet_boundary),
      cmocka_unit_test(test_c_2_field_representations_decode),
      cmocka_unit_test(test_c_2_3_never_indexed_literal_keeps_its_flag),
      cmocka_unit_test(test_c_2_field_representations_encode),
      cmocka_unit_test(test_c_3_requests_without_huffman_decode),
      cmocka_unit_test(test_c_3_requests_without_huffman_encode),
      cmocka_unit_test(test_c_4_requests_with_huffman_decode),
      cmocka_unit_test(test_c_4_requests_with_huffman_encode),
      cmocka_unit_test(test_c_5_responses_without_huffman_decode),
      cmocka_unit_test(test_c_5_responses_without_huffman_encode),
      cmocka_unit_test(test_c_6_responses_with_huffman_decode),
      cmocka_unit_test(test_c_6_responses_with_huffman_encode),
      cmocka_unit_test(test_c_6_2_huffman_only_when_shorter_sends_307_raw),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
