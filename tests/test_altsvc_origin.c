/* ALTSVC (RFC 7838 §4) and ORIGIN (RFC 8336 §2): what a server submits
 * goes out exactly; what a client receives becomes events; what breaks
 * the frames' rules, or reaches a server, is ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conn_pair.h"
#include "peer.h"

static const char alt_value[] = "h3=\":443\"; ma=3600";
#define ALT_LEN (sizeof alt_value - 1)

/* ---- server: submitting ----------------------------------------------------
 */

static void test_7838_4_altsvc_on_stream_0_names_the_origin(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  assert_int_equal(h2e_submit_altsvc(p->conn, 0, "https://example.com", 19,
                                     alt_value, ALT_LEN),
                   H2E_OK);
  uint8_t want[2 + 19 + ALT_LEN];
  want[0] = 0;
  want[1] = 19;
  memcpy(want + 2, "https://example.com", 19);
  memcpy(want + 21, alt_value, ALT_LEN);
  peer_expect_frame(p, H2E_FRAME_ALTSVC, 0, 0, want, sizeof want);
  peer_expect_no_frame(p);
  peer_expect_alive(p);
}

static void test_7838_4_altsvc_on_a_stream_follows_its_headers(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  peer_submit_status(p, 1, "200", 0);
  assert_int_equal(h2e_submit_altsvc(p->conn, 1, NULL, 0, alt_value, ALT_LEN),
                   H2E_OK);
  static const h2e_field status[1] = {PEER_FIELD(":status", "200")};
  peer_expect_headers(p, 1, 0, status, 1);
  uint8_t want[2 + ALT_LEN] = {0, 0};
  memcpy(want + 2, alt_value, ALT_LEN);
  peer_expect_frame(p, H2E_FRAME_ALTSVC, 0, 1, want, sizeof want);
  peer_expect_no_frame(p);
}

static void test_7838_4_altsvc_submit_rules(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 1);
  /* stream 0 needs an origin; a stream must not have one */
  assert_int_equal(h2e_submit_altsvc(p->conn, 0, NULL, 0, alt_value, ALT_LEN),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_altsvc(p->conn, 1, "https://example.com", 19,
                                     alt_value, ALT_LEN),
                   H2E_ERR_INVALID_ARG);
  /* an idle stream */
  assert_int_equal(h2e_submit_altsvc(p->conn, 3, NULL, 0, alt_value, ALT_LEN),
                   H2E_ERR_STREAM_CLOSED);
  /* beyond the client's SETTINGS_MAX_FRAME_SIZE (16384) */
  static char big[16384];
  memset(big, 'a', sizeof big);
  assert_int_equal(h2e_submit_altsvc(p->conn, 1, NULL, 0, big, 16382), H2E_OK);
  assert_int_equal(h2e_submit_altsvc(p->conn, 1, NULL, 0, big, 16383),
                   H2E_ERR_BUFFER_TOO_SMALL);
  h2e_frame f;
  assert_int_equal(peer_next_frame(p, &f), 1);
  assert_int_equal(f.hd.type, H2E_FRAME_ALTSVC);
  assert_int_equal(f.hd.length, 16384);
  peer_expect_no_frame(p);
}

static void test_8336_2_origin_lists_the_origins(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static const h2e_origin_entry origins[2] = {{"https://example.com", 19},
                                              {"https://a.example", 17}};
  assert_int_equal(h2e_submit_origin(p->conn, origins, 2), H2E_OK);
  uint8_t want[2 + 19 + 2 + 17] = {0, 19};
  memcpy(want + 2, "https://example.com", 19);
  want[21] = 0;
  want[22] = 17;
  memcpy(want + 23, "https://a.example", 17);
  peer_expect_frame(p, H2E_FRAME_ORIGIN, 0, 0, want, sizeof want);
  /* An empty list is a valid ORIGIN frame. */
  assert_int_equal(h2e_submit_origin(p->conn, NULL, 0), H2E_OK);
  peer_expect_frame(p, H2E_FRAME_ORIGIN, 0, 0, NULL, 0);
  peer_expect_no_frame(p);
  peer_expect_alive(p);
}

