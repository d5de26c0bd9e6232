/* Raw fd watches on the loop (h2e_loop_watch, h2e_loop_unwatch): the
 * callback sees the readiness asked for, interest can change, an fd
 * unwatched during a round gets no callback for the events already
 * gathered, and h2e_loop_run ends once the last watch is gone. */
#include "test_loop_harness.h"

#include <sys/socket.h>

typedef struct watch_log {
  int calls;
  int fd;
  unsigned ready;
  int unwatch_fd; /* unwatched from inside the callback; -1: none */
} watch_log;

static void record(h2e_loop *loop, int fd, unsigned ready, void *arg) {
  watch_log *log = arg;
  log->calls++;
  log->fd = fd;
  log->ready = ready;
  if (log->unwatch_fd >= 0)
    assert_int_equal(h2e_loop_unwatch(loop, log->unwatch_fd), H2E_OK);
}

static void socket_pair(int fds[2]) {
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
}

static void test_read_write_and_interest_change(void **state) {
  (void)state;
  int fds[2];
  socket_pair(fds);
  h2e_loop *loop = h2e_loop_new(NULL, NULL, NULL);
  assert_non_null(loop);
  watch_log log = {0, -1, 0, -1};
  assert_int_equal(h2e_loop_watch(loop, fds[0], H2E_WANT_READ, record, &log),
                   H2E_OK);
  /* Nothing to read yet. */
  assert_int_equal(h2e_loop_run_once(loop, 0), 0);
  assert_int_equal(log.calls, 0);
  assert_int_equal(write(fds[1], "x", 1), 1);
  assert_int_equal(h2e_loop_run_once(loop, 1000), 1);
  assert_int_equal(log.calls, 1);
  assert_int_equal(log.fd, fds[0]);
  assert_int_equal(log.ready, H2E_WANT_READ);
  /* Level-triggered: unread input reports again. */
  assert_int_equal(h2e_loop_run_once(loop, 1000), 1);
  assert_int_equal(log.calls, 2);
  /* Interest 0 keeps the watch but reports nothing. */
  assert_int_equal(h2e_loop_watch(loop, fds[0], 0, record, &log), H2E_OK);
  assert_int_equal(h2e_loop_run_once(loop, 0), 0);
  assert_int_equal(log.calls, 2);
  /* WRITE only: an empty socket buffer is writable; input is not told. */
  assert_int_equal(h2e_loop_watch(loop, fds[0], H2E_WANT_WRITE, record, &log),
                   H2E_OK);
  assert_int_equal(h2e_loop_run_once(loop, 1000), 1);
  assert_int_equal(log.calls, 3);
  assert_int_equal(log.ready, H2E_WANT_WRITE);
  assert_int_equal(h2e_loop_unwatch(loop, fds[0]), H2E_OK);
  assert_int_equal(h2e_loop_unwatch(loop, fds[0]), H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_loop_run_once(loop, 0), 0);
  assert_int_equal(log.calls, 3);
  assert_int_equal(h2e_loop_watch(loop, -1, H2E_WANT_READ, record, &log),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_loop_watch(loop, fds[0], H2E_WANT_READ, NULL, &log),
                   H2E_ERR_INVALID_ARG);
  h2e_loop_free(loop);
  close(fds[0]);
  close(fds[1]);
}

/* Two fds ready in the same wait: whichever callback runs first unwatches
 * the other, which then gets no callback although its event was already
 * gathered. */
static void test_unwatch_inside_a_round(void **state) {
  (void)state;
  int a[2], b[2];
  socket_pair(a);
  socket_pair(b);
  h2e_loop *loop = h2e_loop_new(NULL, NULL, NULL);
  watch_log la = {0, -1, 0, b[0]}, lb = {0, -1, 0, a[0]};
  assert_int_equal(h2e_loop_watch(loop, a[0], H2E_WANT_READ, record, &la), 0);
  assert_int_equal(h2e_loop_watch(loop, b[0], H2E_WANT_READ, record, &lb), 0);
  assert_int_equal(write(a[1], "x", 1), 1);
  assert_int_equal(write(b[1], "x", 1), 1);
  h2e_loop_run_once(loop, 1000);
  assert_int_equal(la.calls + lb.calls, 1);
  /* The one that ran unwatched the other; its own watch is left. */
  int left = la.calls ? a[0] : b[0];
  int gone = la.calls ? b[0] : a[0];
  assert_int_equal(h2e_loop_unwatch(loop, gone), H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_loop_unwatch(loop, left), H2E_OK);
  h2e_loop_free(loop);
  close(a[0]);
  close(a[1]);
  close(b[0]);
  close(b[1]);
}

/* A hang-up is told as the readiness asked for; h2e_loop_run returns once
 * the callback unwatches the last fd. */
static void test_hangup_and_run_ends_without_watches(void **state) {
  (void)state;
  int fds[2];
  socket_pair(fds);
  close(fds[1]);
  h2e_loop *loop = h2e_loop_new(NULL, NULL, NULL);
  watch_log log = {0, -1, 0, fds[0]};
  assert_int_equal(h2e_loop_watch(loop, fds[0], H2E_WANT_READ, record, &log),
                   H2E_OK);
  assert_int_equal(h2e_loop_run(loop), H2E_OK);
  assert_int_equal(log.calls, 1);
  assert_int_equal(log.ready, H2E_WANT_READ);
  char c;
  assert_int_equal(read(fds[0], &c, 1), 0); /* the EOF it reported */
  h2e_loop_free(loop);
  close(fds[0]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_read_write_and_interest_change),
      cmocka_unit_test(test_unwatch_inside_a_round),
      cmocka_unit_test(test_hangup_and_run_ends_without_watches),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
