/* Multi-core shape: two h2e_loop instances, each in its own thread with
 * its own SO_REUSEPORT listener on the same port, sharing nothing. The
 * kernel spreads 32 connections over both; every request is answered. */
#include "test_loop_harness.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct loop_thread {
  server *srv;
  atomic_int *stop;
  pthread_t thread;
} loop_thread;

static void *run_loop(void *arg) {
  loop_thread *t = arg;
  while (!atomic_load(t->stop))
    h2e_loop_run_once(t->srv->loop, 10);
  return NULL;
}

static void test_two_loops_share_a_port_with_so_reuseport(void **state) {
  (void)state;
  enum { CONNECTIONS = 32 };
  atomic_int stop = 0;
  loop_thread loops[2];
  loops[0].srv = server_start_on(NULL, NULL, 0, H2E_LOOP_REUSEPORT);
  uint16_t port = loops[0].srv->port;
  loops[1].srv = server_start_on(NULL, NULL, port, H2E_LOOP_REUSEPORT);
  assert_int_equal(loops[1].srv->port, port);
  /* Without SO_REUSEPORT the port is taken. */
  assert_int_equal(h2e_loop_listen_tcp("127.0.0.1", port, 0, 16),
                   H2E_LOOP_ERR_IO);
  for (int i = 0; i < 2; i++) {
    loops[i].stop = &stop;
    assert_int_equal(
        pthread_create(&loops[i].thread, NULL, run_loop, &loops[i]), 0);
  }
  int answered = 0;
  for (int i = 0; i < CONNECTIONS; i++) {
    client *cl = client_open(port, NULL, NULL);
    cli_stream *s = client_request(cl, "GET", "/hello", NULL, 0);
    uint64_t until = test_now_ms() + 10000;
    while (!s->done && cl->result != H2E_LOOP_DONE && test_now_ms() < until)
      client_step(cl, 10);
    if (s->done == 1 && s->len == strlen(HELLO_BODY) &&
        memcmp(s->body, HELLO_BODY, s->len) == 0)
      answered++;
    client_close(cl);
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < 2; i++)
    pthread_join(loops[i].thread, NULL);
  assert_int_equal(answered, CONNECTIONS);
  print_message("loop 0 accepted %zu, loop 1 accepted %zu\n",
                loops[0].srv->app.accepted, loops[1].srv->app.accepted);
  assert_int_equal(loops[0].srv->app.accepted + loops[1].srv->app.accepted,
                   CONNECTIONS);
  /* Both loops took connections (all 32 on one: odds 2^-31). */
  assert_true(loops[0].srv->app.accepted > 0);
  assert_true(loops[1].srv->app.accepted > 0);
  server_stop(loops[0].srv);
  server_stop(loops[1].srv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_two_loops_share_a_port_with_so_reuseport),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