static void test_8336_2_origin_too_large_for_a_frame(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  static char big[10000];
  memset(big, 'a', sizeof big);
  h2e_origin_entry two[2] = {{big, 8190}, {big, 8190}}; /* 16384 */
  assert_int_equal(h2e_submit_origin(p->conn, two, 2), H2E_OK);
  two[1].origin_len = 8191;
  assert_int_equal(h2e_submit_origin(p->conn, two, 2),
                   H2E_ERR_BUFFER_TOO_SMALL);
  h2e_frame f;
  assert_int_equal(peer_next_frame(p, &f), 1);
  assert_int_equal(f.hd.type, H2E_FRAME_ORIGIN);
  assert_int_equal(f.hd.length, 16384);
  peer_expect_no_frame(p);
}

static void test_7838_8336_only_servers_send_them(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  static const h2e_origin_entry origin = {"https://example.com", 19};
  assert_int_equal(h2e_submit_altsvc(p->conn, 0, "https://example.com", 19,
                                     alt_value, ALT_LEN),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_submit_origin(p->conn, &origin, 1), H2E_ERR_INVALID_ARG);
  peer_expect_no_frame(p);
}

/* ---- client: receiving -----------------------------------------------------
 */

static size_t altsvc_payload(uint8_t *out, const char *origin) {
  size_t origin_len = strlen(origin);
  out[0] = (uint8_t)(origin_len >> 8);
  out[1] = (uint8_t)origin_len;
  memcpy(out + 2, origin, origin_len);
  memcpy(out + 2 + origin_len, alt_value, ALT_LEN);
  return 2 + origin_len + ALT_LEN;
}

