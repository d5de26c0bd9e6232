/* RFC 7541 encoder: size update signalling (§4.2), eviction (§4.3, §4.4),
 * never-indexed fields (§7.1.3), indexing policies, Huffman only when
 * shorter (§5.2), the encode bound, and randomised round trips through
 * the decoder with both tables compared after every block. */
#include "hpack_hash.h"
#include "hpack_inspect.h"
#include "hpack_testkit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define OUT_MAX    16384
#define FIELDS_MAX 32

static h2e_hpack_encoder *encoder_new(uint32_t max_table_size,
                                      h2e_hpack_index_policy policy) {
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  config.max_table_size = max_table_size;
  config.index_policy = policy;
  config.huffman = H2E_HPACK_HUFFMAN_NEVER;
  h2e_hpack_encoder *encoder = h2e_hpack_encoder_new(&config, NULL);
  assert_non_null(encoder);
  return encoder;
}

static void expect_encodes_fields(h2e_hpack_encoder *encoder,
                                  const h2e_field *fields, size_t count,
                                  const char *hex) {
  uint8_t want[OUT_MAX];
  size_t want_len = hpack_test_hex(hex, want, sizeof want);
  uint8_t got[OUT_MAX];
  assert_true(h2e_hpack_encode_bound(encoder, fields, count) <= sizeof got);
  ptrdiff_t got_len = h2e_hpack_encode(encoder, fields, count, got, sizeof got);
  assert_int_equal(got_len, (ptrdiff_t)want_len);
  assert_memory_equal(got, want, want_len);
}

static void expect_encodes(h2e_hpack_encoder *encoder, const hpack_pair *pairs,
                           const char *hex) {
  h2e_field fields[FIELDS_MAX];
  size_t count = hpack_test_fields(pairs, fields, FIELDS_MAX);
  expect_encodes_fields(encoder, fields, count, hex);
}

static h2e_field field_of(const char *name, const char *value, uint32_t flags) {
  h2e_field field = {(const uint8_t *)name, (const uint8_t *)value,
                     (uint32_t)strlen(name), (uint32_t)strlen(value), flags};
  return field;
}

static const h2e_hpack_table *table_of(const h2e_hpack_encoder *encoder) {
  return h2e_hpack_encoder_table(encoder);
}

#define GET ((const hpack_pair[]){{":method", "GET"}, {NULL, NULL}})

/* ---- §4.2 size updates ----------------------------------------------------
 */

static void test_4_2_smaller_configured_table_is_signalled_first(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(1024, H2E_HPACK_INDEX_DEFAULT);
  expect_encodes(encoder, GET, "3f e1 07 82");
  expect_encodes(encoder, GET, "82");
  h2e_hpack_encoder_free(encoder);
}

static void test_4_2_shrink_then_grow_sends_minimum_then_final(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_DEFAULT);
  h2e_hpack_encoder_set_peer_table_size(encoder, 0);
  h2e_hpack_encoder_set_peer_table_size(encoder, 4096);
  expect_encodes(encoder, GET, "20 3f e1 1f 82");
  expect_encodes(encoder, GET, "82");
  h2e_hpack_encoder_free(encoder);
}

static void test_4_2_several_changes_send_smallest_then_final(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_DEFAULT);
  h2e_hpack_encoder_set_peer_table_size(encoder, 2048);
  h2e_hpack_encoder_set_peer_table_size(encoder, 1024);
  h2e_hpack_encoder_set_peer_table_size(encoder, 3000);
  expect_encodes(encoder, GET, "3f e1 07 3f 99 17 82");
  h2e_hpack_encoder_free(encoder);
}

static void test_4_2_plain_shrink_sends_one_update(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_DEFAULT);
  h2e_hpack_encoder_set_peer_table_size(encoder, 2048);
  h2e_hpack_encoder_set_peer_table_size(encoder, 1024);
  expect_encodes(encoder, GET, "3f e1 07 82");
  h2e_hpack_encoder_free(encoder);
}

