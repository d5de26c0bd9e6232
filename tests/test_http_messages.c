/* RFC 9113 §8 (HTTP message validity), both roles: a malformed request,
 * response, trailer section or promise is a stream error PROTOCOL_ERROR
 * (exactly one RST_STREAM), never reaches the application, and the
 * connection goes on serving; the http_flags knobs; the submit side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

#define F PEER_FIELD

static const h2e_field status_200[1] = {F(":status", "200")};
static const h2e_field get_request[4] = {F(":method", "GET"),
                                         F(":scheme", "https"), F(":path", "/"),
                                         F(":authority", "example.com")};

/* ---- helpers --------------------------------------------------------------
 */

/* The engine reset `id` for a malformed message: exactly RST_STREAM
 * PROTOCOL_ERROR (these octets) goes out; if the application knew the
 * stream, one H2E_EV_STREAM_RESET by us whose reason holds `reason`,
 * else no event at all (the block was never delivered); the stream is
 * closed; and a well-formed exchange on a new stream still works. */
#define expect_malformed(p, id, app_knows, reason)                             \
  expect_malformed_at(p, id, app_knows, reason, __FILE__, __LINE__)
static void expect_malformed_at(peer *p, uint32_t id, int app_knows,
                                const char *reason, const char *file,
                                int line) {
  static const uint8_t protocol_error[4] = {0, 0, 0, H2E_PROTOCOL_ERROR};
  peer_expect_frame_at(p, H2E_FRAME_RST_STREAM, 0, id, protocol_error, 4, file,
                       line);
  peer_expect_no_frame_at(p, file, line);
  if (app_knows) {
    h2e_event ev = peer_expect_event_at(p, H2E_EV_STREAM_RESET, id, file, line);
    _assert_int_equal(ev.u.reset.error_code, H2E_PROTOCOL_ERROR, file, line);
    _assert_int_equal(ev.u.reset.by_peer, 0, file, line);
    const char *got = ev.u.reset.reason ? ev.u.reset.reason : "(null)";
    if (strstr(got, reason) == NULL)
      fprintf(stderr, "%s:%d: reason \"%s\" lacks \"%s\"\n", file, line, got,
              reason);
    _assert_true(strstr(got, reason) != NULL, "reason", file, line);
  }
  peer_expect_no_event_at(p, file, line);
  _assert_int_equal(h2e_stream_get_state(p->conn, id), H2E_STATE_CLOSED, file,
                    line);
  peer_expect_alive_at(p, file, line);
}

/* Server engine: a request head of these fields on a new stream. */
#define send_request(p, fields, count, flags)                                  \
  send_request_at(p, fields, count, flags, __FILE__, __LINE__)
static uint32_t send_request_at(peer *p, const h2e_field *fields, size_t count,
                                uint8_t flags, const char *file, int line) {
  uint32_t id = p->next_stream_id;
  peer_send_headers_at(p, id, flags, fields, count, file, line);
  return id;
}

/* Server engine: the request is malformed (and never delivered). */
#define refuse_request(p, fields, count, reason)                               \
  refuse_request_at(p, fields, count, reason, __FILE__, __LINE__)
static void refuse_request_at(peer *p, const h2e_field *fields, size_t count,
                              const char *reason, const char *file, int line) {
  uint32_t id = send_request_at(p, fields, count, PEER_END_STREAM, file, line);
  expect_malformed_at(p, id, 0, reason, file, line);
}

/* Server engine: the request is delivered as sent. */
#define accept_request(p, fields, count)                                       \
  accept_request_at(p, fields, count, __FILE__, __LINE__)
static void accept_request_at(peer *p, const h2e_field *fields, size_t count,
                              const char *file, int line) {
  uint32_t id = send_request_at(p, fields, count, PEER_END_STREAM, file, line);
  peer_expect_headers_event_at(p, id, H2E_HEADERS_REQUEST, 1, fields, count,
                               file, line);
  peer_expect_no_event_at(p, file, line);
  peer_finish_stream_at(p, id, file, line);
}

static peer *server(void **state) {
  return peer_start(state, H2E_SERVER, NULL);
}

static peer *server_with(void **state, uint32_t http_flags) {
  h2e_config config = peer_config(H2E_SERVER);
  config.http_flags = http_flags;
  return peer_start(state, H2E_SERVER, &config);
}

static peer *client_with(void **state, uint32_t http_flags, int push) {
  h2e_config config = peer_config(H2E_CLIENT);
  config.http_flags = http_flags;
  config.enable_push = (uint32_t)push;
  return peer_start(state, H2E_CLIENT, &config);
}

/* Client engine: the application sends this request; it goes out. */
static uint32_t client_request(peer *p, const h2e_field *fields, size_t count,
                               int end_stream) {
  int32_t id = h2e_submit_request(p->conn, fields, count,
                                  end_stream ? H2E_END_STREAM : 0);
  assert_true(id > 0);
  peer_expect_headers(p, (uint32_t)id, end_stream, fields, count);
  peer_expect_no_frame(p);
  return (uint32_t)id;
}

/* Client engine: a response head of these fields to a new GET is
 * malformed; the application, which knows its stream, hears why. */
#define refuse_response(p, fields, count, flags, reason)                       \
  refuse_response_at(p, fields, count, flags, reason, __FILE__, __LINE__)
static void refuse_response_at(peer *p, const h2e_field *fields, size_t count,
                               uint8_t flags, const char *reason,
                               const char *file, int line) {
  uint32_t id = client_request(p, get_request, 4, 1);
  peer_send_headers_at(p, id, flags, fields, count, file, line);
  expect_malformed_at(p, id, 1, reason, file, line);
}

