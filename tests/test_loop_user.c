/* The user-loop adapter on its own: two h2e_loop_conn over a socketpair,
 * driven by the test; what each asks to wait for; timers run from
 * h2e_loop_conn_deadline; the epoll loop's timers end a connection whose
 * peer never acknowledges SETTINGS (RFC 9113 §6.5.3). */
#include "test_loop_harness.h"

#include <sys/socket.h>

typedef struct side {
  h2e_loop_conn *lc;
  h2e_config config;
  int events[32]; /* count per h2e_event_type */
  int status;
} side;

static void side_open(side *s, h2e_role role, int fd, uint64_t keepalive_ms) {
  memset(s, 0, sizeof *s);
  h2e_config_init(&s->config, role);
  s->config.keepalive_ms = keepalive_ms;
  h2e_loop_conn_options options = {.config = &s->config};
  s->lc = h2e_loop_conn_new(&options, fd, test_now_ms());
  assert_non_null(s->lc);
}

static unsigned readiness(const side *s);

/* One io round with every event pulled; a request is answered. The
 * readiness is polled again after each turn (a turn may be a tick that
 * only gave buffers back). */
static int side_run(side *s, unsigned ready) {
  int rc;
  h2e_conn *c = h2e_loop_conn_engine(s->lc);
  while ((rc = h2e_loop_conn_io(s->lc, ready, test_now_ms())) ==
         H2E_LOOP_EVENTS) {
    h2e_event ev;
    while (h2e_conn_next_event(c, &ev)) {
      s->events[ev.type]++;
      if (ev.type == H2E_EV_HEADERS &&
          ev.u.headers.kind == H2E_HEADERS_REQUEST) {
        h2e_field status[] = {FIELD(":status", "204")};
        assert_int_equal(
            h2e_submit_headers(c, ev.stream_id, status, 1, H2E_END_STREAM), 0);
      } else if (ev.type == H2E_EV_HEADERS) {
        s->status = atoi((const char *)ev.u.headers.fields[0].value);
      }
    }
    ready = readiness(s);
  }
  return rc;
}

static unsigned readiness(const side *s) {
  unsigned interest = h2e_loop_conn_interest(s->lc);
  struct pollfd p = {h2e_loop_conn_fd(s->lc), 0, 0};
  p.events = (short)((interest & H2E_WANT_READ ? POLLIN : 0) |
                     (interest & H2E_WANT_WRITE ? POLLOUT : 0));
  if (poll(&p, 1, 0) <= 0)
    return 0;
  return (p.revents & POLLIN ? H2E_WANT_READ : 0u) |
         (p.revents & POLLOUT ? H2E_WANT_WRITE : 0u);
}

/* The client PINGs after keepalive_ms of silence (0: never; a slow run,
 * under valgrind, must not see its connection end for an unanswered one). */
