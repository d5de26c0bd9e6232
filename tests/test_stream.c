/* The stream module: the RFC 9113 §5.1 transition table, row by row, and
 * the stream table (lookup, pool bounds, memory of closed streams). */
#include "stream.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static void expect(h2e_sstate state, h2e_sinput input, h2e_soutcome outcome,
                   h2e_sstate next) {
  h2e_transition t = h2e_stream_transition(state, input);
  assert_int_equal(t.outcome, outcome);
  assert_int_equal(t.next, next);
}

#define OK H2E_SO_OK

static void test_5_1_idle_opens_on_headers_either_way(void **state) {
  (void)state;
  expect(H2E_SS_IDLE, H2E_SI_SEND_HEADERS, OK, H2E_SS_OPEN);
  expect(H2E_SS_IDLE, H2E_SI_RECV_HEADERS, OK, H2E_SS_OPEN);
}

static void test_5_1_idle_reserves_on_push_promise(void **state) {
  (void)state;
  expect(H2E_SS_IDLE, H2E_SI_SEND_PROMISE, OK, H2E_SS_RESERVED_LOCAL);
  expect(H2E_SS_IDLE, H2E_SI_RECV_PROMISE, OK, H2E_SS_RESERVED_REMOTE);
}

static void test_5_1_idle_accepts_only_headers_and_priority(void **state) {
  (void)state;
  expect(H2E_SS_IDLE, H2E_SI_RECV_PRIORITY, OK, H2E_SS_IDLE);
  static const h2e_sinput others[] = {
      H2E_SI_RECV_DATA, H2E_SI_RECV_RST, H2E_SI_RECV_WINDOW_UPDATE,
      H2E_SI_RECV_PUSH_PROMISE, H2E_SI_RECV_END_STREAM};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
    expect(H2E_SS_IDLE, others[i], H2E_SO_CONN_PROTOCOL_ERROR, H2E_SS_IDLE);
  expect(H2E_SS_IDLE, H2E_SI_SEND_DATA, H2E_SO_NOT_ALLOWED, H2E_SS_IDLE);
  expect(H2E_SS_IDLE, H2E_SI_SEND_RST, H2E_SO_NOT_ALLOWED, H2E_SS_IDLE);
}

static void test_5_1_reserved_local(void **state) {
  (void)state;
  h2e_sstate s = H2E_SS_RESERVED_LOCAL;
  expect(s, H2E_SI_SEND_HEADERS, OK, H2E_SS_HALF_CLOSED_REMOTE);
  expect(s, H2E_SI_SEND_RST, OK, H2E_SS_CLOSED_RESET_SENT);
  expect(s, H2E_SI_RECV_RST, OK, H2E_SS_CLOSED_RESET_RECV);
  expect(s, H2E_SI_RECV_PRIORITY, OK, s);
  expect(s, H2E_SI_RECV_WINDOW_UPDATE, OK, s);
  expect(s, H2E_SI_RECV_HEADERS, H2E_SO_CONN_PROTOCOL_ERROR, s);
  expect(s, H2E_SI_RECV_DATA, H2E_SO_CONN_PROTOCOL_ERROR, s);
  expect(s, H2E_SI_SEND_DATA, H2E_SO_NOT_ALLOWED, s);
  expect(s, H2E_SI_SEND_PUSH_PROMISE, H2E_SO_NOT_ALLOWED, s);
}

/* RFC 9113 §6.6, §8.4: a PUSH_PROMISE goes on an open or half-closed
 * (remote) stream, which it leaves as it was. */
static void test_6_6_push_promise_is_sent_on_open_streams(void **state) {
  (void)state;
  expect(H2E_SS_OPEN, H2E_SI_SEND_PUSH_PROMISE, OK, H2E_SS_OPEN);
  expect(H2E_SS_HALF_CLOSED_REMOTE, H2E_SI_SEND_PUSH_PROMISE, OK,
         H2E_SS_HALF_CLOSED_REMOTE);
  static const h2e_sstate others[] = {
      H2E_SS_IDLE,          H2E_SS_RESERVED_REMOTE,   H2E_SS_HALF_CLOSED_LOCAL,
      H2E_SS_CLOSED,        H2E_SS_CLOSED_RESET_SENT, H2E_SS_CLOSED_RESET_RECV,
      H2E_SS_CLOSED_UNKNOWN};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
    expect(others[i], H2E_SI_SEND_PUSH_PROMISE, H2E_SO_NOT_ALLOWED, others[i]);
}