/* A GET request with one more regular field. */
static void refuse_with_field(peer *p, h2e_field extra, const char *reason) {
  h2e_field fields[5];
  memcpy(fields, get_request, sizeof get_request);
  fields[4] = extra;
  refuse_request(p, fields, 5, reason);
}

static void accept_with_field(peer *p, h2e_field extra) {
  h2e_field fields[5];
  memcpy(fields, get_request, sizeof get_request);
  fields[4] = extra;
  accept_request(p, fields, 5);
}

/* ---- §8.2.1 field validity ------------------------------------------------
 */

static void test_8_2_1_uppercase_field_name_is_malformed(void **state) {
  peer *p = server(state);
  refuse_with_field(p, (h2e_field)F("X-Custom", "1"), "uppercase");
}

static void test_8_2_1_uppercase_name_in_response_is_malformed(void **state) {
  peer *p = client_with(state, 0, 0);
  static const h2e_field response[] = {F(":status", "200"),
                                       F("Content-Type", "text/plain")};
  refuse_response(p, response, 2, PEER_END_STREAM, "uppercase");
}

static void test_8_2_1_non_token_field_names_are_malformed(void **state) {
  peer *p = server(state);
  refuse_with_field(p, (h2e_field)F("x(y)", "1"), "non-token");
  refuse_with_field(p, (h2e_field)F("x y", "1"), "non-token");
  refuse_with_field(p, (h2e_field)F("x:y", "1"), "non-token");
  refuse_with_field(p, (h2e_field)F("x\x7f", "1"), "non-token");
  refuse_with_field(p, (h2e_field)F("caf\xc3\xa9", "1"), "non-token");
  /* Every token character but uppercase is fine. */
  accept_with_field(p, (h2e_field)F("!#$%&'*+-.^_`|~09az", "1"));
}

static void test_8_2_1_empty_field_name_is_malformed(void **state) {
  peer *p = server(state);
  refuse_with_field(p, (h2e_field)F("", "1"), "empty field name");
}

static void test_8_2_1_nul_cr_lf_in_values_are_malformed(void **state) {
  peer *p = server(state);
  refuse_with_field(p, (h2e_field)F("x-a", "a\0b"), "NUL, CR or LF");
  refuse_with_field(p, (h2e_field)F("x-a", "a\rb"), "NUL, CR or LF");
  refuse_with_field(p, (h2e_field)F("x-a", "a\nb"), "NUL, CR or LF");
  /* In a pseudo-header field value too. */
  static const h2e_field crlf_path[] = {
      F(":method", "GET"), F(":scheme", "https"), F(":path", "/a\r\nx: y"),
      F(":authority", "example.com")};
  refuse_request(p, crlf_path, 4, "NUL, CR or LF");
  /* Other controls and octets above 0x7f are the application's call. */
  accept_with_field(p, (h2e_field)F("x-a", "a\tb\x01\xff"));
}

static void test_8_2_1_whitespace_at_value_ends_is_malformed(void **state) {
  peer *p = server(state);
  refuse_with_field(p, (h2e_field)F("x-a", " a"), "whitespace");
  refuse_with_field(p, (h2e_field)F("x-a", "a\t"), "whitespace");
  refuse_with_field(p, (h2e_field)F("x-a", " "), "whitespace");
  accept_with_field(p, (h2e_field)F("x-a", "a b"));
  accept_with_field(p, (h2e_field)F("x-a", ""));
}

/* ---- §8.2.2 connection-specific fields ------------------------------------
 */

static void test_8_2_2_connection_specific_fields_are_malformed(void **state) {
  peer *p = server(state);
  refuse_with_field(p, (h2e_field)F("connection", "close"),
                    "connection-specific");
  refuse_with_field(p, (h2e_field)F("keep-alive", "timeout=5"),
                    "connection-specific");
  refuse_with_field(p, (h2e_field)F("proxy-connection", "keep-alive"),
                    "connection-specific");
  refuse_with_field(p, (h2e_field)F("transfer-encoding", "chunked"),
                    "connection-specific");
  refuse_with_field(p, (h2e_field)F("upgrade", "h2c"), "connection-specific");
}

static void
test_8_2_2_connection_specific_field_in_response_is_malformed(void **state) {
  peer *p = client_with(state, 0, 0);
  static const h2e_field response[] = {F(":status", "200"),
                                       F("transfer-encoding", "chunked")};
  refuse_response(p, response, 2, 0, "connection-specific");
}

static void test_8_2_2_te_other_than_trailers_is_malformed(void **state) {
  peer *p = server(state);
  refuse_with_field(p, (h2e_field)F("te", "gzip"), "te");
  refuse_with_field(p, (h2e_field)F("te", "trailers, gzip"), "te");
  accept_with_field(p, (h2e_field)F("te", "trailers"));
}

/* ---- §8.2.3 cookies -------------------------------------------------------
 */

static const h2e_field crumbs[] = {
    F(":method", "GET"), F(":scheme", "https"),
    F(":path", "/"),     F(":authority", "example.com"),
    F("cookie", "a=b"),  F("x-a", "1"),
    F("cookie", "c=d"),  F("cookie", "e=f")};

static void test_8_2_3_cookie_crumbs_are_joined_when_asked(void **state) {
  peer *p = server_with(state, H2E_HTTP_JOIN_COOKIES);
  static const h2e_field joined[] = {F(":method", "GET"),
                                     F(":scheme", "https"),
                                     F(":path", "/"),
                                     F(":authority", "example.com"),
                                     F("cookie", "a=b; c=d; e=f"),
                                     F("x-a", "1")};
  for (int round = 0; round < 3; round++) {
    uint32_t id = send_request(p, crumbs, PEER_COUNT(crumbs), PEER_END_STREAM);
    peer_expect_headers_event(p, id, H2E_HEADERS_REQUEST, 1, joined,
                              PEER_COUNT(joined));
    peer_expect_no_event(p);
    peer_finish_stream(p, id);
  }
  /* One cookie field stays as it is. */
  accept_with_field(p, (h2e_field)F("cookie", "a=b"));
  /* A padded crumb does not hide inside the joined value. */
  static const h2e_field padded[] = {F(":method", "GET"), F(":scheme", "https"),
                                     F(":path", "/"), F("cookie", "a=b "),
                                     F("cookie", "c=d")};
  refuse_request(p, padded, 5, "whitespace");
}