static void pair_open(side *cli, side *srv_side, uint64_t keepalive_ms) {
  int fds[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  side_open(cli, H2E_CLIENT, fds[0], keepalive_ms);
  side_open(srv_side, H2E_SERVER, fds[1], 0);
}

static void pair_turns(side *cli, side *srv_side, int turns) {
  for (int i = 0; i < turns; i++) {
    side_run(cli, readiness(cli));
    side_run(srv_side, readiness(srv_side));
  }
}

static void test_interest_follows_the_engine(void **state) {
  (void)state;
  side cli, srv_side;
  pair_open(&cli, &srv_side, 0);
  /* A new cli has its preface to write and wants input too. */
  assert_int_equal(h2e_loop_conn_interest(cli.lc),
                   H2E_WANT_READ | H2E_WANT_WRITE);
  assert_string_equal(h2e_loop_conn_protocol(cli.lc), "h2c");
  /* Writing the preface is progress: the application hears of it. */
  assert_int_equal(h2e_loop_conn_io(cli.lc, 0, test_now_ms()), H2E_LOOP_EVENTS);
  /* Then, idle, the engine asks for a tick or two to give its buffers
   * back, and the connection settles. */
  int turns = 0;
  while (h2e_loop_conn_io(cli.lc, 0, test_now_ms()) == H2E_LOOP_EVENTS)
    assert_true(++turns <= 2);
  assert_int_equal(h2e_loop_conn_interest(cli.lc), H2E_WANT_READ);
  /* Idle turns (buffers given back) may come between the exchanges. */
  pair_turns(&cli, &srv_side, 8);
  assert_int_equal(cli.events[H2E_EV_SETTINGS], 1);
  assert_int_equal(cli.events[H2E_EV_SETTINGS_ACK], 1);
  assert_int_equal(srv_side.events[H2E_EV_SETTINGS_ACK], 1);

  h2e_field get[] = {FIELD(":method", "GET"), FIELD(":scheme", "http"),
                     FIELD(":authority", "x"), FIELD(":path", "/")};
  assert_int_equal(
      h2e_submit_request(h2e_loop_conn_engine(cli.lc), get, 4, H2E_END_STREAM),
      1);
  assert_int_equal(h2e_loop_conn_interest(cli.lc),
                   H2E_WANT_READ | H2E_WANT_WRITE);
  pair_turns(&cli, &srv_side, 4);
  assert_int_equal(cli.status, 204);
  assert_int_equal(cli.events[H2E_EV_STREAM_CLOSED], 1);
  h2e_loop_conn_stats st;
  h2e_loop_conn_get_stats(cli.lc, &st);
  assert_true(st.bytes_written > 24 && st.reads >= 2);

  /* The srv_side's end closes: the cli sees end of stream. */
  h2e_loop_conn_free(srv_side.lc);
  assert_int_equal(side_run(&cli, H2E_WANT_READ), H2E_LOOP_DONE);
  assert_int_equal(h2e_loop_conn_error(cli.lc), H2E_LOOP_ERR_EOF);
  assert_int_equal(h2e_loop_conn_interest(cli.lc), H2E_CLOSED);
  h2e_loop_conn_free(cli.lc);
}

/* Keepalive (a timer of the engine): the deadline says when; io at that
 * time sends the PING (17 octets), the peer's ACK (17 octets) comes back,
 * and the next deadline moves on. */
static void test_deadline_drives_keepalive_ping(void **state) {
  (void)state;
  side cli, srv_side;
  pair_open(&cli, &srv_side, 50);
  pair_turns(&cli, &srv_side, 4);
  uint64_t deadline = h2e_loop_conn_deadline(cli.lc);
  assert_true(deadline != UINT64_MAX);
  assert_true(deadline <= test_now_ms() + 50);
  assert_int_equal(h2e_loop_conn_deadline(srv_side.lc), UINT64_MAX);
  h2e_loop_conn_stats cli_before, srv_before, cli_after, srv_after;
  h2e_loop_conn_get_stats(cli.lc, &cli_before);
  h2e_loop_conn_get_stats(srv_side.lc, &srv_before);
  while (test_now_ms() < deadline)
    usleep(1000);
  pair_turns(&cli, &srv_side, 4);
  h2e_loop_conn_get_stats(cli.lc, &cli_after);
  h2e_loop_conn_get_stats(srv_side.lc, &srv_after);
  assert_int_equal(cli_after.bytes_written - cli_before.bytes_written, 17);
  assert_int_equal(srv_after.bytes_read - srv_before.bytes_read, 17);
  assert_int_equal(srv_after.bytes_written - srv_before.bytes_written, 17);
  assert_int_equal(cli_after.bytes_read - cli_before.bytes_read, 17);
  assert_true(h2e_loop_conn_deadline(cli.lc) > deadline);
  h2e_loop_conn_free(cli.lc);
  h2e_loop_conn_free(srv_side.lc);
}

/* RFC 9113 §6.5.3: no SETTINGS ACK within the timeout is a connection
 * error SETTINGS_TIMEOUT. The epoll loop wakes for the deadline on its
 * own, sends GOAWAY and closes. */
static void test_6_5_3_loop_timer_ends_a_peer_that_never_acks(void **state) {
  (void)state;
  server *srv = calloc(1, sizeof *srv);
  h2e_config_init(&srv->config, H2E_SERVER);
  srv->config.settings_timeout_ms = 100;
  srv->options.config = &srv->config;
  srv->loop = h2e_loop_new(&srv_handlers, NULL, &srv->app);
  int listen_fd = h2e_loop_listen_tcp("127.0.0.1", 0, 0, 4);
  srv->port = (uint16_t)h2e_loop_local_port(listen_fd);
  assert_int_equal(h2e_loop_add_listener(srv->loop, listen_fd, &srv->options),
                   0);
  int fd = h2e_loop_connect_tcp("127.0.0.1", srv->port);
  static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  uint8_t hello[24 + 9];
  memcpy(hello, preface, 24);
  h2e_frame_write_header(hello + 24, 0, H2E_FRAME_SETTINGS, 0, 0);
  assert_int_equal(write(fd, hello, sizeof hello), (ptrdiff_t)sizeof hello);
  uint64_t start = test_now_ms(), until = start + 5000;
  while (srv->app.closed == 0 && test_now_ms() < until)
    h2e_loop_run_once(srv->loop, -1); /* the deadline bounds the wait */
  assert_int_equal(srv->app.closed, 1);
  assert_true(test_now_ms() - start >= 100);
  assert_int_equal(srv->app.last_error, 0);
  /* SETTINGS, SETTINGS ACK, then GOAWAY(SETTINGS_TIMEOUT), then EOF. */
  uint8_t in[256];
  size_t len = 0;
  ptrdiff_t n;
  while ((n = read(fd, in + len, sizeof in - len)) > 0)
    len += (size_t)n;
  size_t at = 0;
  h2e_frame_header hd = {0};
  while (at + 9 <= len) {
    h2e_frame_header_decode(in + at, &hd);
    if (hd.type == H2E_FRAME_GOAWAY)
      break;
    at += 9 + hd.length;
  }
  assert_int_equal(hd.type, H2E_FRAME_GOAWAY);
  const uint8_t *code = in + at + 9 + 4;
  assert_int_equal((uint32_t)code[0] << 24 | code[1] << 16 | code[2] << 8 |
                       code[3],
                   H2E_SETTINGS_TIMEOUT);
  close(fd);
  server_stop(srv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_interest_follows_the_engine),
      cmocka_unit_test(test_deadline_drives_keepalive_ping),
      cmocka_unit_test(test_6_5_3_loop_timer_ends_a_peer_that_never_acks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