static void test_5_1_reserved_remote(void **state) {
  (void)state;
  h2e_sstate s = H2E_SS_RESERVED_REMOTE;
  expect(s, H2E_SI_RECV_HEADERS, OK, H2E_SS_HALF_CLOSED_LOCAL);
  expect(s, H2E_SI_SEND_RST, OK, H2E_SS_CLOSED_RESET_SENT);
  expect(s, H2E_SI_RECV_RST, OK, H2E_SS_CLOSED_RESET_RECV);
  expect(s, H2E_SI_RECV_PRIORITY, OK, s);
  expect(s, H2E_SI_RECV_WINDOW_UPDATE, H2E_SO_CONN_PROTOCOL_ERROR, s);
  expect(s, H2E_SI_RECV_DATA, H2E_SO_CONN_PROTOCOL_ERROR, s);
  expect(s, H2E_SI_SEND_HEADERS, H2E_SO_NOT_ALLOWED, s);
}

static void test_5_1_open_half_closes_on_end_stream(void **state) {
  (void)state;
  h2e_sstate s = H2E_SS_OPEN;
  expect(s, H2E_SI_SEND_END_STREAM, OK, H2E_SS_HALF_CLOSED_LOCAL);
  expect(s, H2E_SI_RECV_END_STREAM, OK, H2E_SS_HALF_CLOSED_REMOTE);
  expect(s, H2E_SI_SEND_RST, OK, H2E_SS_CLOSED_RESET_SENT);
  expect(s, H2E_SI_RECV_RST, OK, H2E_SS_CLOSED_RESET_RECV);
  static const h2e_sinput stay[] = {
      H2E_SI_SEND_HEADERS,      H2E_SI_SEND_DATA,         H2E_SI_RECV_HEADERS,
      H2E_SI_RECV_DATA,         H2E_SI_RECV_PUSH_PROMISE, H2E_SI_RECV_PRIORITY,
      H2E_SI_RECV_WINDOW_UPDATE};
  for (size_t i = 0; i < sizeof stay / sizeof stay[0]; i++)
    expect(s, stay[i], OK, s);
}

static void test_5_1_half_closed_local_receives_anything(void **state) {
  (void)state;
  h2e_sstate s = H2E_SS_HALF_CLOSED_LOCAL;
  expect(s, H2E_SI_RECV_END_STREAM, OK, H2E_SS_CLOSED);
  expect(s, H2E_SI_RECV_DATA, OK, s);
  expect(s, H2E_SI_RECV_HEADERS, OK, s);
  expect(s, H2E_SI_RECV_PUSH_PROMISE, OK, s);
  expect(s, H2E_SI_SEND_RST, OK, H2E_SS_CLOSED_RESET_SENT);
  expect(s, H2E_SI_SEND_DATA, H2E_SO_NOT_ALLOWED, s);
  expect(s, H2E_SI_SEND_HEADERS, H2E_SO_NOT_ALLOWED, s);
}

static void
test_5_1_half_closed_remote_is_stream_closed_for_data(void **state) {
  (void)state;
  h2e_sstate s = H2E_SS_HALF_CLOSED_REMOTE;
  expect(s, H2E_SI_SEND_END_STREAM, OK, H2E_SS_CLOSED);
  expect(s, H2E_SI_SEND_DATA, OK, s);
  expect(s, H2E_SI_RECV_DATA, H2E_SO_STREAM_CLOSED, s);
  expect(s, H2E_SI_RECV_HEADERS, H2E_SO_STREAM_CLOSED, s);
  expect(s, H2E_SI_RECV_WINDOW_UPDATE, OK, s);
  expect(s, H2E_SI_RECV_PRIORITY, OK, s);
  expect(s, H2E_SI_RECV_RST, OK, H2E_SS_CLOSED_RESET_RECV);
  /* RFC 9113 §6.6: PUSH_PROMISE only on open or half-closed (local). */
  expect(s, H2E_SI_RECV_PUSH_PROMISE, H2E_SO_CONN_PROTOCOL_ERROR, s);
}

