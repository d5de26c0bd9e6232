/* RFC 7541 Appendix A: the generated static table, its name hash (the
 * generator's Python hash must agree with h2e_hpack_hash), and lookups. */
#include "hpack_hash.h"
#include "hpack_static.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#define RFC7541_PATH H2E_SHARED_DIR "/rfc/rfc7541-hpack.txt"

static void test_a_table_has_61_entries_in_rfc_order(void **state) {
  (void)state;
  const h2e_field *table = h2e_hpack_static_table;
  assert_int_equal(table[1].name_len, strlen(":authority"));
  assert_memory_equal(table[1].name, ":authority", table[1].name_len);
  assert_int_equal(table[16].value_len, strlen("gzip, deflate"));
  assert_memory_equal(table[16].value, "gzip, deflate", table[16].value_len);
  assert_memory_equal(table[61].name, "www-authenticate", table[61].name_len);
  for (uint32_t i = 1; i <= H2E_HPACK_STATIC_COUNT; i++) {
    assert_int_equal(table[i].name_len, strlen((const char *)table[i].name));
    assert_int_equal(table[i].value_len, strlen((const char *)table[i].value));
    assert_int_equal(table[i].flags, 0);
  }
}

/* The slots hold hashes computed by tools/gen_hpack_static.py. */
static void test_a_generated_name_hashes_match_the_c_hash(void **state) {
  (void)state;
  size_t names = 0;
  for (uint32_t slot = 0; slot < H2E_HPACK_STATIC_SLOTS; slot++) {
    const h2e_hpack_static_slot *s = &h2e_hpack_static_name_slots[slot];
    if (s->index == 0)
      continue;
    const h2e_field *entry = &h2e_hpack_static_table[s->index];
    assert_int_equal(s->name_hash,
                     h2e_hpack_hash(entry->name, entry->name_len));
    names++;
  }
  assert_int_equal(names, 52);
}

static void test_a_every_entry_is_found_by_name_and_value(void **state) {
  (void)state;
  for (uint32_t i = 1; i <= H2E_HPACK_STATIC_COUNT; i++) {
    const h2e_field *entry = &h2e_hpack_static_table[i];
    uint32_t first = h2e_hpack_static_find_name(
        entry->name, entry->name_len,
        h2e_hpack_hash(entry->name, entry->name_len));
    assert_true(first >= 1 && first <= i);
    assert_memory_equal(h2e_hpack_static_table[first].name, entry->name,
                        entry->name_len);
    assert_int_equal(
        h2e_hpack_static_find_value(first, entry->value, entry->value_len), i);
  }
}

static void test_a_unknown_names_and_values_are_not_found(void **state) {
  (void)state;
  const char *names[] = {"x-custom", "", ":Method", "content-lengt", "cookies"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    const uint8_t *name = (const uint8_t *)names[i];
    uint32_t len = (uint32_t)strlen(names[i]);
    assert_int_equal(
        h2e_hpack_static_find_name(name, len, h2e_hpack_hash(name, len)), 0);
  }
  assert_int_equal(h2e_hpack_static_find_value(8, (const uint8_t *)"201", 3),
                   0);
  assert_int_equal(h2e_hpack_static_find_value(8, (const uint8_t *)"404", 3),
                   13);
}

static void test_hash_and_compare_agree_on_every_length(void **state) {
  (void)state;
  uint8_t a[40] = {0}, b[40] = {0};
  for (size_t len = 0; len <= sizeof a; len++) {
    for (size_t i = 0; i < len; i++)
      a[i] = b[i] = (uint8_t)('a' + i);
    assert_true(h2e_hpack_bytes_equal(a, b, len));
    assert_int_equal(h2e_hpack_hash(a, len), h2e_hpack_hash(b, len));
    for (size_t i = 0; i < len; i++) {
      b[i] ^= 1;
      assert_false(h2e_hpack_bytes_equal(a, b, len));
      b[i] ^= 1;
    }
  }
}

/* lib/hpack_static_table.c is what the generator makes of the RFC text
 * today. Skipped where there is no shell or no python3. */
static void test_a_generator_reproduces_the_committed_table(void **state) {
  (void)state;
  if (!system(NULL))
    skip();
  char command[1024];
  snprintf(command, sizeof command,
           "python3 '%s/tools/gen_hpack_static.py' --check '%s' "
           "'%s/lib/hpack_static_table.c'",
           H2E_SOURCE_DIR, RFC7541_PATH, H2E_SOURCE_DIR);
  int status = system(command);
  if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
    skip(); /* no python3 */
  assert_int_equal(status, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_table_has_61_entries_in_rfc_order),
      cmocka_unit_test(test_a_generated_name_hashes_match_the_c_hash),
      cmocka_unit_test(test_a_every_entry_is_found_by_name_and_value),
      cmocka_unit_test(test_a_unknown_names_and_values_are_not_found),
      cmocka_unit_test(test_hash_and_compare_agree_on_every_length),
      cmocka_unit_test(test_a_generator_reproduces_the_committed_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