static void test_8_2_3_cookie_crumbs_stay_apart_by_default(void **state) {
  peer *p = server(state);
  accept_request(p, crumbs, PEER_COUNT(crumbs));
}

static void test_8_2_3_cookie_join_costs_its_room_up_front(void **state) {
  (void)state;
  h2e_config config = peer_config(H2E_SERVER);
  size_t plain = h2e_conn_memsize_max(&config);
  config.http_flags = H2E_HTTP_JOIN_COOKIES;
  assert_int_equal(h2e_conn_memsize_max(&config),
                   plain + config.max_header_list_size);
}

/* ---- §8.3 pseudo-header fields --------------------------------------------
 */

static void test_8_3_repeated_pseudo_header_fields_are_malformed(void **state) {
  peer *p = server(state);
  static const char *const names[] = {":method", ":scheme", ":path",
                                      ":authority"};
  static const char *const values[] = {"GET", "https", "/", "example.com"};
  for (size_t i = 0; i < 4; i++) {
    h2e_field fields[5];
    memcpy(fields, get_request, sizeof get_request);
    fields[4] = fields[i];
    fields[4].name = (const uint8_t *)names[i];
    fields[4].value = (const uint8_t *)values[i];
    refuse_request(p, fields, 5, "repeated pseudo-header");
  }
}

static void
test_8_3_pseudo_header_after_regular_field_is_malformed(void **state) {
  peer *p = server(state);
  static const h2e_field fields[] = {F(":method", "GET"), F(":scheme", "https"),
                                     F(":path", "/"), F("x-a", "1"),
                                     F(":authority", "example.com")};
  refuse_request(p, fields, 5, "after a regular field");
}

static void test_8_3_undefined_pseudo_header_is_malformed(void **state) {
  peer *p = server(state);
  static const h2e_field fields[] = {F(":method", "GET"), F(":scheme", "https"),
                                     F(":path", "/"), F(":foo", "bar")};
  refuse_request(p, fields, 4, "undefined pseudo-header");
  static const h2e_field lone_colon[] = {
      F(":method", "GET"), F(":scheme", "https"), F(":path", "/"), F(":", "x")};
  refuse_request(p, lone_colon, 4, "undefined pseudo-header");
}

static void test_8_3_status_in_request_is_malformed(void **state) {
  peer *p = server(state);
  static const h2e_field fields[] = {F(":method", "GET"), F(":scheme", "https"),
                                     F(":path", "/"), F(":status", "200")};
  refuse_request(p, fields, 4, "response pseudo-header field in a request");
}

/* ---- §8.3.1 request pseudo-header fields ----------------------------------
 */

static void test_8_3_1_missing_method_is_malformed(void **state) {
  peer *p = server(state);
  refuse_request(p, get_request + 1, 3, "without :method");
}

static void test_8_3_1_missing_scheme_or_path_is_malformed(void **state) {
  peer *p = server(state);
  static const h2e_field no_scheme[] = {F(":method", "GET"), F(":path", "/"),
                                        F(":authority", "example.com")};
  refuse_request(p, no_scheme, 3, "without :scheme or :path");
  static const h2e_field no_path[] = {F(":method", "GET"),
                                      F(":scheme", "https"),
                                      F(":authority", "example.com")};
  refuse_request(p, no_path, 3, "without :scheme or :path");
  /* :authority may be left out. */
  accept_request(p, get_request, 3);
}

static void test_8_3_1_path_rules(void **state) {
  peer *p = server(state);
  static const h2e_field empty[] = {F(":method", "GET"), F(":scheme", "https"),
                                    F(":path", "")};
  refuse_request(p, empty, 3, "empty :path");
  static const h2e_field relative[] = {
      F(":method", "GET"), F(":scheme", "https"), F(":path", "a/b")};
  refuse_request(p, relative, 3, "absolute path");
  static const h2e_field absolute_form[] = {F(":method", "GET"),
                                            F(":scheme", "http"),
                                            F(":path", "http://example.com/")};
  refuse_request(p, absolute_form, 3, "absolute path");
  static const h2e_field get_star[] = {F(":method", "GET"),
                                       F(":scheme", "https"), F(":path", "*")};
  refuse_request(p, get_star, 3, "'*' for OPTIONS");
  static const h2e_field options_star[] = {
      F(":method", "OPTIONS"), F(":scheme", "https"), F(":path", "*"),
      F(":authority", "example.com")};
  accept_request(p, options_star, 4);
  static const h2e_field query[] = {F(":method", "GET"), F(":scheme", "https"),
                                    F(":path", "/a?b=c")};
  accept_request(p, query, 3);
  /* Other schemes carry any non-empty path (§8.3.1 binds http(s)). */
  static const h2e_field urn[] = {F(":method", "GET"), F(":scheme", "urn"),
                                  F(":path", "isbn:0451450523")};
  accept_request(p, urn, 3);
}

static void test_8_3_1_userinfo_in_authority_is_malformed(void **state) {
  peer *p = server(state);
  static const h2e_field fields[] = {F(":method", "GET"), F(":scheme", "https"),
                                     F(":path", "/"),
                                     F(":authority", "user@example.com")};
  refuse_request(p, fields, 4, "userinfo");
}