static void test_4_2_unchanged_maximum_sends_nothing(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_DEFAULT);
  h2e_hpack_encoder_set_peer_table_size(encoder, 4096);
  expect_encodes(encoder, GET, "82");
  /* Above our own bound: the table stays at 4096. */
  h2e_hpack_encoder_set_peer_table_size(encoder, 8192);
  expect_encodes(encoder, GET, "82");
  h2e_hpack_encoder_free(encoder);
}

static void test_4_2_growth_within_our_bound_sends_one_update(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(65536, H2E_HPACK_INDEX_DEFAULT);
  expect_encodes(encoder, GET, "82");
  h2e_hpack_encoder_set_peer_table_size(encoder, 8192);
  expect_encodes(encoder, GET, "3f e1 3f 82");
  assert_int_equal(table_of(encoder)->max_size, 8192);
  h2e_hpack_encoder_free(encoder);
}

static void test_4_3_shrinking_evicts_at_once(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_ALL);
  expect_encodes(encoder,
                 (const hpack_pair[]){{"a", "1"}, {"b", "2"}, {NULL, NULL}},
                 "40 01 61 01 31 40 01 62 01 32");
  h2e_hpack_encoder_set_peer_table_size(encoder, 40);
  hpack_test_expect_table(table_of(encoder),
                          (const hpack_pair[]){{"b", "2"}, {NULL, NULL}}, 34);
  /* The update (40) opens the next block; b: 2 is still index 62. */
  expect_encodes(encoder, (const hpack_pair[]){{"b", "2"}, {NULL, NULL}},
                 "3f 09 be");
  h2e_hpack_encoder_free(encoder);
}

/* ---- §4.4 adding entries
 * ----------------------------------------------------- */

static void test_4_4_entries_are_evicted_oldest_first(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(100, H2E_HPACK_INDEX_ALL);
  expect_encodes(
      encoder,
      (const hpack_pair[]){{"a", "1"}, {"b", "2"}, {"c", "3"}, {NULL, NULL}},
      "3f 45 40 01 61 01 31 40 01 62 01 32 40 01 63 01 33");
  hpack_test_expect_table(
      table_of(encoder),
      (const hpack_pair[]){{"c", "3"}, {"b", "2"}, {NULL, NULL}}, 68);
  /* b: 2 is index 63, a: 1 is gone and sent again. */
  expect_encodes(encoder,
                 (const hpack_pair[]){{"b", "2"}, {"a", "1"}, {NULL, NULL}},
                 "bf 40 01 61 01 31");
  h2e_hpack_encoder_free(encoder);
}

static void test_4_4_field_larger_than_the_table_is_not_indexed(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(256, H2E_HPACK_INDEX_ALL);
  expect_encodes(encoder, (const hpack_pair[]){{"a", "1"}, {NULL, NULL}},
                 "3f e1 01 40 01 61 01 31");
  char value[300];
  memset(value, 'v', sizeof value - 1);
  value[sizeof value - 1] = '\0';
  h2e_field big = field_of("x", value, 0);
  uint8_t out[OUT_MAX];
  ptrdiff_t len = h2e_hpack_encode(encoder, &big, 1, out, sizeof out);
  assert_true(len > 0);
  assert_int_equal(out[0], 0x00); /* literal without indexing, new name */
  /* The table was not flushed by it. */
  hpack_test_expect_table(table_of(encoder),
                          (const hpack_pair[]){{"a", "1"}, {NULL, NULL}}, 34);
  h2e_hpack_encoder_free(encoder);
}

static void test_2_3_3_dynamic_name_is_reused_with_a_new_value(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_DEFAULT);
  expect_encodes(encoder, (const hpack_pair[]){{"x-foo", "1"}, {NULL, NULL}},
                 "40 05 782d666f6f 01 31");
  expect_encodes(encoder, (const hpack_pair[]){{"x-foo", "2"}, {NULL, NULL}},
                 "7e 01 32");
  /* The newest x-foo entry is index 62 now, the older one 63. */
  expect_encodes(
      encoder,
      (const hpack_pair[]){{"x-foo", "1"}, {"x-foo", "2"}, {NULL, NULL}},
      "bf be");
  h2e_hpack_encoder_free(encoder);
}