static void test_5_1_closed_after_end_stream(void **state) {
  (void)state;
  h2e_sstate s = H2E_SS_CLOSED;
  expect(s, H2E_SI_RECV_DATA, H2E_SO_STREAM_CLOSED, s);
  expect(s, H2E_SI_RECV_HEADERS, H2E_SO_CONN_STREAM_CLOSED, s);
  expect(s, H2E_SI_RECV_WINDOW_UPDATE, H2E_SO_IGNORE, s);
  expect(s, H2E_SI_RECV_RST, H2E_SO_IGNORE, s);
  expect(s, H2E_SI_RECV_PRIORITY, H2E_SO_IGNORE, s);
  expect(s, H2E_SI_SEND_RST, H2E_SO_NOT_ALLOWED, s);
}

static void test_5_1_closed_by_our_reset_ignores_everything(void **state) {
  (void)state;
  for (int i = H2E_SI_RECV_HEADERS; i < H2E_SI_COUNT; i++) {
    if (i == H2E_SI_RECV_PROMISE)
      continue;
    expect(H2E_SS_CLOSED_RESET_SENT, (h2e_sinput)i, H2E_SO_IGNORE,
           H2E_SS_CLOSED_RESET_SENT);
  }
}

static void test_5_1_closed_by_peer_reset(void **state) {
  (void)state;
  h2e_sstate s = H2E_SS_CLOSED_RESET_RECV;
  expect(s, H2E_SI_RECV_DATA, H2E_SO_STREAM_CLOSED, s);
  expect(s, H2E_SI_RECV_HEADERS, H2E_SO_STREAM_CLOSED, s);
  expect(s, H2E_SI_RECV_PRIORITY, H2E_SO_IGNORE, s);
  expect(s, H2E_SI_RECV_WINDOW_UPDATE, H2E_SO_IGNORE, s);
  expect(s, H2E_SI_RECV_RST, H2E_SO_IGNORE, s);
}

static void test_5_1_1_headers_on_a_skipped_id_is_protocol_error(void **state) {
  (void)state;
  h2e_sstate s = H2E_SS_CLOSED_UNKNOWN;
  expect(s, H2E_SI_RECV_HEADERS, H2E_SO_CONN_PROTOCOL_ERROR, s);
  expect(s, H2E_SI_RECV_DATA, H2E_SO_STREAM_CLOSED, s);
  expect(s, H2E_SI_RECV_WINDOW_UPDATE, H2E_SO_IGNORE, s);
}

static void test_5_1_what_we_send_is_never_a_peer_error(void **state) {
  (void)state;
  for (int s = 0; s < H2E_SS_COUNT; s++)
    for (int i = 0; i <= H2E_SI_SEND_RST; i++) {
      h2e_transition t = h2e_stream_transition((h2e_sstate)s, (h2e_sinput)i);
      assert_true(t.outcome == OK || t.outcome == H2E_SO_NOT_ALLOWED);
      assert_true(t.next < H2E_SS_COUNT);
    }
}

static void test_5_1_public_states(void **state) {
  (void)state;
  assert_int_equal(h2e_sstate_public(H2E_SS_OPEN), H2E_STATE_OPEN);
  assert_int_equal(h2e_sstate_public(H2E_SS_HALF_CLOSED_LOCAL),
                   H2E_STATE_HALF_CLOSED_LOCAL);
  for (int s = H2E_SS_CLOSED; s < H2E_SS_COUNT; s++) {
    assert_int_equal(h2e_sstate_public((h2e_sstate)s), H2E_STATE_CLOSED);
    assert_true(h2e_sstate_is_closed((h2e_sstate)s));
  }
  assert_true(h2e_sstate_is_active(H2E_SS_HALF_CLOSED_REMOTE));
  assert_false(h2e_sstate_is_active(H2E_SS_RESERVED_REMOTE));
}

