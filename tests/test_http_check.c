/* lib/http_check.c on its own: the character rules of RFC 9113 §8.2.1
 * (checked eight octets at a time) against a plain octet-by-octet
 * reference, at every length and position, and the cookie join of
 * §8.2.3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http_check.h"

static const h2e_http_rules strict = {0, 0};

/* RFC 9110 §5.1 tchar, lowercase only. */
static int reference_name_octet(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int reference_name(const uint8_t *s, size_t n) {
  if (n == 0)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (!reference_name_octet(s[i]))
      return 0;
  return 1;
}

/* RFC 9113 §8.2.1. */
static int reference_value(const uint8_t *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] == 0 || s[i] == '\r' || s[i] == '\n')
      return 0;
  return n == 0 ||
         (s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' && s[n - 1] != '\t');
}

/* A trailer section of one field: only the character rules apply. */
static int check_one(const uint8_t *name, size_t name_len, const uint8_t *value,
                     size_t value_len) {
  h2e_field f = {name, value, (uint32_t)name_len, (uint32_t)value_len, 0};
  h2e_http_head head;
  return h2e_http_check(&f, 1, H2E_HTTP_TRAILERS, &strict, &head) == NULL;
}

static void test_every_octet_at_every_position_of_a_name(void **state) {
  (void)state;
  uint8_t name[40];
  for (size_t len = 1; len <= sizeof name; len++)
    for (size_t pos = 0; pos < len; pos++)
      for (unsigned c = 0; c < 256; c++) {
        memset(name, 'x', len);
        name[pos] = (uint8_t)c;
        /* names with rules of their own are not what this is about */
        if (len == 2 && name[0] == 't' && name[1] == 'e')
          continue;
        int want = reference_name(name, len);
        if (check_one(name, len, (const uint8_t *)"v", 1) != want)
          fail_msg("name of %zu octets, 0x%02x at %zu: want %d", len, c, pos,
                   want);
      }
}

static void test_every_octet_at_every_position_of_a_value(void **state) {
  (void)state;
  uint8_t value[40];
  for (size_t len = 1; len <= sizeof value; len++)
    for (size_t pos = 0; pos < len; pos++)
      for (unsigned c = 0; c < 256; c++) {
        memset(value, 'v', len);
        value[pos] = (uint8_t)c;
        int want = reference_value(value, len);
        if (check_one((const uint8_t *)"x-a", 3, value, len) != want)
          fail_msg("value of %zu octets, 0x%02x at %zu: want %d", len, c, pos,
                   want);
      }
}

static void test_random_strings_agree_with_the_reference(void **state) {
  (void)state;
  static const uint8_t alphabet[] = "abz-AZ09_ :\t\r\n\x00\x7f\x80\xff~(";
  uint32_t seed = 12345;
  uint8_t s[48];
  for (int round = 0; round < 200000; round++) {
    seed = seed * 1103515245u + 12345u;
    size_t len = (seed >> 16) % sizeof s;
    for (size_t i = 0; i < len; i++) {
      seed = seed * 1103515245u + 12345u;
      uint32_t pick = (seed >> 16) % 64;
      s[i] = pick < sizeof alphabet - 1 ? alphabet[pick] : 'a' + pick % 26;
    }
    if (len != 2 || s[0] != 't' || s[1] != 'e')
      assert_int_equal(check_one(s, len, (const uint8_t *)"v", 1),
                       reference_name(s, len));
    assert_int_equal(check_one((const uint8_t *)"x-a", 3, s, len),
                     reference_value(s, len));
  }
}

#define FIELD(n, v)                                                            \
  {                                                                            \
    (const uint8_t *)(n), (const uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1,  \
        0                                                                      \
  }

static void test_cookie_join_keeps_order_and_other_fields(void **state) {
  (void)state;
  h2e_field fields[] = {FIELD("cookie", "a=b"), FIELD("x-a", "1"),
                        FIELD("cookie", ""), FIELD("x-b", "2"),
                        FIELD("cookie", "c=d")};
  size_t room = h2e_http_cookies_room(fields, 5);
  assert_int_equal(room, 3 + 0 + 3 + 2 * 2);
  uint8_t buf[16];
  size_t count = h2e_http_join_cookies(fields, 5, buf);
  assert_int_equal(count, 3);
  assert_int_equal(fields[0].value_len, room);
  assert_memory_equal(fields[0].value, "a=b; ; c=d", room);
  assert_memory_equal(fields[1].name, "x-a", 3);
  assert_memory_equal(fields[2].name, "x-b", 3);
}

static void test_one_cookie_needs_no_room(void **state) {
  (void)state;
  h2e_field fields[] = {FIELD("cookie", "a=b"), FIELD("x-a", "1")};
  assert_int_equal(h2e_http_cookies_room(fields, 2), 0);
}

static void test_padded_crumbs_are_not_joined(void **state) {
  (void)state;
  h2e_field fields[] = {FIELD("cookie", "a=b "), FIELD("cookie", "c=d")};
  assert_int_equal(h2e_http_cookies_room(fields, 2), 0);
  h2e_field tab[] = {FIELD("cookie", "a=b"), FIELD("cookie", "\tc=d")};
  assert_int_equal(h2e_http_cookies_room(tab, 2), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_octet_at_every_position_of_a_name),
      cmocka_unit_test(test_every_octet_at_every_position_of_a_value),
      cmocka_unit_test(test_random_strings_agree_with_the_reference),
      cmocka_unit_test(test_cookie_join_keeps_order_and_other_fields),
      cmocka_unit_test(test_one_cookie_needs_no_room),
      cmocka_unit_test(test_padded_crumbs_are_not_joined),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
