/* Attacks through control frames and flow control: the ping flood
 * (CVE-2019-9512), the settings flood (CVE-2019-9515), the resource loop
 * (CVE-2019-9513), the empty frames flood (CVE-2019-9518), data dribble
 * and internal buffering (CVE-2019-9511, CVE-2019-9517), and stream id and
 * window overflows (RFC 9113 §5.1.1, §6.9.1). */
#include "attack.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* Floods one control frame while never reading: the engine queues at most
 * max_queued_control answers, then stops taking input; memory does not
 * move. Returns the frames taken. */
static size_t flood_without_reading(attack *a, uint8_t type,
                                    const uint8_t *payload, size_t len) {
  a->reads_output = 0;
  size_t baseline = a->memory.peak;
  size_t taken = 0;
  for (int i = 0; i < 100000; i++) {
    if (attack_frame(a, type, 0, 0, payload, len) < H2E_FRAME_HEADER_LEN + len)
      break;
    taken++;
  }
  assert_int_equal(a->memory.peak, baseline);
  assert_true(taken <= a->config.max_queued_control);
  assert_true(a->accepted < a->offered);
  assert_false(a->goaway_seen);
  return taken;
}

static void test_ping_flood_without_reading_is_bounded(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  static const uint8_t opaque[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  size_t taken = flood_without_reading(a, H2E_FRAME_PING, opaque, 8);
  attack_drain(a);
  printf("ping flood: %zu PINGs taken before the engine pushed back, %zu "
         "ACKs out\n",
         taken, a->frames_by_type[H2E_FRAME_PING]);
  assert_int_equal(a->frames_by_type[H2E_FRAME_PING], taken);
  attack_free(a);
}

static void test_settings_flood_without_reading_is_bounded(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  static const uint8_t push_off[6] = {0, 2, 0, 0, 0, 0};
  size_t taken = flood_without_reading(a, H2E_FRAME_SETTINGS, push_off, 6);
  attack_drain(a);
  printf("settings flood: %zu SETTINGS taken before the engine pushed back\n",
         taken);
  assert_int_equal(a->frames_by_type[H2E_FRAME_SETTINGS], taken);
  attack_free(a);
}

/* Floods a frame while reading every answer: the budget runs out and the
 * connection ends with ENHANCE_YOUR_CALM. Returns the frames sent. */
static size_t flood_until_calm(attack *a, uint8_t type, const uint8_t *payload,
                               size_t len) {
  size_t frames = 0;
  while (frames < 100000 && !a->goaway_seen) {
    attack_frame(a, type, 0, 0, payload, len);
    frames++;
  }
  assert_true(attack_goaway_with(a, H2E_ENHANCE_YOUR_CALM));
  assert_true(frames <= a->config.reset_burst + 2);
  assert_true(a->memory.peak <= h2e_conn_memsize_max(&a->config));
  return frames;
}

static void test_needless_pings_spend_the_budget(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  static const uint8_t opaque[8] = {0};
  size_t frames = flood_until_calm(a, H2E_FRAME_PING, opaque, 8);
  printf("ping flood (read): GOAWAY after %zu PINGs\n", frames);
  attack_free(a);
}

static void test_needless_settings_spend_the_budget(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  static const uint8_t push_off[6] = {0, 2, 0, 0, 0, 0};
  size_t frames = flood_until_calm(a, H2E_FRAME_SETTINGS, push_off, 6);
  printf("settings flood (read): GOAWAY after %zu SETTINGS\n", frames);
  attack_free(a);
}

/* A keepalive client is no attacker: a PING every 100 ms for ten minutes,
 * and a SETTINGS every second, leave the budget alone. */
static void test_paced_pings_and_settings_are_fine(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  static const uint8_t opaque[8] = {0};
  static const uint8_t push_off[6] = {0, 2, 0, 0, 0, 0};
  for (int i = 0; i < 6000; i++) {
    attack_frame(a, H2E_FRAME_PING, 0, 0, opaque, 8);
    if (i % 10 == 0)
      attack_frame(a, H2E_FRAME_SETTINGS, 0, 0, push_off, 6);
    a->now_ms += 100;
  }
  assert_false(a->goaway_seen);
  assert_int_equal(a->frames_by_type[H2E_FRAME_PING], 6000);
  attack_free(a);
}

/* Header blocks cut into near-empty CONTINUATION frames, block after
 * block, each within the per-block bound: the budget catches them. */
static void test_tiny_continuations_spend_the_budget(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  static const uint8_t request[] = {0x82, 0x87, 0x84, 0x41, 0x0b, 'e',
                                    'x',  'a',  'm',  'p',  'l',  'e',
                                    '.',  'c',  'o',  'm'};
  size_t frames = 0;
  while (frames < 100000 && !a->goaway_seen) {
    uint32_t id = a->next_stream_id;
    a->next_stream_id += 2;
    attack_frame(a, H2E_FRAME_HEADERS, H2E_FLAG_END_STREAM, id, request, 1);
    for (size_t i = 1; i + 1 < sizeof request && !a->goaway_seen; i++) {
      attack_frame(a, H2E_FRAME_CONTINUATION, 0, id, request + i, 1);
      frames++;
    }
    attack_frame(a, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, id,
                 request + sizeof request - 1, 1);
  }
  printf("tiny CONTINUATION flood: GOAWAY after %zu frames\n", frames);
  assert_true(attack_goaway_with(a, H2E_ENHANCE_YOUR_CALM));
  assert_true(frames <= a->config.reset_burst + 1);
  attack_free(a);
}

/* CVE-2019-9513: PRIORITY frames reshuffling a dependency tree. We build
 * no tree (RFC 9218 replaces it): each frame is validated and dropped,
 * O(1), no memory, no output, no event. */
static void test_priority_churn_costs_nothing(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  size_t baseline = a->memory.peak;
  uint8_t payload[5];
  for (uint32_t i = 0; i < 100000; i++) {
    uint32_t stream = 2 * (i % 5000) + 1;
    uint32_t dependency = 2 * ((i * 7919) % 5000) + 1;
    if (dependency == stream)
      continue; /* a self-dependency is a stream error: not this test */
    put_u32(payload, dependency | (i & 1 ? 0x80000000u : 0));
    payload[4] = (uint8_t)i; /* weight */
    attack_frame(a, H2E_FRAME_PRIORITY, 0, stream, payload, 5);
  }
  assert_false(a->goaway_seen);
  assert_int_equal(a->out_octets, 0);
  assert_int_equal(a->events, 0);
  assert_int_equal(a->memory.peak, baseline);
  attack_free(a);
}

/* CVE-2019-9518: empty DATA frames that end nothing cost the peer 9
 * octets and us a frame's work: they draw on the misbehaviour budget. */
static void test_empty_data_flood_ends_in_enhance_your_calm(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  uint32_t id = attack_request(a, 0, 0);
  size_t frames = 0;
  while (frames < 100000 && !a->goaway_seen) {
    attack_frame(a, H2E_FRAME_DATA, 0, id, NULL, 0);
    frames++;
  }
  printf("empty DATA flood: GOAWAY after %zu frames\n", frames);
  assert_true(attack_goaway_with(a, H2E_ENHANCE_YOUR_CALM));
  assert_true(frames <= a->config.reset_burst + 1);
  attack_free(a);
}

/* CVE-2019-9511/9517: the peer requests large bodies, never opens its
 * window and never reads. Bodies are referenced, not copied; the output
 * stays bounded and so does memory, and once the output cannot drain the
 * engine stops taking input. */
static void test_data_dribble_and_stalled_reader_are_bounded(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  uint8_t window_one[6] = {0, 4, 0, 0, 0, 1}; /* 1-octet stream windows */
  attack_frame(a, H2E_FRAME_SETTINGS, 0, 0, window_one, 6);
  a->answers = 0;
  static uint8_t body[1 << 20];
  size_t baseline = a->memory.peak;
  for (int i = 0; i < 50; i++) {
    uint32_t id = attack_request(a, 0, H2E_FLAG_END_STREAM);
    static const h2e_field ok[] = {ATTACK_FIELD(":status", "200")};
    assert_int_equal(h2e_submit_headers(a->conn, id, ok, 1, 0), 0);
    assert_int_equal(
        h2e_submit_data(a->conn, id, body, sizeof body, H2E_END_STREAM, id), 0);
  }
  attack_drain(a);
  /* 50 streams x 1 octet of window: 50 one-octet DATA frames. */
  assert_int_equal(a->frames_by_type[H2E_FRAME_DATA], 50);
  a->reads_output = 0;
  static const uint8_t opaque[8] = {0};
  size_t pings = 0;
  while (pings < 100000 && attack_frame(a, H2E_FRAME_PING, 0, 0, opaque, 8) ==
                               H2E_FRAME_HEADER_LEN + 8)
    pings++;
  printf("data dribble: memory peak %zu (baseline %zu), input refused after "
         "%zu PINGs\n",
         a->memory.peak, baseline, pings);
  assert_true(pings <= a->config.max_queued_control);
  assert_true(a->memory.peak <= h2e_conn_memsize_max(&a->config));
  attack_free(a);
}

/* RFC 9113 §6.9.1: a window may not pass 2^31-1. */
static void test_window_overflow_is_a_flow_control_error(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  uint32_t id = attack_request(a, 0, 0);
  uint8_t increment[4];
  put_u32(increment, 0x7fffffff);
  attack_frame(a, H2E_FRAME_WINDOW_UPDATE, 0, id, increment, 4);
  assert_int_equal(a->rst_sent, 1);
  assert_int_equal(a->last_rst_code, H2E_FLOW_CONTROL_ERROR);
  attack_frame(a, H2E_FRAME_WINDOW_UPDATE, 0, 0, increment, 4);
  assert_true(attack_goaway_with(a, H2E_FLOW_CONTROL_ERROR));
  attack_free(a);
}

/* RFC 9113 §5.1.1: stream ids only grow; one lower than a used one is a
 * connection error, and the id space cannot be wrapped. */
static void
test_stream_id_reuse_and_overflow_fail_the_connection(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  attack_request(a, 0x7ffffffd, H2E_FLAG_END_STREAM);
  assert_false(a->goaway_seen);
  attack_request(a, 5, H2E_FLAG_END_STREAM);
  assert_true(attack_goaway_with(a, H2E_PROTOCOL_ERROR));
  attack_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ping_flood_without_reading_is_bounded),
      cmocka_unit_test(test_settings_flood_without_reading_is_bounded),
      cmocka_unit_test(test_needless_pings_spend_the_budget),
      cmocka_unit_test(test_needless_settings_spend_the_budget),
      cmocka_unit_test(test_paced_pings_and_settings_are_fine),
      cmocka_unit_test(test_tiny_continuations_spend_the_budget),
      cmocka_unit_test(test_priority_churn_costs_nothing),
      cmocka_unit_test(test_empty_data_flood_ends_in_enhance_your_calm),
      cmocka_unit_test(test_data_dribble_and_stalled_reader_are_bounded),
      cmocka_unit_test(test_window_overflow_is_a_flow_control_error),
      cmocka_unit_test(test_stream_id_reuse_and_overflow_fail_the_connection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