/* ---- the table ----------------------------------------------------------- */

typedef struct counting {
  size_t allocs, current;
} counting;
static void *c_alloc(void *ctx, size_t n) {
  ((counting *)ctx)->allocs++;
  ((counting *)ctx)->current += n;
  return malloc(n);
}
static void c_free(void *ctx, void *p, size_t n) {
  ((counting *)ctx)->current -= n;
  free(p);
}

static void test_table_finds_streams_through_random_churn(void **state) {
  (void)state;
  counting c = {0, 0};
  h2e_allocator a = {c_alloc, c_free, &c};
  h2e_stream_table t;
  assert_int_equal(h2e_stream_table_init(&t, 100, 16), 0);
  static uint8_t live[4096];
  memset(live, 0, sizeof live);
  unsigned seed = 7;
  uint32_t count = 0;
  for (int step = 0; step < 200000; step++) {
    seed = seed * 1103515245u + 12345u;
    uint32_t id = (seed >> 8) % 4096 | 1;
    h2e_stream *s = h2e_stream_find(&t, id);
    assert_int_equal(s != NULL, live[id]);
    if (s) {
      assert_int_equal(s->id, id);
      h2e_stream_destroy(&t, &a, s, H2E_SS_CLOSED);
      live[id] = 0;
      count--;
    } else if (count < 100) {
      int err = 0;
      s = h2e_stream_create(&t, &a, id, &err);
      assert_non_null(s);
      live[id] = 1;
      count++;
    }
    assert_int_equal(t.count, count);
  }
  size_t allocs = c.allocs;
  /* chunk table, buckets, the closed ring at 8 then 16 entries, and
   * ceil(100 / 16) chunks */
  assert_int_equal(allocs, 4 + 7);
  h2e_stream_table_free(&t, &a);
  assert_int_equal(c.current, 0);
}

static void test_table_gives_back_its_memory_when_empty(void **state) {
  (void)state;
  counting c = {0, 0};
  h2e_allocator a = {c_alloc, c_free, &c};
  h2e_stream_table t;
  assert_int_equal(h2e_stream_table_init(&t, 100, 300), 0);
  size_t fresh = c.current; /* nothing yet */
  assert_false(h2e_stream_table_unused(&t));
  int err = 0;
  for (uint32_t id = 1; id <= 39; id += 2)
    assert_non_null(h2e_stream_create(&t, &a, id, &err));
  h2e_stream_table_release(&t, &a); /* streams live: nothing happens */
  assert_non_null(h2e_stream_find(&t, 21));
  for (uint32_t id = 1; id <= 39; id += 2)
    h2e_stream_destroy(&t, &a, h2e_stream_find(&t, id), H2E_SS_CLOSED);
  assert_true(h2e_stream_table_unused(&t));
  h2e_stream_table_release(&t, &a);
  assert_false(h2e_stream_table_unused(&t));
  /* What stays: 20 remembered streams in a ring of 32. */
  assert_int_equal(c.current, fresh + 32 * sizeof(h2e_closed_stream));
  assert_null(h2e_stream_find(&t, 21));
  assert_int_equal(h2e_stream_closed_state(&t, 21), H2E_SS_CLOSED);
  assert_int_equal(h2e_stream_closed_state(&t, 1), H2E_SS_CLOSED);
  h2e_stream *again = h2e_stream_create(&t, &a, 41, &err);
  assert_non_null(again);
  assert_ptr_equal(h2e_stream_find(&t, 41), again);
  h2e_stream_table_free(&t, &a);
  assert_int_equal(c.current, 0);
}

static void test_table_is_bounded(void **state) {
  (void)state;
  h2e_stream_table t;
  assert_int_equal(h2e_stream_table_init(&t, 3, 4), 0);
  int err = 0;
  for (uint32_t id = 1; id <= 5; id += 2)
    assert_non_null(h2e_stream_create(&t, NULL, id, &err));
  assert_null(h2e_stream_create(&t, NULL, 7, &err));
  assert_int_equal(err, H2E_ERR_WOULDBLOCK);
  h2e_stream_destroy(&t, NULL, h2e_stream_find(&t, 3),
                     H2E_SS_CLOSED_RESET_SENT);
  assert_non_null(h2e_stream_create(&t, NULL, 7, &err));
  h2e_stream_table_free(&t, NULL);
}

