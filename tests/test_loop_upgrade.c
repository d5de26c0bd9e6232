/* The server side of the h2c Upgrade (RFC 7540 §3.2) in the adapters:
 * the HTTP/1.1 request head parsed into stream 1's fields and the
 * client's settings, or declined. */
#include "upgrade.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

/* SETTINGS_MAX_CONCURRENT_STREAMS=100, INITIAL_WINDOW_SIZE=65535. */
#define SETTINGS_VALUE "AAMAAABkAAQAAP__"

#define UPGRADE_HEAD(method, extra)                                            \
  method " /index.html?q=1 HTTP/1.1\r\n"                                       \
         "Host: example.com:8080\r\n"                                          \
         "Connection: Upgrade, HTTP2-Settings\r\n"                             \
         "Upgrade: h2c\r\n"                                                    \
         "HTTP2-Settings: " SETTINGS_VALUE "\r\n"                              \
         "User-Agent: Test/1.0\r\n" extra "\r\n"

static h2e_upgrade_result parse(const char *text, h2e_upgrade_request *out) {
  memset(out, 0, sizeof *out);
  return h2e_upgrade_parse((const uint8_t *)text, strlen(text), out);
}

static void assert_field(const h2e_field *f, const char *name,
                         const char *value) {
  assert_int_equal(f->name_len, strlen(name));
  assert_memory_equal(f->name, name, strlen(name));
  assert_int_equal(f->value_len, strlen(value));
  assert_memory_equal(f->value, value, strlen(value));
}

static void test_upgrade_request_becomes_stream_one(void **state) {
  (void)state;
  static h2e_upgrade_request r;
  const char *text = UPGRADE_HEAD(
      "GET", "Accept: */*\r\nTE: trailers\r\n") "PRI * HTTP/2.0\r\n";
  assert_int_equal(parse(text, &r), H2E_UPGRADE_OK);
  assert_int_equal(r.head_len, strlen(text) - strlen("PRI * HTTP/2.0\r\n"));
  assert_int_equal(r.field_count, 7);
  assert_field(&r.fields[0], ":method", "GET");
  assert_field(&r.fields[1], ":scheme", "http");
  assert_field(&r.fields[2], ":authority", "example.com:8080");
  assert_field(&r.fields[3], ":path", "/index.html?q=1");
  assert_field(&r.fields[4], "user-agent", "Test/1.0");
  assert_field(&r.fields[5], "accept", "*/*");
  assert_field(&r.fields[6], "te", "trailers");
  assert_int_equal(r.settings_count, 2);
  assert_int_equal(r.settings[0].id, H2E_SETTINGS_MAX_CONCURRENT_STREAMS);
  assert_int_equal(r.settings[0].value, 100);
  assert_int_equal(r.settings[1].id, H2E_SETTINGS_INITIAL_WINDOW_SIZE);
  assert_int_equal(r.settings[1].value, 65535);
}

static void test_head_arriving_in_pieces_needs_more(void **state) {
  (void)state;
  static h2e_upgrade_request r;
  const char *text = UPGRADE_HEAD("GET", "");
  size_t len = strlen(text);
  for (size_t cut = 0; cut < len; cut++) {
    memset(&r, 0, sizeof r);
    assert_int_equal(h2e_upgrade_parse((const uint8_t *)text, cut, &r),
                     H2E_UPGRADE_NEED_MORE);
  }
  assert_int_equal(parse(text, &r), H2E_UPGRADE_OK);
}

/* RFC 7540 §3.2, §3.2.1: what a server must not upgrade. */
static void test_requests_without_a_valid_upgrade_are_declined(void **state) {
  (void)state;
  static h2e_upgrade_request r;
  static const char *const declined[] = {
      "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\n"
      "HTTP2-Settings: " SETTINGS_VALUE "\r\n\r\n", /* no Connection */
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n"
      "HTTP2-Settings: " SETTINGS_VALUE "\r\n\r\n", /* Connection lacks it */
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
      "Upgrade: websocket\r\nHTTP2-Settings: " SETTINGS_VALUE "\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
      "Upgrade: h2c\r\n\r\n", /* no HTTP2-Settings */
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
      "Upgrade: h2c\r\nHTTP2-Settings: " SETTINGS_VALUE "\r\n"
      "HTTP2-Settings: " SETTINGS_VALUE "\r\n\r\n", /* two of them */
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
      "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABk=\r\n\r\n", /* padding */
      "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
      "Upgrade: h2c\r\nHTTP2-Settings: AAIAAAAC\r\n\r\n", /* ENABLE_PUSH=2 */
      UPGRADE_HEAD("POST", "Content-Length: 5\r\n"),      /* a body */
      UPGRADE_HEAD("POST", "Transfer-Encoding: chunked\r\n"),
  };
  for (size_t i = 0; i < sizeof declined / sizeof declined[0]; i++)
    assert_int_equal(parse(declined[i], &r), H2E_UPGRADE_DECLINED);
  assert_int_equal(parse(UPGRADE_HEAD("POST", "Content-Length: 0\r\n"), &r),
                   H2E_UPGRADE_OK);
}

static void test_malformed_heads_are_refused(void **state) {
  (void)state;
  static h2e_upgrade_request r;
  static const char *const malformed[] = {
      "GET / HTTP/1.0\r\nHost: a\r\n\r\n",
      "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n",
      "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
  };
  for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
    assert_int_equal(parse(malformed[i], &r), H2E_UPGRADE_MALFORMED);
  /* Not HTTP/1.1 at all (a TLS ClientHello on the cleartext port): no
   * waiting for a head that never ends. */
  static const uint8_t client_hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
  assert_int_equal(h2e_upgrade_parse(client_hello, sizeof client_hello, &r),
                   H2E_UPGRADE_MALFORMED);
  assert_int_equal(parse("GET", &r), H2E_UPGRADE_NEED_MORE);
  assert_int_equal(parse("GE\x01", &r), H2E_UPGRADE_MALFORMED);
  static char huge[H2E_UPGRADE_HEAD_MAX + 16];
  memset(huge, 'a', sizeof huge - 1);
  memcpy(huge, "GET / HTTP/1.1\r\nX: ", 19);
  assert_int_equal(parse(huge, &r), H2E_UPGRADE_MALFORMED);
}

static void test_responses(void **state) {
  (void)state;
  assert_string_equal(h2e_upgrade_response(H2E_UPGRADE_OK),
                      "HTTP/1.1 101 Switching Protocols\r\n"
                      "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
  const char *declined = h2e_upgrade_response(H2E_UPGRADE_DECLINED);
  const char *body = strstr(declined, "\r\n\r\n") + 4;
  assert_non_null(strstr(declined, " 505 "));
  char length[64];
  snprintf(length, sizeof length, "Content-Length: %zu\r\n", strlen(body));
  assert_non_null(strstr(declined, length));
  assert_non_null(strstr(h2e_upgrade_response(H2E_UPGRADE_MALFORMED), " 400 "));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_upgrade_request_becomes_stream_one),
      cmocka_unit_test(test_head_arriving_in_pieces_needs_more),
      cmocka_unit_test(test_requests_without_a_valid_upgrade_are_declined),
      cmocka_unit_test(test_malformed_heads_are_refused),
      cmocka_unit_test(test_responses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
