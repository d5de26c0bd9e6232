/* Connection pool: checkout, coalescing, stream limits, keys, GOAWAY
 * drain and retry, failure isolation. A fake caller pulls the pool's
 * actions (tests/support/pool_log.c) and reports facts; time is
 * simulated. */
#include "pool_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- coalescing ------------------------------------------------------- */

static void test_one_connect_in_flight_per_key(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r1 = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c1 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(fx_conn_state(f, c1), H2E_POOL_CONN_CONNECTING);
  uint32_t r2 = fx_checkout(f, "a.example", NULL);
  uint32_t r3 = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 0); /* no second connect for the key */
  assert_int_equal(fx_stats(f).connecting, 1);
  assert_int_equal(fx_stats(f).queued, 3);

  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  assert_int_equal(fx_pull(f), 3);
  fx_expect_submit(f, 0, r1, c1, 0);
  fx_expect_submit(f, 1, r2, c1, 0);
  fx_expect_submit(f, 2, r3, c1, 0);
  assert_int_equal(fx_conn_state(f, c1), H2E_POOL_CONN_ACTIVE);
  assert_int_equal(fx_conn_streams(f, c1), 3);
  assert_int_equal(fx_stats(f).queued, 0);
  assert_int_equal(fx_stats(f).in_flight, 3);
  fx_free(f);
}

static void test_n_requests_to_m_origins_use_m_connections(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  static const char *hosts[3] = {"a.example", "b.example", "c.example"};
  uint32_t requests[12];
  for (size_t i = 0; i < 12; i++)
    requests[i] = fx_checkout(f, hosts[i % 3], NULL);
  assert_int_equal(fx_pull(f), 3);
  uint32_t conns[3];
  for (size_t h = 0; h < 3; h++)
    conns[h] = fx_expect_connect(f, h, hosts[h]);
  for (size_t h = 0; h < 3; h++)
    assert_int_equal(h2e_pool_connected(f->pool, conns[h], H2E_POOL_PROTO_HTTP2,
                                        100, f->now),
                     0);
  assert_int_equal(fx_pull(f), 12);
  for (size_t i = 0; i < 12; i++) {
    const pool_log_entry *e = pool_log_find(&f->log, H2E_POOL_SUBMIT, i);
    /* served key by key, each request on its own key's connection */
    size_t h = i / 4;
    assert_int_equal(e->request, requests[h + 3 * (i % 4)]);
    assert_int_equal(e->conn, conns[h]);
  }
  assert_int_equal(fx_stats(f).connections, 3);
  for (size_t i = 0; i < 12; i++)
    assert_int_equal(h2e_pool_request_done(f->pool, requests[i], f->now), 0);
  assert_int_equal(fx_pull(f), 0);
  assert_int_equal(fx_stats(f).idle, 3);

  /* A second wave reuses the three idle connections. */
  for (size_t i = 0; i < 12; i++)
    requests[i] = fx_checkout(f, hosts[i % 3], NULL);
  assert_int_equal(fx_pull(f), 12);
  assert_int_equal(pool_log_count(&f->log, H2E_POOL_CONNECT), 0);
  for (size_t i = 0; i < 12; i++)
    fx_expect_submit(f, i, requests[i], conns[i % 3], 0);
  assert_int_equal(fx_stats(f).connections, 3);
  assert_int_equal(fx_stats(f).active, 3);
  fx_free(f);
}

/* ---- stream limits ---------------------------------------------------- */

static void test_second_connection_only_when_first_is_full(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r[5];
  uint32_t c1 = fx_ready_conn(f, "a.example", 2, r, 1);
  r[1] = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, r[1], c1, 0); /* room on c1: no connect */

  r[2] = fx_checkout(f, "a.example", NULL); /* c1 full (2 of 2) */
  assert_int_equal(fx_pull(f), 1);
  uint32_t c2 = fx_expect_connect(f, 0, "a.example");
  r[3] = fx_checkout(f, "a.example", NULL);
  r[4] = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 0);

  assert_int_equal(
      h2e_pool_connected(f->pool, c2, H2E_POOL_PROTO_HTTP2, 2, f->now), 0);
  assert_int_equal(fx_pull(f), 3);
  fx_expect_submit(f, 0, r[2], c2, 0);
  fx_expect_submit(f, 1, r[3], c2, 0);
  uint32_t c3 = fx_expect_connect(f, 2, "a.example"); /* both full now */

  /* A stream frees on c1 before c3 is up: r[4] takes it. */
  assert_int_equal(h2e_pool_request_done(f->pool, r[0], f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, r[4], c1, 0);
  assert_int_equal(
      h2e_pool_connected(f->pool, c3, H2E_POOL_PROTO_HTTP2, 2, f->now), 0);
  assert_int_equal(fx_pull(f), 0);
  assert_int_equal(fx_conn_state(f, c3), H2E_POOL_CONN_IDLE);
  assert_int_equal(fx_conn_streams(f, c1), 2);
  assert_int_equal(fx_conn_streams(f, c2), 2);
  fx_free(f);
}