static void test_8_3_1_method_must_be_a_token(void **state) {
  peer *p = server(state);
  static const h2e_field empty[] = {F(":method", ""), F(":scheme", "https"),
                                    F(":path", "/")};
  refuse_request(p, empty, 3, "not a token");
  static const h2e_field spaced[] = {F(":method", "G T"), F(":scheme", "https"),
                                     F(":path", "/")};
  refuse_request(p, spaced, 3, "not a token");
  static const h2e_field custom[] = {F(":method", "PROPFIND"),
                                     F(":scheme", "https"), F(":path", "/")};
  accept_request(p, custom, 3);
}

/* ---- §8.3.2 response pseudo-header fields ---------------------------------
 */

static void test_8_3_2_missing_status_is_malformed(void **state) {
  peer *p = client_with(state, 0, 0);
  static const h2e_field fields[] = {F("content-type", "text/plain")};
  refuse_response(p, fields, 1, PEER_END_STREAM, "without :status");
}

static void test_8_3_2_status_must_be_three_digits(void **state) {
  peer *p = client_with(state, 0, 0);
  static const char *const bad[] = {"20",  "2000", "2x0", "",
                                    "099", "600",  " 200"};
  for (size_t i = 0; i < PEER_COUNT(bad); i++) {
    h2e_field status = F(":status", "");
    status.value = (const uint8_t *)bad[i];
    status.value_len = (uint32_t)strlen(bad[i]);
    refuse_response(p, &status, 1, PEER_END_STREAM,
                    i + 1 == PEER_COUNT(bad) ? "whitespace" : "three-digit");
  }
}

static void
test_8_3_2_request_pseudo_header_in_response_is_malformed(void **state) {
  peer *p = client_with(state, 0, 0);
  static const h2e_field fields[] = {F(":status", "200"), F(":path", "/")};
  refuse_response(p, fields, 2, PEER_END_STREAM,
                  "request pseudo-header field in a response");
}

static void test_8_3_2_repeated_status_is_malformed(void **state) {
  peer *p = client_with(state, 0, 0);
  static const h2e_field fields[] = {F(":status", "200"), F(":status", "200")};
  refuse_response(p, fields, 2, PEER_END_STREAM, "repeated");
}

static void test_8_6_status_101_is_malformed(void **state) {
  peer *p = client_with(state, 0, 0);
  static const h2e_field fields[] = {F(":status", "101"), F("upgrade-x", "1")};
  refuse_response(p, fields, 2, 0, "101");
}

/* ---- §8.1 informational responses and trailers ----------------------------
 */

static void test_8_1_informational_with_end_stream_is_malformed(void **state) {
  peer *p = client_with(state, 0, 0);
  static const h2e_field early[] = {F(":status", "103")};
  refuse_response(p, early, 1, PEER_END_STREAM, "informational");
}

static void test_8_1_informational_then_final_response(void **state) {
  peer *p = client_with(state, 0, 0);
  uint32_t id = client_request(p, get_request, 4, 1);
  static const h2e_field early[] = {F(":status", "103"),
                                    F("link", "</a.css>; rel=preload")};
  peer_send_headers(p, id, 0, early, 2);
  peer_expect_headers_event(p, id, H2E_HEADERS_INFORMATIONAL, 0, early, 2);
  peer_send_response(p, id, "200", PEER_END_STREAM);
  peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, 1, status_200, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  peer_expect_no_event(p);
}

static void
test_8_1_pseudo_header_in_request_trailers_is_malformed(void **state) {
  peer *p = server(state);
  uint32_t id = send_request(p, get_request, 4, 0);
  peer_expect_headers_event(p, id, H2E_HEADERS_REQUEST, 0, get_request, 4);
  static const h2e_field trailers[] = {F(":method", "GET"), F("x-sum", "1")};
  peer_send_headers(p, id, PEER_END_STREAM, trailers, 2);
  /* The application knew the stream: it hears of the reset. */
  expect_malformed(p, id, 1, "trailers");
}

static void
test_8_1_pseudo_header_in_response_trailers_is_malformed(void **state) {
  peer *p = client_with(state, 0, 0);
  uint32_t id = client_request(p, get_request, 4, 1);
  peer_send_response(p, id, "200", 0);
  peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, 0, status_200, 1);
  peer_send_response(p, id, "200", PEER_END_STREAM);
  expect_malformed(p, id, 1, "trailers");
}

static void test_8_1_regular_trailers_are_delivered(void **state) {
  peer *p = server(state);
  uint32_t id = send_request(p, get_request, 4, 0);
  peer_expect_headers_event(p, id, H2E_HEADERS_REQUEST, 0, get_request, 4);
  static const h2e_field trailers[] = {F("x-sum", "1")};
  peer_send_headers(p, id, PEER_END_STREAM, trailers, 1);
  peer_expect_headers_event(p, id, H2E_HEADERS_TRAILERS, 1, trailers, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, id);
}

/* ---- §8.5 CONNECT, RFC 8441 extended CONNECT ------------------------------
 */

static const h2e_field connect[] = {F(":method", "CONNECT"),
                                    F(":authority", "example.com:443")};
static const h2e_field websocket[] = {
    F(":method", "CONNECT"), F(":protocol", "websocket"), F(":scheme", "https"),
    F(":path", "/chat"), F(":authority", "example.com")};

static void test_8_5_connect_carries_method_and_authority(void **state) {
  peer *p = server(state);
  accept_request(p, connect, 2);
  static const h2e_field with_path[] = {F(":method", "CONNECT"),
                                        F(":authority", "example.com:443"),
                                        F(":path", "/")};
  refuse_request(p, with_path, 3, "CONNECT with :scheme or :path");
  static const h2e_field with_scheme[] = {F(":method", "CONNECT"),
                                          F(":scheme", "https"),
                                          F(":authority", "example.com:443")};
  refuse_request(p, with_scheme, 3, "CONNECT with :scheme or :path");
  refuse_request(p, connect, 1, "CONNECT without :authority");
}