/* ---- §7.1.3 never-indexed fields
 * --------------------------------------------- */

static void test_7_1_3_authorization_is_never_indexed(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_ALL);
  const hpack_pair auth[] = {{"authorization", "secret"}, {NULL, NULL}};
  expect_encodes(encoder, auth, "1f 08 06 736563726574");
  expect_encodes(encoder, auth, "1f 08 06 736563726574");
  expect_encodes(
      encoder,
      (const hpack_pair[]){{"proxy-authorization", "secret"}, {NULL, NULL}},
      "1f 22 06 736563726574");
  assert_int_equal(table_of(encoder)->count, 0);
  h2e_hpack_encoder_free(encoder);
}

static void test_7_1_3_short_cookies_are_never_indexed(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_DEFAULT);
  expect_encodes(encoder, (const hpack_pair[]){{"cookie", "a=b"}, {NULL, NULL}},
                 "1f 11 03 613d62");
  assert_int_equal(table_of(encoder)->count, 0);
  /* 20 octets and more are indexed. */
  expect_encodes(
      encoder,
      (const hpack_pair[]){{"cookie", "session=0123456789ab"}, {NULL, NULL}},
      "60 14 73657373696f6e3d303132333435363738396162");
  h2e_hpack_encoder_free(encoder);
}

static void test_7_1_3_cookie_rule_can_be_turned_off(void **state) {
  (void)state;
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  config.never_index_cookie_below = 0;
  config.huffman = H2E_HPACK_HUFFMAN_NEVER;
  h2e_hpack_encoder *encoder = h2e_hpack_encoder_new(&config, NULL);
  expect_encodes(encoder, (const hpack_pair[]){{"cookie", "a=b"}, {NULL, NULL}},
                 "60 03 613d62");
  h2e_hpack_encoder_free(encoder);
}

static void
test_6_2_3_flagged_field_is_never_indexed_even_if_in_a_table(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_ALL);
  h2e_field get = field_of(":method", "GET", H2E_FIELD_NEVER_INDEX);
  expect_encodes_fields(encoder, &get, 1, "12 03 474554");
  h2e_field custom = field_of("x-a", "1", 0);
  expect_encodes_fields(encoder, &custom, 1, "40 03 782d61 01 31");
  custom.flags = H2E_FIELD_NEVER_INDEX;
  expect_encodes_fields(encoder, &custom, 1, "1f 2f 01 31");
  assert_int_equal(table_of(encoder)->count, 1);
  h2e_hpack_encoder_free(encoder);
}

static void
test_6_2_2_no_index_flag_keeps_the_field_out_of_the_table(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_ALL);
  h2e_field custom = field_of("x-a", "1", H2E_FIELD_NO_INDEX);
  expect_encodes_fields(encoder, &custom, 1, "00 03 782d61 01 31");
  assert_int_equal(table_of(encoder)->count, 0);
  /* Once in the table, the field is still sent as its index. */
  custom.flags = 0;
  expect_encodes_fields(encoder, &custom, 1, "40 03 782d61 01 31");
  custom.flags = H2E_FIELD_NO_INDEX;
  expect_encodes_fields(encoder, &custom, 1, "be");
  h2e_hpack_encoder_free(encoder);
}

/* ---- indexing policies
 * -------------------------------------------------------- */

static void test_default_policy_skips_fields_that_rarely_repeat(void **state) {
  (void)state;
  static const char *const rare[] = {":path",
                                     "age",
                                     "content-length",
                                     "etag",
                                     "if-modified-since",
                                     "if-none-match",
                                     "location",
                                     "set-cookie"};
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_DEFAULT);
  for (size_t i = 0; i < sizeof rare / sizeof rare[0]; i++) {
    h2e_field field = field_of(rare[i], "some value", 0);
    uint8_t out[256];
    assert_true(h2e_hpack_encode(encoder, &field, 1, out, sizeof out) > 0);
    assert_int_equal(out[0] & 0xf0, 0x00); /* §6.2.2 */
  }
  assert_int_equal(table_of(encoder)->count, 0);
  expect_encodes(encoder,
                 (const hpack_pair[]){{"user-agent", "x"}, {NULL, NULL}},
                 "7a 01 78");
  assert_int_equal(table_of(encoder)->count, 1);
  h2e_hpack_encoder_free(encoder);
}