static void test_larger_stream_limit_serves_waiting_requests(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r[3];
  uint32_t c1 = fx_ready_conn(f, "a.example", 1, r, 1);
  r[1] = fx_checkout(f, "a.example", NULL);
  r[2] = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c2 = fx_expect_connect(f, 0, "a.example");
  /* The peer's SETTINGS raise MAX_CONCURRENT_STREAMS to 3. */
  assert_int_equal(h2e_pool_stream_limit(f->pool, c1, 3, f->now), 0);
  assert_int_equal(fx_pull(f), 2);
  fx_expect_submit(f, 0, r[1], c1, 0);
  fx_expect_submit(f, 1, r[2], c1, 0);
  assert_int_equal(
      h2e_pool_connected(f->pool, c2, H2E_POOL_PROTO_HTTP2, 3, f->now), 0);
  assert_int_equal(fx_conn_state(f, c2), H2E_POOL_CONN_IDLE);
  fx_free(f);
}

static void test_queue_beyond_its_bound_is_wouldblock(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_queued_per_key = 3;
  fx *f = fx_new(&config);
  for (int i = 0; i < 3; i++)
    fx_checkout(f, "a.example", NULL);
  h2e_pool_key key = pool_test_key("a.example", NULL);
  assert_int_equal(h2e_pool_checkout(f->pool, &key, NULL, f->now),
                   H2E_ERR_WOULDBLOCK);
  assert_int_equal(fx_stats(f).queued, 3);
  /* Another key has its own queue. */
  fx_checkout(f, "b.example", NULL);
  assert_int_equal(fx_stats(f).queued, 4);
  fx_free(f);
}

static void test_request_table_full_is_wouldblock(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_requests = 4;
  fx *f = fx_new(&config);
  uint32_t r[4];
  fx_ready_conn(f, "a.example", 100, r, 3);
  r[3] = fx_checkout(f, "b.example", NULL);
  h2e_pool_key key = pool_test_key("a.example", NULL);
  assert_int_equal(h2e_pool_checkout(f->pool, &key, NULL, f->now),
                   H2E_ERR_WOULDBLOCK);
  assert_int_equal(h2e_pool_request_done(f->pool, r[0], f->now), 0);
  assert_true(h2e_pool_checkout(f->pool, &key, NULL, f->now) > 0);
  fx_free(f);
}

