/* The adapters end to end over loopback TCP: an h2e server on the epoll
 * loop (h2e_loop) and an h2e client on the user-loop adapter
 * (h2e_loop_conn driven by poll from the test) exchange requests and
 * bodies byte for byte; a large file-region body goes out with sendfile. */
#include "test_loop_harness.h"

#include <stdio.h>

static void test_get_returns_the_body_over_h2c(void **state) {
  (void)state;
  server *srv = server_start(NULL, NULL);
  client *cl = client_open(srv->port, NULL, NULL);
  cli_stream *s = client_request(cl, "GET", "/hello", NULL, 0);
  pump(srv, cl);
  assert_int_equal(s->done, 1);
  assert_int_equal(s->status, 200);
  assert_int_equal(s->len, strlen(HELLO_BODY));
  assert_memory_equal(s->body, HELLO_BODY, s->len);
  assert_string_equal(h2e_loop_conn_protocol(cl->lc), "h2c");
  assert_string_equal(srv->app.last_protocol, "h2c");
  assert_int_equal(srv->app.accepted, 1);
  client_close(cl);
  server_stop(srv);
}

/* Bodies larger than every window (65535) cross in both directions:
 * flow control, WINDOW_UPDATE and partial writes all take part. */
static void test_posted_bodies_come_back_byte_exact(void **state) {
  (void)state;
  server *srv = server_start(NULL, NULL);
  client *cl = client_open(srv->port, NULL, NULL);
  static const size_t sizes[] = {0, 1, 16384, 100000, 1 << 20, 3000000};
  enum { COUNT = sizeof sizes / sizeof sizes[0] };
  uint8_t *bodies[COUNT];
  cli_stream *streams[COUNT];
  for (size_t i = 0; i < COUNT; i++) {
    bodies[i] = pattern_new(sizes[i], (unsigned)i);
    streams[i] = client_request(cl, "POST", "/echo", bodies[i], sizes[i]);
  }
  pump(srv, cl);
  for (size_t i = 0; i < COUNT; i++) {
    assert_int_equal(streams[i]->done, 1);
    assert_int_equal(streams[i]->status, 200);
    assert_int_equal(streams[i]->len, sizes[i]);
    if (sizes[i])
      assert_memory_equal(streams[i]->body, bodies[i], sizes[i]);
    free(bodies[i]);
  }
  assert_int_equal(srv->app.responses, COUNT);
  client_close(cl);
  server_stop(srv);
}

static void test_many_connections_one_loop(void **state) {
  (void)state;
  server *srv = server_start(NULL, NULL);
  client *clients[8];
  for (int i = 0; i < 8; i++) {
    clients[i] = client_open(srv->port, NULL, NULL);
    client_request(clients[i], "GET", "/hello", NULL, 0);
  }
  uint64_t until = test_now_ms() + 10000;
  int done = 0;
  while (done < 8 && test_now_ms() < until) {
    h2e_loop_run_once(srv->loop, 0);
    done = 0;
    for (int i = 0; i < 8; i++) {
      client_step(clients[i], 0);
      done += client_all_done(clients[i]);
    }
  }
  assert_int_equal(done, 8);
  assert_int_equal(h2e_loop_conn_count(srv->loop), 8);
  for (int i = 0; i < 8; i++) {
    assert_memory_equal(clients[i]->streams[0].body, HELLO_BODY,
                        strlen(HELLO_BODY));
    client_close(clients[i]);
  }
  /* Each client's close reaches the server as end of stream. */
  until = test_now_ms() + 10000;
  while (h2e_loop_conn_count(srv->loop) > 0 && test_now_ms() < until)
    h2e_loop_run_once(srv->loop, 10);
  assert_int_equal(srv->app.closed, 8);
  assert_int_equal(srv->app.last_error, H2E_LOOP_ERR_EOF);
  server_stop(srv);
}

static int temp_file(size_t len, uint8_t **content) {
  char path[] = "/tmp/h2e-loop-file-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  unlink(path);
  *content = pattern_new(len, 7);
  assert_int_equal(write(fd, *content, len), (ptrdiff_t)len);
  return fd;
}

/* A file region submitted with h2e_submit_file leaves through sendfile:
 * the server's sendfile count covers the whole body, which arrives whole. */