static void
test_default_policy_skips_entries_over_3_4_of_the_table(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_DEFAULT);
  char *value = malloc(3100);
  assert_non_null(value);
  memset(value, 'v', 3039); /* 1 + 3039 + 32 = 3072: just 3/4 */
  value[3039] = '\0';
  h2e_field field = field_of("x", value, 0);
  uint8_t out[OUT_MAX];
  assert_true(h2e_hpack_encode(encoder, &field, 1, out, sizeof out) > 0);
  assert_int_equal(out[0], 0x40);
  memset(value, 'w', 3040);
  value[3040] = '\0';
  field = field_of("x", value, 0);
  assert_true(h2e_hpack_encode(encoder, &field, 1, out, sizeof out) > 0);
  assert_int_equal(out[0], 0x0f); /* without indexing, name 62 (x) */
  assert_int_equal(table_of(encoder)->count, 1);
  free(value);
  h2e_hpack_encoder_free(encoder);
}

static void test_none_policy_keeps_the_table_empty(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_NONE);
  const hpack_pair fields[] = {
      {":method", "GET"}, {"user-agent", "x"}, {NULL, NULL}};
  expect_encodes(encoder, fields, "82 0f 2b 01 78");
  expect_encodes(encoder, fields, "82 0f 2b 01 78");
  assert_int_equal(table_of(encoder)->count, 0);
  h2e_hpack_encoder_free(encoder);
}

static void test_all_policy_indexes_path(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_ALL);
  const hpack_pair path[] = {{":path", "/a"}, {NULL, NULL}};
  expect_encodes(encoder, path, "44 02 2f61");
  expect_encodes(encoder, path, "be");
  h2e_hpack_encoder_free(encoder);
}

/* ---- §5.2 Huffman
 * ------------------------------------------------------------- */

static void test_5_2_huffman_only_when_shorter(void **state) {
  (void)state;
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  h2e_hpack_encoder *encoder = h2e_hpack_encoder_new(&config, NULL);
  /* Ten 'a' (5 bits each) take 7 octets: Huffman. */
  expect_encodes(
      encoder, (const hpack_pair[]){{":authority", "aaaaaaaaaa"}, {NULL, NULL}},
      "41 87 18c6318c6318ff");
  /* '{' has a 15-bit code: raw is shorter. */
  expect_encodes(encoder,
                 (const hpack_pair[]){{":authority", "{{{{"}, {NULL, NULL}},
                 "41 04 7b7b7b7b");
  /* "GET" takes 3 octets either way: raw. */
  h2e_field get = field_of(":method", "GET", H2E_FIELD_NEVER_INDEX);
  expect_encodes_fields(encoder, &get, 1, "12 03 474554");
  h2e_hpack_encoder_free(encoder);
}

/* ---- the encode bound
 * ---------------------------------------------------------- */

