/* Attacks through header blocks: the CONTINUATION flood (CVE-2024-27316
 * and kin), the HPACK bomb (CVE-2016-6581), empty field names
 * (CVE-2019-9516) and the "HTTP/2 Bomb" (2026: HPACK amplification held
 * against a stalled window). */
#include "attack.h"
#include "hpack_table.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAGMENT  16384
#define BIG_VALUE 4000

/* CVE-2024-27316: HEADERS without END_HEADERS, then CONTINUATION frames
 * that never end the block. The engine holds at most max_header_list_size
 * + 16 KiB of it and then fails the connection with ENHANCE_YOUR_CALM. */
static void test_continuation_flood_is_cut_off(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  static uint8_t junk[FRAGMENT];
  memset(junk, 0x40, sizeof junk); /* literal fields, never decoded */
  attack_frame(a, H2E_FRAME_HEADERS, 0, 1, junk, sizeof junk);
  size_t frames = 1;
  while (frames < 1000 && !a->goaway_seen) {
    attack_frame(a, H2E_FRAME_CONTINUATION, 0, 1, junk, sizeof junk);
    frames++;
  }
  printf("continuation flood: GOAWAY after %zu frames (%zu octets); memory "
         "peak %zu of %zu\n",
         frames, a->accepted, a->memory.peak, h2e_conn_memsize_max(&a->config));
  assert_true(attack_goaway_with(a, H2E_ENHANCE_YOUR_CALM));
  assert_true(frames * FRAGMENT <=
              a->config.max_header_list_size + 16384 + 2 * FRAGMENT);
  assert_true(a->memory.peak <= h2e_conn_memsize_max(&a->config));
  assert_int_equal(a->events, 1); /* the connection error, nothing else */
  attack_free(a);
}

/* Zero-length CONTINUATION frames cost the peer 9 octets each: the
 * number of fragments per block is bounded too. */
static void test_empty_continuation_flood_is_cut_off(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  attack_frame(a, H2E_FRAME_HEADERS, 0, 1, NULL, 0);
  size_t frames = 1;
  while (frames < 100000 && !a->goaway_seen) {
    attack_frame(a, H2E_FRAME_CONTINUATION, 0, 1, NULL, 0);
    frames++;
  }
  printf("empty continuation flood: GOAWAY after %zu frames\n", frames);
  assert_true(attack_goaway_with(a, H2E_ENHANCE_YOUR_CALM));
  assert_true(frames <= 1000);
  attack_free(a);
}

/* A block that puts one 4000-octet field in the dynamic table, then
 * references it with one octet each: 16 KiB of block would decode to
 * 64 MB. The decoded list is bounded by max_header_list_size, checked
 * before copying: the stream is refused (RFC 9113 §8.1.1, §10.5.1), no
 * header event reaches the application, memory does not move, and the
 * connection goes on. */
static size_t bomb_block(uint8_t *out, size_t cap, size_t references) {
  /* :method GET, :scheme https, :path / (static indices, RFC 7541
   * Appendix A), :authority example.com (literal, not indexed). */
  static const uint8_t head[] = {0x82, 0x87, 0x84, 0x01, 0x0b, 'e', 'x', 'a',
                                 'm',  'p',  'l',  'e',  '.',  'c', 'o', 'm'};
  /* x-bomb: 4000 octets, literal with incremental indexing, new name
   * (RFC 7541 §6.2.1); the value length 4000 = 127 + 3873 (§5.1). */
  static const uint8_t bomb[] = {0x40, 0x06, 'x',  '-',  'b', 'o',
                                 'm',  'b',  0x7f, 0xa1, 0x1e};
  size_t len = sizeof head + sizeof bomb + BIG_VALUE;
  assert_true(len + references <= cap);
  memcpy(out, head, sizeof head);
  memcpy(out + sizeof head, bomb, sizeof bomb);
  memset(out + sizeof head + sizeof bomb, 'b', BIG_VALUE);
  /* The field now sits at dynamic index 62 (RFC 7541 §2.3.3): 0xbe. */
  memset(out + len, 0xbe, references);
  return len + references;
}

static void test_hpack_bomb_is_refused_without_cost(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  attack_request(a, 0, H2E_FLAG_END_STREAM); /* warm up */
  size_t baseline = a->memory.peak;
  size_t events_before = a->events;
  static uint8_t block[FRAGMENT];
  size_t peak_after_one = 0;
  for (uint32_t i = 0; i < 100; i++) {
    if (i == 1)
      peak_after_one = a->memory.peak;
    size_t len = bomb_block(block, sizeof block, sizeof block / 2);
    attack_frame(a, H2E_FRAME_HEADERS,
                 H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, a->next_stream_id,
                 block, len);
    a->next_stream_id += 2;
  }
  printf("hpack bomb: 100 blocks of 16 KiB (64 MB each if expanded): %zu "
         "RST_STREAM, %zu events, memory peak %zu (baseline %zu)\n",
         a->rst_sent, a->events - events_before, a->memory.peak, baseline);
  assert_false(a->goaway_seen);
  assert_int_equal(a->rst_sent, 100);
  assert_int_equal(a->last_rst_code, H2E_PROTOCOL_ERROR);
  /* The application never learnt of those streams: no event at all. */
  assert_int_equal(a->events, events_before);
  /* Memory does not follow the expansion: past the warm-up, only the
   * dynamic table's storage grows, once, to hold the 4000-octet entry (its
   * storage follows its content), the same for 1 bomb or 100. */
  assert_true(peak_after_one <=
              baseline + h2e_hpack_shape_memsize(h2e_hpack_shape_full(4096)));
  assert_int_equal(a->memory.peak, peak_after_one);
  /* Still serving (a request of static entries only: the hand-made bombs
   * moved the dynamic table behind the attacker's encoder's back). */
  size_t before = a->requests_seen;
  static const uint8_t request[16] = {0x82, 0x87, 0x84, 0x01, 0x0b, 'e',
                                      'x',  'a',  'm',  'p',  'l',  'e',
                                      '.',  'c',  'o',  'm'};
  attack_frame(a, H2E_FRAME_HEADERS, H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM,
               a->next_stream_id, request, sizeof request);
  assert_int_equal(a->requests_seen, before + 1);
  assert_int_equal(a->rst_sent, 100);
  attack_free(a);
}

