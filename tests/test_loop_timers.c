/* The loop's timer heap (lib/loop/timers.c): connections come out in
 * deadline order, whatever order they were filed, moved or removed in. */
#include "test_loop_harness.h"
#include "timers.h"

#include <sys/socket.h>

enum { COUNT = 40 };

static h2e_loop_conn *conn_with_keepalive(uint64_t keepalive_ms) {
  int fds[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  close(fds[1]);
  h2e_config config;
  h2e_config_init(&config, H2E_CLIENT);
  config.keepalive_ms = keepalive_ms;
  config.settings_timeout_ms = 0;
  h2e_loop_conn_options options = {.config = &config};
  h2e_loop_conn *lc = h2e_loop_conn_new(&options, fds[0], 1000);
  assert_non_null(lc);
  return lc;
}

static void test_heap_yields_connections_by_deadline(void **state) {
  (void)state;
  h2e_loop_conn *conns[COUNT];
  conns[0] = conn_with_keepalive(1);
  /* The adapter's default allocator, borrowed from a connection. */
  h2e_allocator allocator = conns[0]->allocator;
  h2e_timers timers = {NULL, 0, 0, &allocator};
  /* Keepalive k*7 mod 97 + 1 ms: distinct deadlines, shuffled order. */
  for (int i = 1; i < COUNT; i++)
    conns[i] = conn_with_keepalive((uint64_t)(i * 7 % 97) + 1);
  for (int i = 0; i < COUNT; i++)
    assert_int_equal(h2e_timers_update(&timers, conns[i]), 0);
  assert_int_equal(timers.count, COUNT);
  /* Take out every third, and file one again after its deadline moved
   * (no deadline at all: it leaves the heap). */
  for (int i = 0; i < COUNT; i += 3)
    h2e_timers_remove(&timers, conns[i]);
  assert_int_equal(timers.count, COUNT - (COUNT + 2) / 3);
  conns[1]->done = 1; /* a finished connection has no deadline */
  assert_int_equal(h2e_timers_update(&timers, conns[1]), 0);
  assert_int_equal(conns[1]->timer_slot, 0);
  conns[1]->done = 0;
  uint64_t last = 0;
  size_t popped = 0;
  h2e_loop_conn *first;
  while ((first = h2e_timers_first(&timers)) != NULL) {
    assert_true(first->timer_deadline >= last);
    assert_int_equal(first->timer_deadline, h2e_loop_conn_deadline(first));
    last = first->timer_deadline;
    h2e_timers_remove(&timers, first);
    popped++;
  }
  assert_int_equal(popped, COUNT - (COUNT + 2) / 3 - 1);
  h2e_timers_free(&timers);
  for (int i = 0; i < COUNT; i++)
    h2e_loop_conn_free(conns[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_heap_yields_connections_by_deadline),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