static void test_8441_extended_connect_needs_our_setting(void **state) {
  peer *p = server(state);
  refuse_request(p, websocket, PEER_COUNT(websocket),
                 "SETTINGS_ENABLE_CONNECT_PROTOCOL");
}

static void test_8441_extended_connect_accepted_once_enabled(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.enable_connect_protocol = 1;
  peer *p = peer_start(state, H2E_SERVER, &config);
  accept_request(p, websocket, PEER_COUNT(websocket));
  /* :scheme, :path and :authority are all needed. */
  h2e_field fields[5];
  memcpy(fields, websocket, sizeof websocket);
  fields[3] = fields[4];
  refuse_request(p, fields, 4, "without :scheme or :path");
  refuse_request(p, websocket, 4, "CONNECT without :authority");
  /* :protocol belongs to CONNECT. */
  memcpy(fields, websocket, sizeof websocket);
  fields[0].value = (const uint8_t *)"GET";
  fields[0].value_len = 3;
  refuse_request(p, fields, 5, ":protocol on a request other than CONNECT");
}

/* ---- §8.1.1 content-length ------------------------------------------------
 */

static const h2e_field post_5[] = {
    F(":method", "POST"), F(":scheme", "https"), F(":path", "/upload"),
    F(":authority", "example.com"), F("content-length", "5")};

/* One DATA event of len octets. */
#define expect_data(p, id, len, end_stream)                                    \
  expect_data_at(p, id, len, end_stream, __FILE__, __LINE__)
static void expect_data_at(peer *p, uint32_t id, size_t len, int end_stream,
                           const char *file, int line) {
  h2e_event ev = peer_expect_event_at(p, H2E_EV_DATA, id, file, line);
  _assert_int_equal(ev.u.data.len, len, file, line);
  _assert_int_equal(ev.u.data.end_stream, end_stream, file, line);
}

/* Server engine: the POST head is delivered; its stream id. */
static uint32_t open_post(peer *p, const h2e_field *fields, size_t count) {
  uint32_t id = send_request(p, fields, count, 0);
  peer_expect_headers_event(p, id, H2E_HEADERS_REQUEST, 0, fields, count);
  peer_expect_no_event(p);
  return id;
}

static void test_8_1_1_body_matching_content_length_is_delivered(void **state) {
  peer *p = server(state);
  uint32_t id = open_post(p, post_5, 5);
  peer_send_data(p, id, 0, "he", 2);
  expect_data(p, id, 2, 0);
  peer_send_data(p, id, PEER_END_STREAM, "llo", 3);
  expect_data(p, id, 3, 1);
  peer_expect_no_event(p);
  peer_finish_stream(p, id);
}

static void test_8_1_1_data_beyond_content_length_is_malformed(void **state) {
  peer *p = server(state);
  uint32_t id = open_post(p, post_5, 5);
  peer_send_data(p, id, 0, "hel", 3);
  expect_data(p, id, 3, 0);
  peer_send_data(p, id, 0, "lo!", 3);
  expect_malformed(p, id, 1, "beyond content-length");
}

static void test_8_1_1_stream_ending_short_is_malformed(void **state) {
  peer *p = server(state);
  uint32_t id = open_post(p, post_5, 5);
  peer_send_data(p, id, PEER_END_STREAM, "hell", 4);
  expect_malformed(p, id, 1, "short of content-length");
}

static void test_8_1_1_head_ending_stream_with_content_length(void **state) {
  peer *p = server(state);
  refuse_request(p, post_5, 5, "short of content-length");
  /* content-length: 0 with END_STREAM is fine. */
  h2e_field fields[5];
  memcpy(fields, post_5, sizeof post_5);
  fields[4].value = (const uint8_t *)"0";
  accept_request(p, fields, 5);
}

static void test_8_1_1_trailers_ending_short_is_malformed(void **state) {
  peer *p = server(state);
  uint32_t id = open_post(p, post_5, 5);
  peer_send_data(p, id, 0, "hell", 4);
  expect_data(p, id, 4, 0);
  static const h2e_field trailers[] = {F("x-sum", "1")};
  peer_send_headers(p, id, PEER_END_STREAM, trailers, 1);
  expect_malformed(p, id, 1, "short of content-length");
}

static void test_8_1_1_padding_does_not_count_as_content(void **state) {
  peer *p = server(state);
  uint32_t id = open_post(p, post_5, 5);
  peer_send_padded_data(p, id, PEER_END_STREAM, 5, 40);
  expect_data(p, id, 5, 1);
  peer_expect_no_event(p);
}

static void test_8_1_1_body_after_a_malformed_head_is_ignored(void **state) {
  peer *p = server(state);
  h2e_field fields[6];
  memcpy(fields, post_5, sizeof post_5);
  fields[5] = (h2e_field)F("Upper", "1");
  uint32_t id = send_request(p, fields, 6, 0);
  static const uint8_t protocol_error[4] = {0, 0, 0, H2E_PROTOCOL_ERROR};
  peer_expect_frame(p, H2E_FRAME_RST_STREAM, 0, id, protocol_error, 4);
  peer_expect_no_frame(p);
  /* The body in flight is discarded (RFC 9113 §5.4.2): no event, no
   * second RST_STREAM. */
  peer_send_data(p, id, PEER_END_STREAM, "hello", 5);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  peer_expect_alive(p);
}