static void test_7838_4_client_reports_altsvc(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  uint8_t payload[64];
  size_t len = altsvc_payload(payload, "https://example.com");
  peer_send_frame(p, H2E_FRAME_ALTSVC, 0, 0, payload, len);
  h2e_event ev = peer_expect_event(p, H2E_EV_ALTSVC, 0);
  assert_int_equal(ev.u.altsvc.origin_len, 19);
  assert_memory_equal(ev.u.altsvc.origin, "https://example.com", 19);
  assert_int_equal(ev.u.altsvc.field_value_len, ALT_LEN);
  assert_memory_equal(ev.u.altsvc.field_value, alt_value, ALT_LEN);
  /* On a request stream, with the origin implied. */
  uint32_t id = peer_submit_request(p, H2E_END_STREAM);
  peer_expect_request_headers(p, id, 1);
  len = altsvc_payload(payload, "");
  peer_send_frame(p, H2E_FRAME_ALTSVC, 0, id, payload, len);
  ev = peer_expect_event(p, H2E_EV_ALTSVC, id);
  assert_int_equal(ev.u.altsvc.origin_len, 0);
  assert_int_equal(ev.u.altsvc.field_value_len, ALT_LEN);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void test_7838_4_client_ignores_invalid_altsvc(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  uint8_t payload[64];
  /* stream 0 without an origin; a stream with one; too short */
  size_t len = altsvc_payload(payload, "");
  peer_send_frame(p, H2E_FRAME_ALTSVC, 0, 0, payload, len);
  uint32_t id = peer_submit_request(p, H2E_END_STREAM);
  peer_expect_request_headers(p, id, 1);
  len = altsvc_payload(payload, "https://example.com");
  peer_send_frame(p, H2E_FRAME_ALTSVC, 0, id, payload, len);
  peer_send_frame(p, H2E_FRAME_ALTSVC, 0, 0, payload, 1);
  static const uint8_t overlong[4] = {0, 9, 'a', 'b'};
  peer_send_frame(p, H2E_FRAME_ALTSVC, 0, 0, overlong, 4);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  peer_send_response(p, id, "200", PEER_END_STREAM);
  peer_skip_events(p, H2E_EV_HEADERS);
  peer_expect_event(p, H2E_EV_STREAM_CLOSED, id);
  peer_expect_alive(p);
}

static void test_8336_2_client_reports_origin(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  uint8_t payload[40] = {0, 19};
  memcpy(payload + 2, "https://example.com", 19);
  payload[21] = 0;
  payload[22] = 17;
  memcpy(payload + 23, "https://a.example", 17);
  peer_send_frame(p, H2E_FRAME_ORIGIN, 0, 0, payload, sizeof payload);
  h2e_event ev = peer_expect_event(p, H2E_EV_ORIGIN, 0);
  size_t pos = 0;
  const uint8_t *origin;
  size_t origin_len;
  assert_int_equal(h2e_origin_next(ev.u.origin.entries, ev.u.origin.entries_len,
                                   &pos, &origin, &origin_len),
                   1);
  assert_int_equal(origin_len, 19);
  assert_memory_equal(origin, "https://example.com", 19);
  assert_int_equal(h2e_origin_next(ev.u.origin.entries, ev.u.origin.entries_len,
                                   &pos, &origin, &origin_len),
                   1);
  assert_memory_equal(origin, "https://a.example", 17);
  assert_int_equal(h2e_origin_next(ev.u.origin.entries, ev.u.origin.entries_len,
                                   &pos, &origin, &origin_len),
                   0);
  /* RFC 8336 §2.1: on a stream, or with a cut entry, it is ignored. */
  uint32_t id = peer_submit_request(p, H2E_END_STREAM);
  peer_expect_request_headers(p, id, 1);
  peer_send_frame(p, H2E_FRAME_ORIGIN, 0, id, payload, sizeof payload);
  peer_send_frame(p, H2E_FRAME_ORIGIN, 0, 0, payload, sizeof payload - 1);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
}

static void test_7838_8336_server_ignores_altsvc_and_origin(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  uint8_t payload[64];
  size_t len = altsvc_payload(payload, "https://example.com");
  peer_send_frame(p, H2E_FRAME_ALTSVC, 0, 0, payload, len);
  static const uint8_t origin[4] = {0, 2, 'a', 'b'};
  peer_send_frame(p, H2E_FRAME_ORIGIN, 0, 0, origin, sizeof origin);
  peer_expect_no_event(p);
  peer_expect_no_frame(p);
  peer_expect_alive(p);
}

/* ---- both engines ----------------------------------------------------------
 */

static void test_7838_8336_end_to_end(void **state) {
  (void)state;
  pair *p = pair_new(NULL, NULL);
  pair_pump(p);
  static const h2e_origin_entry origin = {"https://example.com", 19};
  assert_int_equal(h2e_submit_origin(p->server.conn, &origin, 1), H2E_OK);
  assert_int_equal(h2e_submit_altsvc(p->server.conn, 0, "https://example.com",
                                     19, alt_value, ALT_LEN),
                   H2E_OK);
  pair_pump(p);
  assert_int_equal(pair_count(&p->client, H2E_EV_ORIGIN, 0), 1);
  assert_int_equal(pair_count(&p->client, H2E_EV_ALTSVC, 0), 1);
  /* ORIGIN was submitted first and arrives first. */
  const pair_event *o = pair_find(&p->client, H2E_EV_ORIGIN, 0, 0);
  const pair_event *a = pair_find(&p->client, H2E_EV_ALTSVC, 0, 0);
  assert_true(o < a);
  assert_int_equal(pair_count(&p->client, H2E_EV_CONN_ERROR, 0), 0);
  pair_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_7838_4_altsvc_on_stream_0_names_the_origin),
      PEER_TEST(test_7838_4_altsvc_on_a_stream_follows_its_headers),
      PEER_TEST(test_7838_4_altsvc_submit_rules),
      PEER_TEST(test_8336_2_origin_lists_the_origins),
      PEER_TEST(test_8336_2_origin_too_large_for_a_frame),
      PEER_TEST(test_7838_8336_only_servers_send_them),
      PEER_TEST(test_7838_4_client_reports_altsvc),
      PEER_TEST(test_7838_4_client_ignores_invalid_altsvc),
      PEER_TEST(test_8336_2_client_reports_origin),
      PEER_TEST(test_7838_8336_server_ignores_altsvc_and_origin),
      cmocka_unit_test(test_7838_8336_end_to_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