static void test_table_remembers_the_most_recently_closed(void **state) {
  (void)state;
  h2e_stream_table t;
  assert_int_equal(h2e_stream_table_init(&t, 4, 3), 0);
  int err;
  h2e_stream *s = h2e_stream_create(&t, NULL, 1, &err);
  h2e_stream_destroy(&t, NULL, s, H2E_SS_CLOSED_RESET_RECV);
  assert_int_equal(h2e_stream_closed_state(&t, 1), H2E_SS_CLOSED_RESET_RECV);
  h2e_stream_remember_closed(&t, NULL, 3, H2E_SS_CLOSED_RESET_SENT);
  h2e_stream_remember_closed(&t, NULL, 5, H2E_SS_CLOSED);
  h2e_stream_remember_closed(&t, NULL, 7, H2E_SS_CLOSED);
  /* Stream 1 fell out of the ring: its cause is forgotten. */
  assert_int_equal(h2e_stream_closed_state(&t, 1), H2E_SS_CLOSED_UNKNOWN);
  assert_int_equal(h2e_stream_closed_state(&t, 3), H2E_SS_CLOSED_RESET_SENT);
  assert_int_equal(h2e_stream_closed_state(&t, 7), H2E_SS_CLOSED);
  assert_null(h2e_stream_find(&t, 1));
  h2e_stream_table_free(&t, NULL);
}

static void test_table_iterates_live_slots(void **state) {
  (void)state;
  h2e_stream_table t;
  assert_int_equal(h2e_stream_table_init(&t, 40, 0), 0);
  int err;
  for (uint32_t id = 1; id < 80; id += 2)
    h2e_stream_create(&t, NULL, id, &err);
  for (uint32_t id = 1; id < 80; id += 4)
    h2e_stream_destroy(&t, NULL, h2e_stream_find(&t, id), H2E_SS_CLOSED);
  uint32_t seen = 0;
  for (uint32_t i = 0; i < t.slots.grown; i++) {
    h2e_stream *s = h2e_stream_at(&t, i);
    if (s) {
      assert_int_equal(s->id % 4, 3);
      seen++;
    }
  }
  assert_int_equal(seen, 20);
  h2e_stream_table_free(&t, NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_5_1_idle_opens_on_headers_either_way),
      cmocka_unit_test(test_5_1_idle_reserves_on_push_promise),
      cmocka_unit_test(test_5_1_idle_accepts_only_headers_and_priority),
      cmocka_unit_test(test_5_1_reserved_local),
      cmocka_unit_test(test_6_6_push_promise_is_sent_on_open_streams),
      cmocka_unit_test(test_5_1_reserved_remote),
      cmocka_unit_test(test_5_1_open_half_closes_on_end_stream),
      cmocka_unit_test(test_5_1_half_closed_local_receives_anything),
      cmocka_unit_test(test_5_1_half_closed_remote_is_stream_closed_for_data),
      cmocka_unit_test(test_5_1_closed_after_end_stream),
      cmocka_unit_test(test_5_1_closed_by_our_reset_ignores_everything),
      cmocka_unit_test(test_5_1_closed_by_peer_reset),
      cmocka_unit_test(test_5_1_1_headers_on_a_skipped_id_is_protocol_error),
      cmocka_unit_test(test_5_1_what_we_send_is_never_a_peer_error),
      cmocka_unit_test(test_5_1_public_states),
      cmocka_unit_test(test_table_finds_streams_through_random_churn),
      cmocka_unit_test(test_table_is_bounded),
      cmocka_unit_test(test_table_gives_back_its_memory_when_empty),
      cmocka_unit_test(test_table_remembers_the_most_recently_closed),
      cmocka_unit_test(test_table_iterates_live_slots),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