static void test_8_1_1_content_length_must_be_digits(void **state) {
  peer *p = server(state);
  static const char *const bad[] = {"",   "1a",   "-1",
                                    "+5", "5, 5", "1234567890123456789"};
  for (size_t i = 0; i < PEER_COUNT(bad); i++) {
    h2e_field field = F("content-length", "");
    field.value = (const uint8_t *)bad[i];
    field.value_len = (uint32_t)strlen(bad[i]);
    refuse_with_field(p, field, "content-length");
  }
}

static void test_8_1_1_repeated_content_length_must_agree(void **state) {
  peer *p = server(state);
  h2e_field fields[6];
  memcpy(fields, post_5, sizeof post_5);
  fields[5] = fields[4];
  fields[5].value = (const uint8_t *)"6";
  refuse_request(p, fields, 6, "values differ");
  /* Equal values are one content-length (RFC 9110 §8.6). */
  fields[5].value = (const uint8_t *)"5";
  uint32_t id = open_post(p, fields, 6);
  peer_send_data(p, id, 0, "hello", 5);
  expect_data(p, id, 5, 0);
  peer_send_data(p, id, 0, "!", 1);
  expect_malformed(p, id, 1, "beyond content-length");
}

static void test_8_1_1_content_length_in_response(void **state) {
  peer *p = client_with(state, 0, 0);
  uint32_t id = client_request(p, get_request, 4, 1);
  static const h2e_field head[] = {F(":status", "200"),
                                   F("content-length", "3")};
  peer_send_headers(p, id, 0, head, 2);
  peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, 0, head, 2);
  peer_send_data(p, id, 0, "abcd", 4);
  expect_malformed(p, id, 1, "beyond content-length");
}

static void test_8_1_1_response_to_head_has_no_content(void **state) {
  peer *p = client_with(state, 0, 0);
  static const h2e_field head_request[] = {
      F(":method", "HEAD"), F(":scheme", "https"), F(":path", "/"),
      F(":authority", "example.com")};
  static const h2e_field head[] = {F(":status", "200"),
                                   F("content-length", "1000")};
  /* content-length describes the GET: no DATA, and END_STREAM is fine. */
  uint32_t id = client_request(p, head_request, 4, 1);
  peer_send_headers(p, id, PEER_END_STREAM, head, 2);
  peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, 1, head, 2);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  /* DATA with content is malformed; empty DATA is not. */
  id = client_request(p, head_request, 4, 1);
  peer_send_headers(p, id, 0, head, 2);
  peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, 0, head, 2);
  peer_send_data(p, id, 0, "", 0);
  peer_expect_no_event(p);
  peer_send_data(p, id, PEER_END_STREAM, "x", 1);
  expect_malformed(p, id, 1, "has none");
}

static void test_8_1_1_204_and_304_have_no_content(void **state) {
  peer *p = client_with(state, 0, 0);
  static const char *const statuses[] = {"204", "304"};
  for (size_t i = 0; i < 2; i++) {
    h2e_field status = F(":status", "204");
    status.value = (const uint8_t *)statuses[i];
    uint32_t id = client_request(p, get_request, 4, 1);
    peer_send_headers(p, id, 0, &status, 1);
    peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, 0, &status, 1);
    peer_send_data(p, id, PEER_END_STREAM, "x", 1);
    expect_malformed(p, id, 1, "has none");
  }
}

/* ---- §8.4 server push -----------------------------------------------------
 */

/* Client engine: the promise on a request's stream is declined with
 * PROTOCOL_ERROR on the promised stream (no event: the application never
 * heard of it); the request itself goes on. */
static void refuse_promise(void **state, const h2e_field *fields,
                           size_t count) {
  peer *p = client_with(state, 0, 1);
  uint32_t id = client_request(p, get_request, 4, 1);
  peer_send_push_promise(p, id, 2, fields, count);
  static const uint8_t protocol_error[4] = {0, 0, 0, H2E_PROTOCOL_ERROR};
  peer_expect_frame(p, H2E_FRAME_RST_STREAM, 0, 2, protocol_error, 4);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  assert_int_equal(h2e_stream_get_state(p->conn, 2), H2E_STATE_CLOSED);
  peer_send_response(p, id, "200", PEER_END_STREAM);
  peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, 1, status_200, 1);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  peer_expect_alive(p);
}

static void test_8_4_promise_of_unsafe_method_is_refused(void **state) {
  static const h2e_field post[] = {F(":method", "POST"), F(":scheme", "https"),
                                   F(":path", "/a"),
                                   F(":authority", "example.com")};
  refuse_promise(state, post, 4);
}

static void test_8_4_incomplete_promise_is_refused(void **state) {
  static const h2e_field no_path[] = {F(":method", "GET"),
                                      F(":scheme", "https"),
                                      F(":authority", "example.com")};
  refuse_promise(state, no_path, 3);
}

static void test_8_4_promise_with_content_is_refused(void **state) {
  static const h2e_field with_body[] = {
      F(":method", "GET"), F(":scheme", "https"), F(":path", "/a"),
      F(":authority", "example.com"), F("content-length", "10")};
  refuse_promise(state, with_body, 5);
}

static void test_8_4_promised_head_response_has_no_content(void **state) {
  peer *p = client_with(state, 0, 1);
  uint32_t id = client_request(p, get_request, 4, 1);
  static const h2e_field head_promise[] = {
      F(":method", "HEAD"), F(":scheme", "https"), F(":path", "/a"),
      F(":authority", "example.com")};
  peer_send_push_promise(p, id, 2, head_promise, 4);
  h2e_event ev = peer_expect_event(p, H2E_EV_PUSH_PROMISE, id);
  assert_int_equal(ev.u.push_promise.promised_stream_id, 2);
  peer_send_response(p, 2, "200", 0);
  peer_expect_headers_event(p, 2, H2E_HEADERS_RESPONSE, 0, status_200, 1);
  peer_send_data(p, 2, PEER_END_STREAM, "x", 1);
  expect_malformed(p, 2, 1, "has none");
}

