/* Attacks through stream resets (RFC 9113 §10.5): Rapid Reset
 * (CVE-2023-44487), MadeYouReset (CVE-2025-8671) and the reset flood
 * (CVE-2019-9514). Each runs for a bounded number of frames and checks
 * memory, output, the reaction and the work done. */
#include "attack.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#define ATTACK_ROUNDS 5000

static void put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static void rst(attack *a, uint32_t stream_id, uint32_t code) {
  uint8_t payload[4];
  put_u32(payload, code);
  attack_frame(a, H2E_FRAME_RST_STREAM, 0, stream_id, payload, 4);
}

/* CVE-2023-44487: open a stream and cancel it at once, again and again.
 * The reset budget (reset_burst tokens, refilled at reset_rate_per_sec)
 * runs out: GOAWAY ENHANCE_YOUR_CALM after about reset_burst streams. */
static void test_rapid_reset_ends_in_enhance_your_calm(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  size_t baseline = a->memory.peak;
  size_t rounds = 0;
  while (rounds < ATTACK_ROUNDS && !a->goaway_seen) {
    uint32_t id = attack_request(a, 0, 0);
    rst(a, id, H2E_CANCEL);
    rounds++;
  }
  printf("rapid reset: GOAWAY after %zu streams, %zu events, %zu output "
         "octets, memory peak %zu (baseline %zu)\n",
         rounds, a->events, a->out_octets, a->memory.peak, baseline);
  assert_true(attack_goaway_with(a, H2E_ENHANCE_YOUR_CALM));
  assert_true(rounds <= a->config.reset_burst + 1);
  assert_true(rounds >= a->config.reset_burst / 2);
  assert_true(a->memory.peak <= h2e_conn_memsize_max(&a->config));
  /* Work: one request event and one reset event per stream, no more. */
  assert_true(a->events <= 2 * rounds + 2);
  /* Output: nothing per stream; SETTINGS answers and the GOAWAY only. */
  assert_true(a->out_octets < 512);
  assert_int_equal(a->rst_sent, 0);
  attack_free(a);
}

/* A peer that resets at a rate the budget refills is a busy client, not
 * an attacker: 10,000 cancelled streams at 20 per second go through. */
static void test_resets_within_the_refill_rate_are_served(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  for (int i = 0; i < 10000; i++) {
    uint32_t id = attack_request(a, 0, 0);
    rst(a, id, H2E_CANCEL);
    a->now_ms += 50;
  }
  assert_false(a->goaway_seen);
  assert_int_equal(a->resets_seen, 10000);
  attack_free(a);
}

/* CVE-2025-8671: the peer makes *us* reset streams with frames that are
 * stream errors (here WINDOW_UPDATE with increment 0, RFC 9113 §6.9).
 * Those resets draw on the same budget. */
static void test_made_you_reset_ends_in_enhance_your_calm(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  static const uint8_t zero_increment[4] = {0};
  size_t rounds = 0;
  while (rounds < ATTACK_ROUNDS && !a->goaway_seen) {
    uint32_t id = attack_request(a, 0, 0);
    attack_frame(a, H2E_FRAME_WINDOW_UPDATE, 0, id, zero_increment, 4);
    rounds++;
  }
  printf("made-you-reset: GOAWAY after %zu streams, %zu RST_STREAM sent\n",
         rounds, a->rst_sent);
  assert_true(attack_goaway_with(a, H2E_ENHANCE_YOUR_CALM));
  assert_true(rounds <= a->config.reset_burst + 1);
  assert_int_equal(a->last_rst_code, H2E_PROTOCOL_ERROR);
  assert_true(a->rst_sent + 1 >= rounds - 1);
  assert_true(a->memory.peak <= h2e_conn_memsize_max(&a->config));
  attack_free(a);
}

/* CVE-2019-9514: provoke RST_STREAMs while never reading them. The engine
 * queues at most max_queued_control answers, then takes no more input
 * until the output drains. */
static void test_reset_flood_without_reading_is_bounded(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  static const uint8_t zero_increment[4] = {0};
  /* Warm up: the first streams take the engine's stream pool. */
  for (int i = 0; i < 4; i++)
    attack_frame(a, H2E_FRAME_WINDOW_UPDATE, 0, attack_request(a, 0, 0),
                 zero_increment, 4);
  a->rst_sent = 0;
  a->reads_output = 0;
  size_t baseline = a->memory.peak;
  size_t stalled_at = 0;
  for (int i = 0; i < 1000 && stalled_at == 0; i++) {
    uint32_t id = attack_request(a, 0, 0);
    if (attack_frame(a, H2E_FRAME_WINDOW_UPDATE, 0, id, zero_increment, 4) < 13)
      stalled_at = (size_t)i + 1;
  }
  printf("reset flood: input refused after %zu streams; memory peak %zu "
         "(baseline %zu)\n",
         stalled_at, a->memory.peak, baseline);
  assert_true(stalled_at > 0);
  assert_true(stalled_at <= a->config.max_queued_control + 1);
  assert_int_equal(a->memory.peak, baseline);
  attack_drain(a);
  assert_true(a->rst_sent <= a->config.max_queued_control);
  assert_true(a->rst_sent >= a->config.max_queued_control / 2);
  assert_false(a->goaway_seen);
  attack_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rapid_reset_ends_in_enhance_your_calm),
      cmocka_unit_test(test_resets_within_the_refill_rate_are_served),
      cmocka_unit_test(test_made_you_reset_ends_in_enhance_your_calm),
      cmocka_unit_test(test_reset_flood_without_reading_is_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