static void
test_encode_below_the_bound_fails_and_changes_nothing(void **state) {
  (void)state;
  h2e_hpack_encoder *encoder = encoder_new(4096, H2E_HPACK_INDEX_ALL);
  h2e_hpack_encoder *twin = encoder_new(4096, H2E_HPACK_INDEX_ALL);
  h2e_hpack_encoder_set_peer_table_size(encoder, 1000);
  h2e_hpack_encoder_set_peer_table_size(twin, 1000);
  h2e_field fields[] = {field_of("x-a", "1", 0), field_of(":method", "GET", 0)};
  size_t bound = h2e_hpack_encode_bound(encoder, fields, 2);
  assert_int_equal(bound, 12 + 18 + 4 + 18 + 10);
  uint8_t out[256], twin_out[256];
  assert_int_equal(h2e_hpack_encode(encoder, fields, 2, out, bound - 1),
                   H2E_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(table_of(encoder)->count, 0);
  ptrdiff_t len = h2e_hpack_encode(encoder, fields, 2, out, bound);
  assert_int_equal(h2e_hpack_encode(twin, fields, 2, twin_out, bound), len);
  assert_memory_equal(out, twin_out, (size_t)len);
  h2e_hpack_encoder_free(encoder);
  h2e_hpack_encoder_free(twin);
}

/* ---- randomised round trips
 * ------------------------------------------------------ */

static const char *const pool_names[] = {
    ":authority",    ":method",    ":path",    ":status",
    "cookie",        "set-cookie", "x-custom", "x-trace-id",
    "authorization", "user-agent", "accept",   "content-length",
    "x-a",           "",           "etag"};

/* A random field: names from the pool or random bytes, values short,
 * long, binary or repeated, random flags. Strings point into arena. */
static h2e_field random_field(hpack_test_rng *rng, uint8_t *arena,
                              size_t *used) {
  h2e_field field;
  uint32_t pick = hpack_test_rng_below(rng, 20);
  uint8_t *name = arena + *used;
  if (pick < 15) {
    field.name_len = (uint32_t)strlen(pool_names[pick]);
    memcpy(name, pool_names[pick], field.name_len);
  } else {
    field.name_len = 1 + hpack_test_rng_below(rng, 12);
    for (uint32_t i = 0; i < field.name_len; i++)
      name[i] = (uint8_t)('a' + hpack_test_rng_below(rng, 3));
  }
  *used += field.name_len;
  uint8_t *value = arena + *used;
  uint32_t shape = hpack_test_rng_below(rng, 10);
  field.value_len = shape < 6   ? hpack_test_rng_below(rng, 4)
                    : shape < 9 ? hpack_test_rng_below(rng, 300)
                                : hpack_test_rng_below(rng, 5000);
  uint32_t alphabet = hpack_test_rng_below(rng, 3) == 0 ? 256 : 4;
  for (uint32_t i = 0; i < field.value_len; i++)
    value[i] = (uint8_t)(alphabet == 256 ? hpack_test_rng_below(rng, 256)
                                         : '0' + hpack_test_rng_below(rng, 4));
  *used += field.value_len;
  field.name = name;
  field.value = value;
  uint32_t flag = hpack_test_rng_below(rng, 16);
  field.flags = flag == 0   ? H2E_FIELD_NEVER_INDEX
                : flag == 1 ? H2E_FIELD_NO_INDEX
                            : 0;
  return field;
}

static void expect_same_entries(const h2e_hpack_table *a,
                                const h2e_hpack_table *b) {
  assert_int_equal(a->count, b->count);
  assert_int_equal(a->size, b->size);
  assert_int_equal(a->max_size, b->max_size);
  uint8_t octets_a[1 << 16], octets_b[1 << 16];
  for (uint32_t i = 1; i <= a->count; i++) {
    const h2e_hpack_entry *x = h2e_hpack_table_get(a, i);
    const h2e_hpack_entry *y = h2e_hpack_table_get(b, i);
    assert_int_equal(x->name_len, y->name_len);
    assert_int_equal(x->value_len, y->value_len);
    h2e_hpack_table_read(a, x, octets_a);
    h2e_hpack_table_read(b, y, octets_b);
    assert_memory_equal(octets_a, octets_b, x->name_len + x->value_len);
  }
}

/* Every live entry is found by the index, as the newest with its key. */
static void expect_index_consistent(const h2e_hpack_encoder *encoder) {
  const h2e_hpack_table *table = h2e_hpack_encoder_table(encoder);
  const h2e_hpack_index *index = h2e_hpack_encoder_index(encoder);
  uint8_t octets[1 << 16], other[1 << 16];
  for (uint32_t i = 0; i < table->count; i++) {
    uint32_t absolute = table->oldest + i;
    const h2e_hpack_entry *entry = h2e_hpack_table_at(table, absolute);
    h2e_hpack_table_read(table, entry, octets);
    const uint8_t *value = octets + entry->name_len;
    uint32_t newest_pair = absolute, newest_name = absolute;
    for (uint32_t j = i + 1; j < table->count; j++) {
      const h2e_hpack_entry *later =
          h2e_hpack_table_at(table, table->oldest + j);
      h2e_hpack_table_read(table, later, other);
      if (later->name_len != entry->name_len ||
          memcmp(other, octets, entry->name_len) != 0)
        continue;
      newest_name = table->oldest + j;
      if (later->value_len == entry->value_len &&
          memcmp(other + later->name_len, value, entry->value_len) == 0)
        newest_pair = table->oldest + j;
    }
    uint32_t name_hash = h2e_hpack_hash(octets, entry->name_len);
    uint32_t pair_hash =
        h2e_hpack_hash_pair(name_hash, h2e_hpack_hash(value, entry->value_len));
    uint32_t found = 0;
    assert_true(h2e_hpack_index_find_pair(index, table, pair_hash, octets,
                                          entry->name_len, value,
                                          entry->value_len, &found));
    assert_int_equal(found, newest_pair);
    assert_true(h2e_hpack_index_find_name(index, table, name_hash, octets,
                                          entry->name_len, &found));
    assert_int_equal(found, newest_name);
  }
}

static int is_sensitive_name(const h2e_field *field) {
  static const char *const names[] = {"authorization", "cookie"};
  for (size_t i = 0; i < 2; i++)
    if (field->name_len == strlen(names[i]) &&
        memcmp(field->name, names[i], field->name_len) == 0)
      return 1;
  return 0;
}

static void expect_decoded_like(const h2e_hpack_output *out,
                                const h2e_field *fields, size_t count) {
  assert_int_equal(out->count, count);
  for (size_t i = 0; i < count; i++) {
    const h2e_field *got = &out->fields[i];
    assert_int_equal(got->name_len, fields[i].name_len);
    assert_int_equal(got->value_len, fields[i].value_len);
    if (got->name_len > 0)
      assert_memory_equal(got->name, fields[i].name, got->name_len);
    if (got->value_len > 0)
      assert_memory_equal(got->value, fields[i].value, got->value_len);
    /* A field we flagged arrives flagged (RFC 7541 §6.2.3). */
    if (fields[i].flags & H2E_FIELD_NEVER_INDEX)
      assert_int_equal(got->flags, H2E_FIELD_NEVER_INDEX);
    if (got->flags & H2E_FIELD_NEVER_INDEX)
      assert_true((fields[i].flags & H2E_FIELD_NEVER_INDEX) ||
                  is_sensitive_name(&fields[i]));
  }
}

static const uint32_t peer_sizes[] = {0, 64, 256, 1000, 4096, 8192, 65536};

static void round_trip(uint64_t seed, uint32_t encoder_max,
                       h2e_hpack_index_policy policy,
                       h2e_hpack_huffman_policy huffman, int blocks) {
  hpack_test_rng rng = {seed};
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  config.max_table_size = encoder_max;
  config.index_policy = policy;
  config.huffman = huffman;
  h2e_hpack_encoder *encoder = h2e_hpack_encoder_new(&config, NULL);
  h2e_hpack_decoder_config decoder_config;
  h2e_hpack_decoder_config_init(&decoder_config);
  decoder_config.max_table_size = 65536; /* what the peer allows at most */
  decoder_config.max_header_list_size = 1 << 20;
  h2e_hpack_decoder *decoder = h2e_hpack_decoder_new(&decoder_config, NULL);
  assert_non_null(encoder);
  assert_non_null(decoder);
  /* The peer's decoder starts from the RFC 9113 initial 4096. */
  assert_int_equal(h2e_hpack_decoder_set_max_table_size(decoder, 4096), 0);
  h2e_hpack_encoder_set_peer_table_size(encoder, 4096);

  size_t arena_cap = FIELDS_MAX * (16 + 5000);
  uint8_t *arena = malloc(arena_cap);
  size_t out_cap = 1 << 20;
  uint8_t *out = malloc(out_cap);
  uint8_t *buf = malloc(1 << 20);
  h2e_field *decoded = calloc(FIELDS_MAX, sizeof *decoded);
  assert_non_null(arena);
  assert_non_null(out);
  assert_non_null(buf);
  assert_non_null(decoded);
  h2e_hpack_output output = {buf, 1 << 20, decoded, FIELDS_MAX, 0, 0, 0};
  for (int block = 0; block < blocks; block++) {
    /* Now and then the peer changes its SETTINGS_HEADER_TABLE_SIZE, maybe
     * twice before the next block (RFC 7541 §4.2). */
    for (uint32_t changes = hpack_test_rng_below(&rng, 8); changes > 5;
         changes--) {
      uint32_t size = peer_sizes[hpack_test_rng_below(&rng, 7)];
      h2e_hpack_encoder_set_peer_table_size(encoder, size);
      assert_int_equal(h2e_hpack_decoder_set_max_table_size(decoder, size), 0);
    }
    h2e_field fields[FIELDS_MAX];
    size_t count = hpack_test_rng_below(&rng, FIELDS_MAX);
    size_t used = 0;
    for (size_t i = 0; i < count; i++)
      fields[i] = random_field(&rng, arena, &used);
    /* Repeat some fields of this block to exercise exact matches. */
    for (size_t i = 1; i < count; i += 3)
      fields[i] = fields[hpack_test_rng_below(&rng, (uint32_t)i)];
    size_t bound = h2e_hpack_encode_bound(encoder, fields, count);
    assert_true(bound + 16 <= out_cap);
    memset(out + bound, 0x5a, 16);
    if (bound > 0 && hpack_test_rng_below(&rng, 8) == 0)
      assert_int_equal(h2e_hpack_encode(encoder, fields, count, out, bound - 1),
                       H2E_ERR_BUFFER_TOO_SMALL);
    ptrdiff_t len = h2e_hpack_encode(encoder, fields, count, out, bound);
    assert_true(len >= 0 && (size_t)len <= bound);
    for (size_t i = 0; i < 16; i++)
      assert_int_equal(out[bound + i], 0x5a);
    assert_int_equal(hpack_test_decode(decoder, &output, out, (size_t)len),
                     len);
    expect_decoded_like(&output, fields, count);
    expect_same_entries(h2e_hpack_encoder_table(encoder),
                        h2e_hpack_decoder_table(decoder));
    expect_index_consistent(encoder);
  }
  free(arena);
  free(out);
  free(buf);
  free(decoded);
  h2e_hpack_encoder_free(encoder);
  h2e_hpack_decoder_free(decoder);
}

static void test_round_trip_default_policy_keeps_tables_in_sync(void **state) {
  (void)state;
  round_trip(1, 4096, H2E_HPACK_INDEX_DEFAULT, H2E_HPACK_HUFFMAN_SHORTER, 400);
}

static void test_round_trip_index_all_small_table_evicts_exactly(void **state) {
  (void)state;
  round_trip(2, 512, H2E_HPACK_INDEX_ALL, H2E_HPACK_HUFFMAN_SHORTER, 600);
}

static void test_round_trip_large_table_always_huffman(void **state) {
  (void)state;
  round_trip(3, 65536, H2E_HPACK_INDEX_ALL, H2E_HPACK_HUFFMAN_ALWAYS, 300);
}

static void test_round_trip_no_table_no_huffman(void **state) {
  (void)state;
  round_trip(4, 0, H2E_HPACK_INDEX_NONE, H2E_HPACK_HUFFMAN_NEVER, 200);
}

/* ---- memory
 * ---------------------------------------------------------------------- */

/* The encoder and its table's and index's first storage
 * (test_hpack_grow.c follows them as they grow). */
static void test_encoder_memory_comes_from_the_allocator(void **state) {
  (void)state;
  hpack_test_allocator counting;
  hpack_test_allocator_init(&counting);
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  h2e_hpack_encoder *encoder =
      h2e_hpack_encoder_new(&config, &counting.allocator);
  assert_non_null(encoder);
  assert_int_equal(counting.allocs, 3);
  size_t fresh = counting.live_bytes;
  assert_true(fresh < h2e_hpack_encoder_memsize(4096) / 10);
  h2e_field fields[] = {field_of("x-a", "1", 0), field_of("x-a", "1", 0)};
  uint8_t out[128];
  assert_true(h2e_hpack_encode(encoder, fields, 2, out, sizeof out) > 0);
  assert_int_equal(table_of(encoder)->count, 1);
  assert_int_equal(counting.allocs, 3); /* "x-a: 1" fits the first storage */
  assert_int_equal(counting.live_bytes, fresh);
  h2e_hpack_encoder_free(encoder);
  assert_int_equal(counting.frees, 3);
  assert_int_equal(counting.live_bytes, 0);
}

static void test_encoder_new_refuses_unusable_configs(void **state) {
  (void)state;
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  config.max_table_size = (UINT32_C(1) << 30) + 1;
  assert_null(h2e_hpack_encoder_new(&config, NULL));
  h2e_hpack_encoder_config_init(&config);
  config.index_policy = (h2e_hpack_index_policy)7;
  assert_null(h2e_hpack_encoder_new(&config, NULL));
  h2e_hpack_encoder_config_init(&config);
  config.huffman = (h2e_hpack_huffman_policy)7;
  assert_null(h2e_hpack_encoder_new(&config, NULL));
  assert_null(h2e_hpack_encoder_new(NULL, NULL));
  hpack_test_allocator counting;
  hpack_test_allocator_init(&counting);
  counting.fail_after = 0;
  h2e_hpack_encoder_config_init(&config);
  assert_null(h2e_hpack_encoder_new(&config, &counting.allocator));
  h2e_hpack_encoder_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_4_2_smaller_configured_table_is_signalled_first),
      cmocka_unit_test(test_4_2_shrink_then_grow_sends_minimum_then_final),
      cmocka_unit_test(test_4_2_several_changes_send_smallest_then_final),
      cmocka_unit_test(test_4_2_plain_shrink_sends_one_update),
      cmocka_unit_test(test_4_2_unchanged_maximum_sends_nothing),
      cmocka_unit_test(test_4_2_growth_within_our_bound_sends_one_update),
      cmocka_unit_test(test_4_3_shrinking_evicts_at_once),
      cmocka_unit_test(test_4_4_entries_are_evicted_oldest_first),
      cmocka_unit_test(test_4_4_field_larger_than_the_table_is_not_indexed),
      cmocka_unit_test(test_2_3_3_dynamic_name_is_reused_with_a_new_value),
      cmocka_unit_test(test_7_1_3_authorization_is_never_indexed),
      cmocka_unit_test(test_7_1_3_short_cookies_are_never_indexed),
      cmocka_unit_test(test_7_1_3_cookie_rule_can_be_turned_off),
      cmocka_unit_test(
          test_6_2_3_flagged_field_is_never_indexed_even_if_in_a_table),
      cmocka_unit_test(
          test_6_2_2_no_index_flag_keeps_the_field_out_of_the_table),
      cmocka_unit_test(test_default_policy_skips_fields_that_rarely_repeat),
      cmocka_unit_test(test_default_policy_skips_entries_over_3_4_of_the_table),
      cmocka_unit_test(test_none_policy_keeps_the_table_empty),
      cmocka_unit_test(test_all_policy_indexes_path),
      cmocka_unit_test(test_5_2_huffman_only_when_shorter),
      cmocka_unit_test(test_encode_below_the_bound_fails_and_changes_nothing),
      cmocka_unit_test(test_round_trip_default_policy_keeps_tables_in_sync),
      cmocka_unit_test(test_round_trip_index_all_small_table_evicts_exactly),
      cmocka_unit_test(test_round_trip_large_table_always_huffman),
      cmocka_unit_test(test_round_trip_no_table_no_huffman),
      cmocka_unit_test(test_encoder_memory_comes_from_the_allocator),
      cmocka_unit_test(test_encoder_new_refuses_unusable_configs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