/* ---- the knobs ------------------------------------------------------------
 */

static void test_knob_lenient_whitespace_accepts_padded_values(void **state) {
  peer *p = server_with(state, H2E_HTTP_LENIENT_WHITESPACE);
  accept_with_field(p, (h2e_field)F("x-a", " a\t"));
  /* CR, LF and NUL stay malformed. */
  refuse_with_field(p, (h2e_field)F("x-a", " a\r"), "NUL, CR or LF");
}

static void test_knob_lenient_names_accepts_uppercase(void **state) {
  peer *p = server_with(state, H2E_HTTP_LENIENT_NAMES);
  accept_with_field(p, (h2e_field)F("X-Custom(1)", "1"));
  /* Connection-specific fields are found whatever their case. */
  refuse_with_field(p, (h2e_field)F("Transfer-Encoding", "chunked"),
                    "connection-specific");
  refuse_with_field(p, (h2e_field)F("x:y", "1"), "non-token");
  refuse_with_field(p, (h2e_field)F("x y", "1"), "non-token");
}

static void test_knob_raw_mode_delivers_malformed_messages(void **state) {
  peer *p = server_with(state, H2E_HTTP_RAW);
  static const h2e_field odd[] = {F("X-First", " padded "), F(":method", "GET"),
                                  F(":method", "GET"),
                                  F("connection", "close")};
  accept_request(p, odd, 4);
  /* Content-length is not enforced either. */
  uint32_t id = open_post(p, post_5, 5);
  peer_send_data(p, id, PEER_END_STREAM, "hello world", 11);
  expect_data(p, id, 11, 1);
  peer_expect_no_event(p);
}

static void test_knob_raw_mode_client_takes_any_response(void **state) {
  peer *p = client_with(state, H2E_HTTP_RAW, 0);
  uint32_t id = client_request(p, get_request, 4, 1);
  static const h2e_field odd[] = {F(":status", "2000"), F(":path", "/")};
  peer_send_headers(p, id, PEER_END_STREAM, odd, 2);
  peer_expect_headers_event(p, id, H2E_HEADERS_RESPONSE, 1, odd, 2);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  peer_expect_no_event(p);
}

static void test_knob_unknown_http_flags_are_refused(void **state) {
  (void)state;
  h2e_config config = peer_config(H2E_SERVER);
  config.http_flags = 0x10;
  assert_null(h2e_conn_new(&config, NULL, 0));
  assert_int_equal(h2e_conn_memsize_max(&config), 0);
}

/* ---- the submit side ------------------------------------------------------
 */

