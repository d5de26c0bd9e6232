/* Regressions found by the connection fuzz targets (fuzz/conn_server.c,
 * fuzz/conn_client.c): each test is the smallest exchange that showed the
 * bug, named after the rule it broke. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const uint8_t opaque[8] = {1, 2, 3, 4, 5, 6, 7, 8};

/* ---- input ----------------------------------------------------------------
 */

/* h2e.h allows in == NULL with len == 0; once the preface was read, the
 * engine computed NULL + 0, which is undefined behaviour (UBSan aborts). */
static void test_recv_of_nothing_through_a_null_pointer(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  assert_int_equal(h2e_conn_recv(p->conn, NULL, 0, p->now_ms), 0);
  peer_expect_no_frame(p);
  peer_expect_alive(p);
}

/* ---- §5.1 closed streams ----------------------------------------------------
 */

/* RFC 9113 §5.1: after sending RST_STREAM, an endpoint MUST ignore frames
 * it receives on that stream. A frame-level stream error (here §6.9: a
 * WINDOW_UPDATE increment of 0) on a stream the engine had reset drew a
 * second RST_STREAM, and one more per bad frame (a reset flood the peer
 * controls, CVE-2019-9514). */
static void
test_5_1_no_second_rst_stream_for_bad_frames_after_ours(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_window_update(p, 1, 0);
  peer_expect_rst_stream(p, 1, H2E_PROTOCOL_ERROR);
  peer_expect_reset_event(p, 1, H2E_PROTOCOL_ERROR, 0);
  peer_send_window_update(p, 1, 0);
  peer_send_window_update(p, 1, 0);
  peer_expect_no_frame(p);
  peer_expect_no_event(p);
  peer_expect_alive(p);
}

/* The same after the peer's own RST_STREAM: one RST_STREAM(STREAM_CLOSED)
 * answers its first late frame (§5.1), none the ones after. */
static void
test_5_1_one_rst_stream_for_late_frames_after_the_peers(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_rst_stream(p, 1, H2E_CANCEL);
  peer_expect_reset_event(p, 1, H2E_CANCEL, 1);
  peer_send_window_update(p, 1, 0);
  peer_send_window_update(p, 1, 0);
  peer_send_window_update(p, 1, 0);
  int rst_streams = 0;
  while (peer_next_frame_type(p) == H2E_FRAME_RST_STREAM) {
    h2e_frame frame;
    peer_next_frame(p, &frame);
    rst_streams++;
  }
  assert_true(rst_streams <= 1);
  peer_expect_no_frame(p);
  peer_expect_alive(p);
}

/* ---- §5.4.1 connection errors
 * ------------------------------------------------ */

/* RFC 9113 §5.4.1: after the GOAWAY for a connection error the endpoint
 * closes the connection. Credit the application returned afterwards made
 * the engine write a WINDOW_UPDATE behind that GOAWAY. */
static void test_5_4_1_nothing_follows_the_goaway_of_an_error(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  peer_send_data_frames(p, 1, 0, 40000, 16384);
  assert_int_equal(peer_skip_events(p, H2E_EV_DATA), 3);
  peer_send_frame(p, H2E_FRAME_PING, 0, 1, opaque, 8); /* §6.7 */
  peer_expect_conn_error(p, H2E_PROTOCOL_ERROR, 1);
  h2e_consume(p->conn, 1, 40000);
  peer_expect_no_frame(p);
}

/* ---- §6.5.3 SETTINGS
 * ----------------------------------------------------------- */

/* RFC 9113 §6.5.3: once the ACK arrives, the peer relies on its new
 * values; §5.1.2: a HEADERS beyond its MAX_CONCURRENT_STREAMS is refused.
 * A request encoded before the peer's SETTINGS lowered the limit to 0 went
 * out after the ACK of those SETTINGS, so the peer saw its acknowledged
 * limit broken. */
static void
test_6_5_3_ack_follows_a_stream_opened_under_the_old_limit(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  int32_t id = h2e_submit_request(p->conn, peer_request_fields,
                                  PEER_REQUEST_FIELD_COUNT, H2E_END_STREAM);
  assert_int_equal(id, 1);
  peer_send_setting(p, H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 0);
  peer_expect_request_headers(p, 1, 1);
  peer_expect_settings_ack(p);
}

/* ---- §6.8 GOAWAY ------------------------------------------------------------
 */

/* RFC 9113 §6.8: endpoints MUST NOT increase the last stream id they
 * send. After a graceful shutdown's final GOAWAY(1), a stream the peer
 * opened anyway (and that was ignored) still raised the last stream id
 * of the GOAWAY an error then sent. */
static void test_6_8_goaway_last_stream_id_never_grows(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_open_stream(p, 1, 0);
  assert_int_equal(h2e_submit_goaway(p->conn, H2E_NO_ERROR, NULL, p->now_ms),
                   H2E_OK);
  peer_expect_goaway(p, 0x7fffffffu, H2E_NO_ERROR);
  h2e_frame ping;
  assert_int_equal(peer_next_frame(p, &ping), 1);
  assert_int_equal(ping.hd.type, H2E_FRAME_PING);
  uint8_t ping_data[8];
  memcpy(ping_data, ping.u.ping.opaque_data, 8);
  peer_send_ping(p, H2E_FLAG_ACK, ping_data);
  peer_expect_goaway(p, 1, H2E_NO_ERROR);
  peer_send_request(p, 3, PEER_END_STREAM); /* above the last id: ignored */
  assert_int_equal(
      h2e_submit_goaway(p->conn, H2E_INTERNAL_ERROR, "bye", p->now_ms), H2E_OK);
  h2e_frame frame;
  while (peer_next_frame(p, &frame) == 1 && frame.hd.type != H2E_FRAME_GOAWAY)
    ;
  assert_int_equal(frame.hd.type, H2E_FRAME_GOAWAY);
  assert_true(frame.u.goaway.last_stream_id <= 1);
}