static void test_submit_over_engine_limit_lowers_it_and_waits(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r[2];
  r[0] = fx_checkout(f, "a.example", NULL);
  r[1] = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c1 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  assert_int_equal(fx_pull(f), 2);
  assert_int_equal(h2e_pool_submitted(f->pool, r[0], 1, f->now), 0);
  /* The engine knew better: only one stream. */
  assert_int_equal(
      h2e_pool_submitted(f->pool, r[1], H2E_ERR_STREAM_LIMIT, f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c2 = fx_expect_connect(f, 0, "a.example");
  h2e_pool_conn_info info;
  h2e_pool_conn_get_info(f->pool, c1, &info);
  assert_int_equal(info.stream_limit, 1);
  assert_int_equal(info.streams, 1);
  assert_int_equal(
      h2e_pool_connected(f->pool, c2, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, r[1], c2, 0); /* not a retry: never reached a peer */
  fx_free(f);
}

static void test_submit_on_closed_engine_drains_the_connection(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r[1];
  r[0] = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c1 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  assert_int_equal(
      h2e_pool_submitted(f->pool, r[0], H2E_ERR_CONN_CLOSED, f->now), 0);
  assert_int_equal(fx_pull(f), 2);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, c1, H2E_POOL_DRAINED);
  uint32_t c2 = fx_expect_connect(f, 1, "a.example");
  assert_int_not_equal(c1, c2);
  assert_int_equal(
      h2e_pool_submitted(f->pool, r[0], H2E_ERR_WOULDBLOCK, f->now),
      H2E_ERR_INVALID_ARG); /* waiting again, not in flight */
  fx_free(f);
}

/* ---- keys ------------------------------------------------------------- */

static void test_different_tls_digests_never_share(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  static const char *digests[3] = {"trust-1", "trust-2", NULL};
  for (int i = 0; i < 3; i++)
    fx_checkout(f, "a.example", digests[i]);
  assert_int_equal(fx_pull(f), 3);
  uint32_t conns[3];
  for (size_t i = 0; i < 3; i++) {
    conns[i] = fx_expect_connect(f, i, "a.example");
    assert_string_equal(fx_action(f, i)->digest, digests[i] ? digests[i] : "");
  }
  for (int i = 0; i < 3; i++)
    assert_int_equal(h2e_pool_connected(f->pool, conns[i], H2E_POOL_PROTO_HTTP2,
                                        100, f->now),
                     0);
  fx_pull(f);
  /* Each digest keeps to its own connection, with room left on all. */
  for (size_t round = 0; round < 2; round++)
    for (size_t i = 0; i < 3; i++) {
      uint32_t r = fx_checkout(f, "a.example", digests[i]);
      assert_int_equal(fx_pull(f), 1);
      fx_expect_submit(f, 0, r, conns[i], 0);
    }
  /* Scheme and port are part of the key too. */
  h2e_pool_key key = pool_test_key("a.example", NULL);
  key.port = 8443;
  assert_true(h2e_pool_checkout(f->pool, &key, NULL, f->now) > 0);
  key.port = 443;
  key.scheme = "http";
  key.scheme_len = 4;
  assert_true(h2e_pool_checkout(f->pool, &key, NULL, f->now) > 0);
  assert_int_equal(fx_pull(f), 2);
  assert_int_equal(pool_log_count(&f->log, H2E_POOL_CONNECT), 2);
  assert_int_equal(fx_stats(f).keys, 5);
  fx_free(f);
}

static void test_invalid_keys_and_configs_are_refused(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  char long_host[H2E_POOL_HOST_MAX + 2];
  memset(long_host, 'a', sizeof long_host - 1);
  long_host[sizeof long_host - 1] = 0;
  h2e_pool_key key = pool_test_key(long_host, NULL);
  assert_int_equal(h2e_pool_checkout(f->pool, &key, NULL, f->now),
                   H2E_ERR_INVALID_ARG);
  key = pool_test_key("", NULL);
  assert_int_equal(h2e_pool_checkout(f->pool, &key, NULL, f->now),
                   H2E_ERR_INVALID_ARG);
  key = pool_test_key("a.example", "0123456789abcdef0123456789abcdef!");
  assert_int_equal(h2e_pool_checkout(f->pool, &key, NULL, f->now),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_pool_checkout(f->pool, NULL, NULL, f->now),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(fx_pull(f), 0);
  fx_free(f);

  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_connections = 0;
  assert_null(h2e_pool_new(&config, NULL));
  assert_int_equal(h2e_pool_memsize(&config), 0);
  h2e_pool_config_init(&config);
  config.max_requests = 65536;
  assert_null(h2e_pool_new(&config, NULL));
}

/* ---- GOAWAY and retries ----------------------------------------------- */

static void
test_goaway_takes_no_new_streams_and_leaves_when_done(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r[3];
  uint32_t c1 = fx_ready_conn(f, "a.example", 100, r, 2);
  assert_int_equal(h2e_pool_goaway(f->pool, c1, f->now), 0);
  assert_int_equal(fx_pull(f), 0);
  assert_int_equal(fx_conn_state(f, c1), H2E_POOL_CONN_DRAINING);
  r[2] = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c2 = fx_expect_connect(f, 0, "a.example"); /* not c1 */
  assert_int_not_equal(c1, c2);
  assert_int_equal(h2e_pool_goaway(f->pool, c1, f->now), 0); /* again */
  assert_int_equal(h2e_pool_request_done(f->pool, r[0], f->now), 0);
  assert_int_equal(fx_pull(f), 0);
  assert_int_equal(h2e_pool_request_done(f->pool, r[1], f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, c1, H2E_POOL_DRAINED);
  assert_int_equal(fx_conn_state(f, c1), H2E_POOL_CONN_UNKNOWN);
  assert_int_equal(h2e_pool_goaway(f->pool, c1, f->now), H2E_ERR_INVALID_ARG);
  fx_free(f);
}

static void test_goaway_refused_requests_retry_on_another_conn(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r[3];
  uint32_t c1 = fx_ready_conn(f, "a.example", 100, r, 3);
  /* GOAWAY with last stream id 1: streams 3 and 5 were not processed. */
  assert_int_equal(h2e_pool_goaway(f->pool, c1, f->now), 0);
  assert_int_equal(h2e_pool_request_refused(f->pool, r[1], f->now), 0);
  assert_int_equal(h2e_pool_request_refused(f->pool, r[2], f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c2 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(fx_stats(f).queued, 2);
  assert_int_equal(
      h2e_pool_connected(f->pool, c2, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  assert_int_equal(fx_pull(f), 2);
  fx_expect_submit(f, 0, r[1], c2, 1);
  fx_expect_submit(f, 1, r[2], c2, 1);
  assert_int_equal(h2e_pool_request_done(f->pool, r[0], f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, c1, H2E_POOL_DRAINED);

  /* Refused a second time: a final failure, not another retry. */
  assert_int_equal(h2e_pool_request_refused(f->pool, r[1], f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_FAIL, r[1], H2E_POOL_REFUSED);
  assert_int_equal(fx_conn_streams(f, c2), 1);
  assert_int_equal(h2e_pool_request_done(f->pool, r[1], f->now),
                   H2E_ERR_INVALID_ARG);
  fx_free(f);
}

static void test_refused_stream_retries_on_another_conn(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r[2];
  uint32_t c1 = fx_ready_conn(f, "a.example", 100, r, 1);
  /* RST_STREAM REFUSED_STREAM on a healthy connection with room: the
   * retry still goes elsewhere. */
  assert_int_equal(h2e_pool_request_refused(f->pool, r[0], f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c2 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(fx_conn_state(f, c1), H2E_POOL_CONN_IDLE);
  /* Other requests still use c1. */
  r[1] = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, r[1], c1, 0);
  assert_int_equal(
      h2e_pool_connected(f->pool, c2, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, r[0], c2, 1);
  fx_free(f);
}

static void test_unpulled_submit_is_taken_back_by_goaway(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r[2];
  uint32_t c1 = fx_ready_conn(f, "a.example", 100, r, 1);
  r[1] = fx_checkout(f, "a.example", NULL); /* SUBMIT raised, not pulled */
  assert_int_equal(h2e_pool_goaway(f->pool, c1, f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c2 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(fx_conn_streams(f, c1), 1);
  assert_int_equal(
      h2e_pool_connected(f->pool, c2, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, r[1], c2, 0);
  fx_free(f);
}

/* ---- failure isolation ------------------------------------------------ */

static void test_dead_conn_fails_only_its_in_flight_requests(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r[5], b[1];
  uint32_t c1 = fx_ready_conn(f, "a.example", 2, r, 2);
  r[2] = fx_checkout(f, "a.example", NULL);
  r[3] = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c2 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(
      h2e_pool_connected(f->pool, c2, H2E_POOL_PROTO_HTTP2, 2, f->now), 0);
  assert_int_equal(fx_pull(f), 2);
  r[4] = fx_checkout(f, "a.example", NULL); /* both full: waits */
  assert_int_equal(fx_pull(f), 1);
  uint32_t c3 = fx_expect_connect(f, 0, "a.example");
  uint32_t other = fx_ready_conn(f, "b.example", 100, b, 1);

  assert_int_equal(h2e_pool_conn_dead(f->pool, c1, f->now), 0);
  assert_int_equal(fx_pull(f), 3);
  fx_expect_end(f, 0, H2E_POOL_FAIL, r[0], H2E_POOL_CONN_DEAD);
  fx_expect_end(f, 1, H2E_POOL_FAIL, r[1], H2E_POOL_CONN_DEAD);
  fx_expect_end(f, 2, H2E_POOL_CLOSE, c1, H2E_POOL_CONN_DEAD);
  /* The waiting request, the sibling and the other key are untouched. */
  assert_int_equal(fx_stats(f).queued, 1);
  assert_int_equal(fx_conn_streams(f, c2), 2);
  assert_int_equal(fx_conn_state(f, c3), H2E_POOL_CONN_CONNECTING);
  assert_int_equal(fx_conn_streams(f, other), 1);
  assert_int_equal(h2e_pool_request_done(f->pool, r[2], f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, r[4], c2, 0);
  assert_int_equal(h2e_pool_request_done(f->pool, b[0], f->now), 0);
  fx_free(f);
}

static void
test_connect_failure_fails_waiters_without_other_conn(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r1 = fx_checkout(f, "a.example", NULL);
  uint32_t r2 = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c1 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(h2e_pool_connect_failed(f->pool, c1, f->now), 0);
  assert_int_equal(fx_pull(f), 3);
  fx_expect_end(f, 0, H2E_POOL_FAIL, r1, H2E_POOL_CONNECT_ERROR);
  fx_expect_end(f, 1, H2E_POOL_FAIL, r2, H2E_POOL_CONNECT_ERROR);
  fx_expect_end(f, 2, H2E_POOL_CLOSE, c1, H2E_POOL_CONNECT_ERROR);
  assert_int_equal(fx_stats(f).keys, 0);
  assert_int_equal(fx_stats(f).connections, 0);
  fx_free(f);
}

static void test_connect_failure_keeps_waiters_of_other_conns(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r[3];
  uint32_t c1 = fx_ready_conn(f, "a.example", 1, r, 1);
  r[1] = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c2 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(h2e_pool_connect_failed(f->pool, c2, f->now), 0);
  assert_int_equal(fx_pull(f), 1); /* no reconnect loop */
  fx_expect_end(f, 0, H2E_POOL_CLOSE, c2, H2E_POOL_CONNECT_ERROR);
  assert_int_equal(fx_stats(f).queued, 1);
  /* The waiter gets c1's stream when it frees. */
  assert_int_equal(h2e_pool_request_done(f->pool, r[0], f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, r[1], c1, 0);
  /* A new request may try connecting again. */
  r[2] = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_connect(f, 0, "a.example");
  fx_free(f);
}

static void test_conn_dead_while_connecting_is_a_failed_connect(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r1 = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c1 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(h2e_pool_conn_dead(f->pool, c1, f->now), 0);
  assert_int_equal(fx_pull(f), 2); /* and no reconnect */
  fx_expect_end(f, 0, H2E_POOL_FAIL, r1, H2E_POOL_CONNECT_ERROR);
  fx_expect_end(f, 1, H2E_POOL_CLOSE, c1, H2E_POOL_CONNECT_ERROR);
  fx_free(f);
}

/* A connection is the caller's from its CONNECT action on: facts about
 * it before that (a guessed id) are refused, and it gets no CLOSE for a
 * CONNECT never handed out (found by fuzz/pool.c). */
static void test_facts_before_the_connect_is_pulled_are_refused(void **state) {
  (void)state;
  fx *seen = fx_new(NULL); /* ids are deterministic: learn the first one */
  fx_checkout(seen, "a.example", NULL);
  assert_int_equal(fx_pull(seen), 1);
  uint32_t c1 = fx_expect_connect(seen, 0, "a.example");
  fx_free(seen);
  fx *f = fx_new(NULL);
  fx_checkout(f, "a.example", NULL);
  assert_int_equal(h2e_pool_connect_failed(f->pool, c1, f->now),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_pool_conn_dead(f->pool, c1, f->now),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(fx_pull(f), 1);
  assert_int_equal(fx_expect_connect(f, 0, "a.example"), c1);
  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  fx_free(f);
}

/* ---- ids and states --------------------------------------------------- */

static void test_cancelled_waiting_request_leaves_quietly(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t r1 = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c1 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(h2e_pool_request_done(f->pool, r1, f->now), 0);
  assert_int_equal(fx_stats(f).queued, 0);
  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  assert_int_equal(fx_pull(f), 0);
  assert_int_equal(fx_conn_state(f, c1), H2E_POOL_CONN_IDLE);
  fx_free(f);
}

static void test_facts_out_of_state_and_stale_ids_rejected(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  int marker;
  h2e_pool_key key = pool_test_key("a.example", NULL);
  int32_t r1 = h2e_pool_checkout(f->pool, &key, &marker, f->now);
  assert_true(r1 > 0);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c1 = fx_expect_connect(f, 0, "a.example");
  assert_int_equal(h2e_pool_stream_limit(f->pool, c1, 5, f->now), 0);
  assert_int_equal(h2e_pool_goaway(f->pool, c1, f->now), H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_pool_request_refused(f->pool, (uint32_t)r1, f->now),
                   H2E_ERR_INVALID_ARG); /* not in flight */
  assert_int_equal(h2e_pool_conn_set_user_data(f->pool, c1, &marker), 0);
  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP2, 100, f->now),
      H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_pool_connect_failed(f->pool, c1, f->now),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(fx_pull(f), 1);
  assert_ptr_equal(fx_action(f, 0)->request_user_data, &marker);
  h2e_pool_conn_info info;
  h2e_pool_conn_get_info(f->pool, c1, &info);
  assert_int_equal(info.stream_limit, 100); /* the early limit is ignored */
  assert_ptr_equal(fx_action(f, 0)->conn_user_data, &marker);
  assert_int_equal(h2e_pool_request_done(f->pool, (uint32_t)r1, f->now), 0);
  assert_int_equal(h2e_pool_request_done(f->pool, (uint32_t)r1, f->now),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_pool_conn_dead(f->pool, c1, f->now), 0);
  /* Reports that cross the CLOSE are ignored until it is pulled. */
  assert_int_equal(h2e_pool_conn_dead(f->pool, c1, f->now), 0);
  assert_int_equal(fx_conn_state(f, c1), H2E_POOL_CONN_CLOSING);
  assert_int_equal(fx_pull(f), 1);
  assert_ptr_equal(fx_action(f, 0)->conn_user_data, &marker);
  assert_int_equal(h2e_pool_conn_dead(f->pool, c1, f->now),
                   H2E_ERR_INVALID_ARG);
  assert_null(h2e_pool_conn_get_user_data(f->pool, c1));
  assert_int_equal(h2e_pool_conn_dead(f->pool, 0, f->now), H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_pool_request_done(f->pool, 0xffff, f->now),
                   H2E_ERR_INVALID_ARG);
  /* The slot comes back under another id. */
  fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  assert_int_not_equal(fx_expect_connect(f, 0, "a.example"), c1);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_one_connect_in_flight_per_key),
      cmocka_unit_test(test_n_requests_to_m_origins_use_m_connections),
      cmocka_unit_test(test_second_connection_only_when_first_is_full),
      cmocka_unit_test(test_larger_stream_limit_serves_waiting_requests),
      cmocka_unit_test(test_queue_beyond_its_bound_is_wouldblock),
      cmocka_unit_test(test_request_table_full_is_wouldblock),
      cmocka_unit_test(test_submit_over_engine_limit_lowers_it_and_waits),
      cmocka_unit_test(test_submit_on_closed_engine_drains_the_connection),
      cmocka_unit_test(test_different_tls_digests_never_share),
      cmocka_unit_test(test_invalid_keys_and_configs_are_refused),
      cmocka_unit_test(test_goaway_takes_no_new_streams_and_leaves_when_done),
      cmocka_unit_test(test_goaway_refused_requests_retry_on_another_conn),
      cmocka_unit_test(test_refused_stream_retries_on_another_conn),
      cmocka_unit_test(test_unpulled_submit_is_taken_back_by_goaway),
      cmocka_unit_test(test_dead_conn_fails_only_its_in_flight_requests),
      cmocka_unit_test(test_connect_failure_fails_waiters_without_other_conn),
      cmocka_unit_test(test_connect_failure_keeps_waiters_of_other_conns),
      cmocka_unit_test(test_conn_dead_while_connecting_is_a_failed_connect),
      cmocka_unit_test(test_facts_before_the_connect_is_pulled_are_refused),
      cmocka_unit_test(test_cancelled_waiting_request_leaves_quietly),
      cmocka_unit_test(test_facts_out_of_state_and_stale_ids_rejected),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