static void test_file_region_body_goes_out_with_sendfile(void **state) {
  (void)state;
  const size_t len = 8u << 20;
  uint8_t *content;
  server *srv = server_start(NULL, NULL);
  srv->app.file_fd = temp_file(len, &content);
  srv->app.file_len = len;
  client *cl = client_open(srv->port, NULL, NULL);
  /* A window as large as the body, so the socket is the only limit. */
  h2e_setting window = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, (1u << 31) - 1};
  assert_int_equal(h2e_submit_settings(h2e_loop_conn_engine(cl->lc), &window, 1,
                                       test_now_ms()),
                   0);
  cli_stream *s = client_request(cl, "GET", "/file", NULL, 0);
  pump(srv, cl);
  assert_int_equal(s->done, 1);
  assert_int_equal(s->len, len);
  assert_memory_equal(s->body, content, len);
  assert_int_equal(srv->app.stats.bytes_sendfile, len);
  /* Frame headers and the rest went through writev. */
  assert_true(srv->app.stats.bytes_written > len);
  assert_true(srv->app.stats.bytes_written < len + len / 100);
  client_close(cl);
  close(srv->app.file_fd);
  server_stop(srv);
  free(content);
}

/* A client on the epoll loop too: h2e_loop_add takes its connection,
 * requests submitted outside a ready handler go out with h2e_loop_drive,
 * and h2e_loop_close ends it through the closed handler. */
static void cli_loop_ready(h2e_loop *loop, h2e_loop_conn *lc) {
  (void)loop;
  client *cl = h2e_loop_conn_get_user_data(lc);
  h2e_event ev;
  while (h2e_conn_next_event(h2e_loop_conn_engine(lc), &ev))
    cli_event(cl, &ev);
}

static void cli_loop_closed(h2e_loop *loop, h2e_loop_conn *lc) {
  (void)loop;
  client *cl = h2e_loop_conn_get_user_data(lc);
  cl->result = H2E_LOOP_DONE;
  cl->lc = NULL;
}

static void pump_loops(server *srv, h2e_loop *client_loop, client *cl) {
  uint64_t until = test_now_ms() + 10000;
  while (!client_all_done(cl) && test_now_ms() < until) {
    h2e_loop_run_once(srv->loop, 0);
    h2e_loop_run_once(client_loop, 1);
  }
}

static void test_client_driven_by_the_epoll_loop(void **state) {
  (void)state;
  static const h2e_loop_handlers handlers = {NULL, cli_loop_ready,
                                             cli_loop_closed};
  server *srv = server_start(NULL, NULL);
  h2e_loop *client_loop = h2e_loop_new(&handlers, NULL, NULL);
  client *cl = client_open(srv->port, NULL, NULL);
  h2e_loop_conn_set_user_data(cl->lc, cl);
  assert_int_equal(h2e_loop_add(client_loop, cl->lc), 0);
  assert_int_equal(h2e_loop_conn_count(client_loop), 1);
  for (int round = 0; round < 3; round++) {
    uint8_t body[1000];
    memset(body, 'a' + round, sizeof body);
    cli_stream *s = client_request(cl, "POST", "/echo", body, sizeof body);
    h2e_loop_drive(client_loop, cl->lc);
    pump_loops(srv, client_loop, cl);
    assert_int_equal(s->done, 1);
    assert_int_equal(s->len, sizeof body);
    assert_memory_equal(s->body, body, sizeof body);
  }
  h2e_loop_close(client_loop, cl->lc);
  assert_null(cl->lc);
  assert_int_equal(h2e_loop_conn_count(client_loop), 0);
  /* The loop has nothing left to run. */
  assert_int_equal(h2e_loop_run(client_loop), 0);
  uint64_t until = test_now_ms() + 5000;
  while (srv->app.closed == 0 && test_now_ms() < until)
    h2e_loop_run_once(srv->loop, 10);
  assert_int_equal(srv->app.closed, 1);
  assert_int_equal(srv->app.last_error, H2E_LOOP_ERR_EOF);
  h2e_loop_free(client_loop);
  client_close(cl);
  server_stop(srv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_get_returns_the_body_over_h2c),
      cmocka_unit_test(test_posted_bodies_come_back_byte_exact),
      cmocka_unit_test(test_many_connections_one_loop),
      cmocka_unit_test(test_file_region_body_goes_out_with_sendfile),
      cmocka_unit_test(test_client_driven_by_the_epoll_loop),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