static void test_submit_request_refuses_malformed_heads(void **state) {
  peer *p = client_with(state, 0, 0);
  static const h2e_field repeated[] = {F(":method", "GET"), F(":method", "GET"),
                                       F(":scheme", "https"), F(":path", "/")};
  static const h2e_field late[] = {F(":method", "GET"), F(":scheme", "https"),
                                   F("x-a", "1"), F(":path", "/")};
  static const h2e_field no_path[] = {F(":method", "GET"),
                                      F(":scheme", "https")};
  static const h2e_field status[] = {F(":status", "200")};
  static const h2e_field upper[] = {F(":method", "GET"), F(":scheme", "https"),
                                    F(":path", "/"), F("X-A", "1")};
  assert_int_equal(h2e_submit_request(p->conn, repeated, 4, H2E_END_STREAM),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_request(p->conn, late, 4, H2E_END_STREAM),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_request(p->conn, no_path, 2, H2E_END_STREAM),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_request(p->conn, status, 1, H2E_END_STREAM),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_request(p->conn, upper, 4, H2E_END_STREAM),
                   H2E_ERR_INVALID_ARG);
  /* Extended CONNECT only once the server allowed it (RFC 8441 §4). */
  assert_int_equal(h2e_submit_request(p->conn, websocket, 5, 0),
                   H2E_ERR_CONNECT_PROTOCOL_DISABLED);
  /* Nothing went out, no stream was used. */
  peer_expect_no_frame(p);
  peer_expect_alive(p);
  peer_send_setting(p, H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  int32_t id = h2e_submit_request(p->conn, websocket, 5, 0);
  assert_int_equal(id, 3);
  peer_expect_headers(p, 3, 0, websocket, 5);
}

static void test_submit_headers_refuses_malformed_blocks(void **state) {
  peer *p = server(state);
  uint32_t id = send_request(p, get_request, 4, 0);
  peer_expect_headers_event(p, id, H2E_HEADERS_REQUEST, 0, get_request, 4);
  static const h2e_field path[] = {F(":status", "200"), F(":path", "/")};
  static const h2e_field no_status[] = {F("x-a", "1")};
  static const h2e_field bad_status[] = {F(":status", "20")};
  static const h2e_field early[] = {F(":status", "103")};
  static const h2e_field chunked[] = {F(":status", "200"),
                                      F("transfer-encoding", "chunked")};
  assert_int_equal(h2e_submit_headers(p->conn, id, path, 2, 0),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_headers(p->conn, id, no_status, 1, 0),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_headers(p->conn, id, bad_status, 1, 0),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_headers(p->conn, id, early, 1, H2E_END_STREAM),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_headers(p->conn, id, chunked, 2, 0),
                   H2E_ERR_INVALID_ARG);
  peer_expect_no_frame(p);
  assert_int_equal(h2e_submit_headers(p->conn, id, early, 1, 0), H2E_OK);
  peer_expect_headers(p, id, 0, early, 1);
  assert_int_equal(h2e_submit_headers(p->conn, id, status_200, 1, 0), H2E_OK);
  peer_expect_headers(p, id, 0, status_200, 1);
  /* Trailers carry no pseudo-header field. */
  assert_int_equal(
      h2e_submit_headers(p->conn, id, status_200, 1, H2E_END_STREAM),
      H2E_ERR_INVALID_ARG);
  static const h2e_field trailers[] = {F("x-sum", "1")};
  assert_int_equal(h2e_submit_headers(p->conn, id, trailers, 1, H2E_END_STREAM),
                   H2E_OK);
  peer_expect_headers(p, id, 1, trailers, 1);
  peer_expect_no_frame(p);
}

static void test_submit_raw_mode_sends_what_it_is_given(void **state) {
  peer *p = client_with(state, H2E_HTTP_RAW, 0);
  static const h2e_field odd[] = {F("x-a", "1"), F(":method", "GET")};
  int32_t id = h2e_submit_request(p->conn, odd, 2, H2E_END_STREAM);
  assert_int_equal(id, 1);
  peer_expect_headers(p, 1, 1, odd, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_8_2_1_uppercase_field_name_is_malformed),
      PEER_TEST(test_8_2_1_uppercase_name_in_response_is_malformed),
      PEER_TEST(test_8_2_1_non_token_field_names_are_malformed),
      PEER_TEST(test_8_2_1_empty_field_name_is_malformed),
      PEER_TEST(test_8_2_1_nul_cr_lf_in_values_are_malformed),
      PEER_TEST(test_8_2_1_whitespace_at_value_ends_is_malformed),
      PEER_TEST(test_8_2_2_connection_specific_fields_are_malformed),
      PEER_TEST(test_8_2_2_connection_specific_field_in_response_is_malformed),
      PEER_TEST(test_8_2_2_te_other_than_trailers_is_malformed),
      PEER_TEST(test_8_2_3_cookie_crumbs_are_joined_when_asked),
      PEER_TEST(test_8_2_3_cookie_crumbs_stay_apart_by_default),
      cmocka_unit_test(test_8_2_3_cookie_join_costs_its_room_up_front),
      PEER_TEST(test_8_3_repeated_pseudo_header_fields_are_malformed),
      PEER_TEST(test_8_3_pseudo_header_after_regular_field_is_malformed),
      PEER_TEST(test_8_3_undefined_pseudo_header_is_malformed),
      PEER_TEST(test_8_3_status_in_request_is_malformed),
      PEER_TEST(test_8_3_1_missing_method_is_malformed),
      PEER_TEST(test_8_3_1_missing_scheme_or_path_is_malformed),
      PEER_TEST(test_8_3_1_path_rules),
      PEER_TEST(test_8_3_1_userinfo_in_authority_is_malformed),
      PEER_TEST(test_8_3_1_method_must_be_a_token),
      PEER_TEST(test_8_3_2_missing_status_is_malformed),
      PEER_TEST(test_8_3_2_status_must_be_three_digits),
      PEER_TEST(test_8_3_2_request_pseudo_header_in_response_is_malformed),
      PEER_TEST(test_8_3_2_repeated_status_is_malformed),
      PEER_TEST(test_8_6_status_101_is_malformed),
      PEER_TEST(test_8_1_informational_with_end_stream_is_malformed),
      PEER_TEST(test_8_1_informational_then_final_response),
      PEER_TEST(test_8_1_pseudo_header_in_request_trailers_is_malformed),
      PEER_TEST(test_8_1_pseudo_header_in_response_trailers_is_malformed),
      PEER_TEST(test_8_1_regular_trailers_are_delivered),
      PEER_TEST(test_8_5_connect_carries_method_and_authority),
      PEER_TEST(test_8441_extended_connect_needs_our_setting),
      PEER_TEST(test_8441_extended_connect_accepted_once_enabled),
      PEER_TEST(test_8_1_1_body_matching_content_length_is_delivered),
      PEER_TEST(test_8_1_1_data_beyond_content_length_is_malformed),
      PEER_TEST(test_8_1_1_stream_ending_short_is_malformed),
      PEER_TEST(test_8_1_1_head_ending_stream_with_content_length),
      PEER_TEST(test_8_1_1_trailers_ending_short_is_malformed),
      PEER_TEST(test_8_1_1_padding_does_not_count_as_content),
      PEER_TEST(test_8_1_1_body_after_a_malformed_head_is_ignored),
      PEER_TEST(test_8_1_1_content_length_must_be_digits),
      PEER_TEST(test_8_1_1_repeated_content_length_must_agree),
      PEER_TEST(test_8_1_1_content_length_in_response),
      PEER_TEST(test_8_1_1_response_to_head_has_no_content),
      PEER_TEST(test_8_1_1_204_and_304_have_no_content),
      PEER_TEST(test_8_4_promise_of_unsafe_method_is_refused),
      PEER_TEST(test_8_4_incomplete_promise_is_refused),
      PEER_TEST(test_8_4_promise_with_content_is_refused),
      PEER_TEST(test_8_4_promised_head_response_has_no_content),
      PEER_TEST(test_knob_lenient_whitespace_accepts_padded_values),
      PEER_TEST(test_knob_lenient_names_accepts_uppercase),
      PEER_TEST(test_knob_raw_mode_delivers_malformed_messages),
      PEER_TEST(test_knob_raw_mode_client_takes_any_response),
      cmocka_unit_test(test_knob_unknown_http_flags_are_refused),
      PEER_TEST(test_submit_request_refuses_malformed_heads),
      PEER_TEST(test_submit_headers_refuses_malformed_blocks),
      PEER_TEST(test_submit_raw_mode_sends_what_it_is_given),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