/* HPACK bombs repeated on fresh streams spend the reset budget. */
static void test_repeated_hpack_bombs_end_in_enhance_your_calm(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  static uint8_t block[8192];
  size_t rounds = 0;
  while (rounds < 5000 && !a->goaway_seen) {
    size_t len = bomb_block(block, sizeof block, 2048);
    attack_frame(a, H2E_FRAME_HEADERS,
                 H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, a->next_stream_id,
                 block, len);
    a->next_stream_id += 2;
    rounds++;
  }
  assert_true(attack_goaway_with(a, H2E_ENHANCE_YOUR_CALM));
  assert_true(rounds <= a->config.reset_burst + 1);
  attack_free(a);
}

/* CVE-2019-9516: fields with empty names are malformed (RFC 9113 §8.2.1,
 * RFC 9110 §5.1: a name is a non-empty token): the stream is reset and
 * nothing is kept. */
static void test_empty_field_names_are_refused(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  attack_request(a, 0, H2E_FLAG_END_STREAM); /* warm up */
  size_t baseline = a->memory.peak;
  h2e_field fields[5] = {ATTACK_FIELD(":method", "GET"),
                         ATTACK_FIELD(":scheme", "https"),
                         ATTACK_FIELD(":authority", "example.com"),
                         ATTACK_FIELD(":path", "/"), ATTACK_FIELD("", "")};
  for (int i = 0; i < 200; i++) {
    size_t len = attack_encode(a, fields, 5);
    uint8_t *block = malloc(len);
    memcpy(block, a->scratch, len);
    attack_frame(a, H2E_FRAME_HEADERS,
                 H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, a->next_stream_id,
                 block, len);
    a->next_stream_id += 2;
    free(block);
  }
  assert_int_equal(a->rst_sent, 200);
  assert_int_equal(a->last_rst_code, H2E_PROTOCOL_ERROR);
  /* Memory does not follow the expansion: past the warm-up, only the
   * dynamic table's storage grows, once, to hold the 4000-octet entry
   * (its storage follows its content; the old one is live while it
   * moves), the same for 1 bomb or 100. */
  assert_true(a->memory.peak <=
              baseline + h2e_hpack_shape_memsize(h2e_hpack_shape_full(4096)) +
                  h2e_hpack_shape_memsize(h2e_hpack_shape_first(4096)));
  assert_false(a->goaway_seen);
  attack_free(a);
}

/* HTTP/2 Bomb (2026): requests whose blocks expand through HPACK
 * references to just under the header list limit, from a peer that opens
 * no window (INITIAL_WINDOW_SIZE 0) and reads nothing, while the
 * application is slow to take the requests. Decoded fields are held per
 * connection, not per block: once the storage between two pulls is full,
 * the engine takes no more input, so memory stays bounded whatever the
 * peer sends; when the application catches up, service resumes. */
static void test_http2_bomb_with_stalled_window_is_bounded(void **state) {
  (void)state;
  attack *a = attack_start(NULL);
  uint8_t zero_window[6] = {0, 4, 0, 0, 0, 0};
  attack_frame(a, H2E_FRAME_SETTINGS, 0, 0, zero_window, 6);
  a->reads_output = 0;
  a->pulls_events = 0;
  /* Each block: the 4000-octet field then 14 references, ~60 KB decoded,
   * under the 64 KiB limit. */
  static uint8_t block[FRAGMENT];
  size_t refused_at = 0;
  for (int i = 0; i < 1000 && refused_at == 0; i++) {
    size_t len = bomb_block(block, sizeof block, 14);
    size_t fed = attack_frame(a, H2E_FRAME_HEADERS,
                              H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM,
                              a->next_stream_id, block, len);
    a->next_stream_id += 2;
    if (fed < H2E_FRAME_HEADER_LEN + len)
      refused_at = (size_t)i + 1;
  }
  printf("http/2 bomb: input refused after %zu blocks; memory peak %zu of "
         "%zu\n",
         refused_at, a->memory.peak, h2e_conn_memsize_max(&a->config));
  assert_true(refused_at > 0 && refused_at < 100);
  assert_true(a->memory.peak <= h2e_conn_memsize_max(&a->config));
  a->pulls_events = 1;
  attack_pull(a);
  assert_true(a->events >= refused_at - 1);
  assert_int_equal(a->rst_sent, 0);
  assert_false(a->goaway_seen);
  attack_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_continuation_flood_is_cut_off),
      cmocka_unit_test(test_empty_continuation_flood_is_cut_off),
      cmocka_unit_test(test_hpack_bomb_is_refused_without_cost),
      cmocka_unit_test(test_repeated_hpack_bombs_end_in_enhance_your_calm),
      cmocka_unit_test(test_empty_field_names_are_refused),
      cmocka_unit_test(test_http2_bomb_with_stalled_window_is_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
