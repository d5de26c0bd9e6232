/* The connection pool driving real h2e_conn engines: each pool
 * connection is a client/server pair in memory (tests/support/
 * conn_pair.c), and the pool learns its facts from the client's events
 * through h2e_pool_conn_event. */
#include "conn_pair.h"
#include "pool_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { CONNS_MAX = 8 };

/* The caller: one in-memory pair per pool connection, servers configured
 * alike. */
typedef struct driver {
  fx *f;
  h2e_config server_config;
  pair *pairs[CONNS_MAX];
  uint32_t conn_ids[CONNS_MAX];
  size_t npairs;
  size_t closed;
} driver;

static pair *pair_of(driver *d, uint32_t conn) {
  for (size_t i = 0; i < d->npairs; i++)
    if (d->conn_ids[i] == conn)
      return d->pairs[i];
  fail_msg("no pair for connection %u", conn);
  return NULL;
}

static h2e_event event_of(const pair_event *r) {
  h2e_event ev;
  memset(&ev, 0, sizeof ev);
  ev.type = r->type;
  ev.stream_id = r->stream_id;
  if (r->type == H2E_EV_STREAM_RESET) {
    ev.u.reset.error_code = r->code;
    ev.u.reset.by_peer = r->by_peer;
    ev.u.reset.retryable = r->retryable;
  } else if (r->type == H2E_EV_GOAWAY) {
    ev.u.goaway.last_stream_id = r->last_stream_id;
    ev.u.goaway.error_code = r->code;
  } else if (r->type == H2E_EV_CONN_ERROR) {
    ev.u.conn_error.error_code = r->code;
    ev.u.conn_error.by_peer = r->by_peer;
  }
  return ev;
}

/* Hands the client events of a connection to the pool. */
static void feed_events(driver *d, uint32_t conn) {
  pair *p = pair_of(d, conn);
  for (size_t i = 0; i < p->client.nlog; i++) {
    h2e_event ev = event_of(&p->client.log[i]);
    assert_int_equal(
        h2e_pool_conn_event(d->f->pool, conn, p->client.conn, &ev, d->f->now),
        0);
  }
  pair_clear_log(&p->client);
}

static void connect_pair(driver *d, uint32_t conn) {
  assert_true(d->npairs < CONNS_MAX);
  pair *p = pair_new(NULL, &d->server_config);
  d->pairs[d->npairs] = p;
  d->conn_ids[d->npairs++] = conn;
  pair_pump(p); /* TCP, TLS with ALPN "h2", prefaces and SETTINGS */
  assert_int_equal(h2e_pool_conn_set_user_data(d->f->pool, conn, p), 0);
  uint32_t limit = h2e_conn_peer_setting(p->client.conn,
                                         H2E_SETTINGS_MAX_CONCURRENT_STREAMS);
  assert_int_equal(h2e_pool_connected(d->f->pool, conn, H2E_POOL_PROTO_HTTP2,
                                      limit, d->f->now),
                   0);
  feed_events(d, conn);
}

static void submit(driver *d, const pool_log_entry *e) {
  pair *p = e->conn_user_data;
  assert_ptr_equal(p, pair_of(d, e->conn));
  int32_t stream =
      h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  assert_true(stream > 0);
  assert_int_equal(
      h2e_pool_submitted(d->f->pool, e->request, stream, d->f->now), 0);
}

/* Performs every action the pool asks for, until it asks nothing; the
 * log keeps all of them. */
static void run_actions(driver *d) {
  pool_log_clear(&d->f->log);
  size_t done = 0;
  while (pool_log_pull(d->f->pool, &d->f->log) > 0) {
    for (; done < d->f->log.count; done++) {
      const pool_log_entry *e = &d->f->log.entries[done];
      if (e->type == H2E_POOL_CONNECT)
        connect_pair(d, e->conn);
      else if (e->type == H2E_POOL_SUBMIT)
        submit(d, e);
      else if (e->type == H2E_POOL_CLOSE)
        d->closed++;
    }
  }
}

/* Moves a pair's bytes and reports what its client saw. */
static void pump(driver *d, uint32_t conn) {
  pair_pump(pair_of(d, conn));
  feed_events(d, conn);
}

static void respond(pair *p, uint32_t stream) {
  assert_int_equal(h2e_submit_headers(p->server.conn, stream, pair_ok_response,
                                      2, H2E_END_STREAM),
                   0);
}

static driver *driver_new(uint32_t server_streams) {
  driver *d = calloc(1, sizeof *d);
  assert_non_null(d);
  d->f = fx_new(NULL);
  h2e_config_init(&d->server_config, H2E_SERVER);
  d->server_config.max_concurrent_streams = server_streams;
  return d;
}