/* ---- output -----------------------------------------------------------------
 */

/* h2e.h: "Calling it [h2e_conn_output] again without output_done gives
 * the same bytes." With a body of several frames and room for a few vecs
 * only, the second call staged one more DATA frame header. */
static void test_output_again_without_done_gives_the_same_vecs(void **state) {
  (void)state;
  static uint8_t body[65535];
  for (size_t max = 2; max <= 16; max++) {
    void *local = NULL;
    peer *p = peer_start(&local, H2E_SERVER, NULL);
    peer_open_stream(p, 1, PEER_END_STREAM);
    peer_submit_status(p, 1, "200", 0);
    assert_int_equal(
        h2e_submit_data(p->conn, 1, body, sizeof body, H2E_END_STREAM, 1),
        H2E_OK);
    h2e_output_vec first[16], again[16];
    size_t n = h2e_conn_output(p->conn, first, max);
    size_t n2 = h2e_conn_output(p->conn, again, max);
    int same = n2 == n;
    for (size_t i = 0; same && i < n; i++)
      same = again[i].base == first[i].base && again[i].len == first[i].len;
    peer_teardown(&local);
    assert_true(same);
  }
}

/* ---- timers ---------------------------------------------------------------
 */

/* With every PING slot taken by the application's pings, the keepalive
 * PING could not go out and its deadline stayed in the past: an event
 * loop that sleeps until h2e_conn_deadline would spin. */
static void test_keepalive_deadline_moves_on_when_no_ping_can_go(void **state) {
  h2e_config config = peer_config(H2E_SERVER);
  config.keepalive_ms = 50;
  peer *p = peer_start(state, H2E_SERVER, &config);
  for (uint8_t i = 0;; i++) {
    uint8_t data[8] = {i};
    if (h2e_submit_ping(p->conn, data, p->now_ms) != H2E_OK)
      break;
  }
  peer_drain(p);
  peer_tick(p, 60);
  assert_true(h2e_conn_deadline(p->conn) > p->now_ms);
}

/* ---- allocation failure -----------------------------------------------------
 */

/* An allocator that refuses one allocation and checks that every free
 * gets the size that was asked for (h2e_base.h). */
typedef struct refusing {
  size_t count;
  size_t refuse; /* 1-based index of the allocation to refuse */
  size_t live;
  int bad_free;
} refusing;

static void *refusing_alloc(void *ctx, size_t size) {
  refusing *r = ctx;
  if (++r->count == r->refuse)
    return NULL;
  size_t *block = malloc(sizeof(size_t) * 2 + size);
  if (block == NULL)
    return NULL;
  block[0] = size;
  r->live++;
  return block + 2;
}

static void refusing_free(void *ctx, void *ptr, size_t size) {
  refusing *r = ctx;
  if (ptr == NULL)
    return;
  size_t *block = (size_t *)ptr - 2;
  if (block[0] != size)
    r->bad_free = 1;
  r->live--;
  free(block);
}

/* h2e_conn_new failing at any of its allocations gives back what it took,
 * each block with its own size: the stream table freed its buckets with
 * the size of a table it had not finished setting up. */
static void test_conn_new_fails_cleanly_at_every_allocation(void **state) {
  (void)state;
  h2e_role roles[2] = {H2E_SERVER, H2E_CLIENT};
  for (int i = 0; i < 2; i++) {
    h2e_config config;
    h2e_config_init(&config, roles[i]);
    config.connection_window = 1 << 20;
    for (size_t refuse = 1;; refuse++) {
      refusing r = {0, refuse, 0, 0};
      h2e_allocator allocator = {refusing_alloc, refusing_free, &r};
      h2e_conn *conn = h2e_conn_new(&config, &allocator, 0);
      h2e_conn_free(conn);
      assert_false(r.bad_free);
      assert_int_equal(r.live, 0);
      if (conn != NULL && r.count < refuse)
        break; /* created without meeting the refusal: all paths done */
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_5_1_no_second_rst_stream_for_bad_frames_after_ours),
      PEER_TEST(test_5_1_one_rst_stream_for_late_frames_after_the_peers),
      PEER_TEST(test_5_4_1_nothing_follows_the_goaway_of_an_error),
      PEER_TEST(test_6_5_3_ack_follows_a_stream_opened_under_the_old_limit),
      PEER_TEST(test_6_8_goaway_last_stream_id_never_grows),
      cmocka_unit_test(test_output_again_without_done_gives_the_same_vecs),
      PEER_TEST(test_keepalive_deadline_moves_on_when_no_ping_can_go),
      cmocka_unit_test(test_conn_new_fails_cleanly_at_every_allocation),
      /* last: under UBSan its failure ends the program */
      PEER_TEST(test_recv_of_nothing_through_a_null_pointer),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