static void driver_free(driver *d) {
  for (size_t i = 0; i < d->npairs; i++)
    pair_free(d->pairs[i]);
  fx_free(d->f);
  free(d);
}

static void test_real_engines_stream_limit_refusal_goaway(void **state) {
  (void)state;
  driver *d = driver_new(2);
  uint32_t r[4];
  for (int i = 0; i < 3; i++)
    r[i] = fx_checkout(d->f, "h2.example", NULL);
  run_actions(d);
  /* c1 takes two streams (the server's limit), c2 the third. */
  assert_int_equal(pool_log_count(&d->f->log, H2E_POOL_CONNECT), 2);
  uint32_t c1 = d->conn_ids[0], c2 = d->conn_ids[1];
  pair *a = d->pairs[0], *b = d->pairs[1];
  assert_int_equal(fx_conn_streams(d->f, c1), 2);
  assert_int_equal(fx_conn_streams(d->f, c2), 1);
  pair_pump(a);
  pair_pump(b);
  assert_int_equal(pair_count(&a->server, H2E_EV_HEADERS, 0), 2);
  assert_int_equal(pair_count(&b->server, H2E_EV_HEADERS, 0), 1);

  /* Server A answers stream 1 and refuses stream 3. */
  respond(a, 1);
  assert_int_equal(h2e_submit_rst_stream(a->server.conn, 3, H2E_REFUSED_STREAM),
                   0);
  pump(d, c1);
  run_actions(d);
  assert_int_equal(d->f->log.count, 1); /* the retry, on c2 */
  fx_expect_submit(d->f, 0, r[1], c2, 1);
  assert_int_equal(fx_conn_state(d->f, c1), H2E_POOL_CONN_IDLE);
  pair_pump(b);
  respond(b, 1);
  respond(b, 3);
  pump(d, c2);
  assert_int_equal(fx_stats(d->f).in_flight, 0);
  assert_int_equal(fx_conn_state(d->f, c2), H2E_POOL_CONN_IDLE);

  /* Server A says GOAWAY: c1 drains (nothing open) and leaves. */
  assert_int_equal(
      h2e_submit_goaway(a->server.conn, H2E_NO_ERROR, NULL, d->f->now), 0);
  pump(d, c1);
  run_actions(d);
  fx_expect_end(d->f, 0, H2E_POOL_CLOSE, c1, H2E_POOL_DRAINED);

  /* A new request goes to c2; no new connection. */
  r[3] = fx_checkout(d->f, "h2.example", NULL);
  run_actions(d);
  assert_int_equal(d->f->log.count, 1);
  fx_expect_submit(d->f, 0, r[3], c2, 0);
  pair_pump(b);
  respond(b, 5);
  pump(d, c2);
  assert_int_equal(d->npairs, 2);
  d->f->now += 240000;
  h2e_pool_tick(d->f->pool, d->f->now);
  run_actions(d);
  fx_expect_end(d->f, 0, H2E_POOL_CLOSE, c2, H2E_POOL_IDLE_TIMEOUT);
  assert_int_equal(fx_stats(d->f).connections, 0);
  driver_free(d);
}

static void test_real_engine_connection_error_fails_its_streams(void **state) {
  (void)state;
  driver *d = driver_new(100);
  uint32_t ra = fx_checkout(d->f, "a.example", NULL);
  uint32_t rb = fx_checkout(d->f, "b.example", NULL);
  run_actions(d);
  uint32_t ca = d->conn_ids[0], cb = d->conn_ids[1];
  pair *a = d->pairs[0], *b = d->pairs[1];
  pair_pump(a);
  pair_pump(b);
  /* Server A ends its connection with an error while stream 1 is open. */
  assert_int_equal(
      h2e_submit_goaway(a->server.conn, H2E_INTERNAL_ERROR, "bye", d->f->now),
      0);
  pump(d, ca);
  run_actions(d);
  assert_int_equal(d->f->log.count, 2);
  fx_expect_end(d->f, 0, H2E_POOL_FAIL, ra, H2E_POOL_CONN_DEAD);
  fx_expect_end(d->f, 1, H2E_POOL_CLOSE, ca, H2E_POOL_CONN_DEAD);
  /* Connection B and its request are untouched. */
  assert_int_equal(fx_conn_state(d->f, cb), H2E_POOL_CONN_ACTIVE);
  respond(b, 1);
  pump(d, cb);
  assert_int_equal(fx_conn_state(d->f, cb), H2E_POOL_CONN_IDLE);
  assert_int_equal(h2e_pool_request_done(d->f->pool, rb, d->f->now),
                   H2E_ERR_INVALID_ARG); /* already done via its event */
  driver_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_real_engines_stream_limit_refusal_goaway),
      cmocka_unit_test(test_real_engine_connection_error_fails_its_streams),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
