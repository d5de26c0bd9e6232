/* Connection pool: idle eviction (timeout, LRU, max idle, connection
 * limit), the protocol negotiation cache, tunnels through pooled
 * connections, and memory. Time is simulated. */
#include "pool_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A ready connection to host carrying one request, which ends at `at`:
 * the connection is idle from then on. */
static uint32_t idle_conn(fx *f, const char *host, uint64_t at) {
  uint32_t r;
  uint32_t conn = fx_ready_conn(f, host, 100, &r, 1);
  f->now = at;
  assert_int_equal(h2e_pool_request_done(f->pool, r, f->now), 0);
  return conn;
}

static void tick(fx *f, uint64_t at) {
  f->now = at;
  h2e_pool_tick(f->pool, at);
}

/* ---- idle eviction ---------------------------------------------------- */

static void test_idle_timeout_defaults_to_240_s(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  assert_int_equal(config.idle_timeout_ms, 240000);
  fx *f = fx_new(NULL);
  assert_int_equal(h2e_pool_deadline(f->pool), UINT64_MAX);
  uint32_t c1 = idle_conn(f, "a.example", 5000);
  assert_int_equal(fx_conn_state(f, c1), H2E_POOL_CONN_IDLE);
  assert_int_equal(h2e_pool_deadline(f->pool), 245000);
  tick(f, 244999);
  assert_int_equal(fx_pull(f), 0);
  tick(f, 245000);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, c1, H2E_POOL_IDLE_TIMEOUT);
  assert_int_equal(h2e_pool_deadline(f->pool), UINT64_MAX);
  assert_int_equal(fx_stats(f).connections, 0);
  fx_free(f);
}

static void test_idle_conns_leave_least_recently_used_first(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t ca = idle_conn(f, "a.example", 10000);
  uint32_t cb = idle_conn(f, "b.example", 20000);
  uint32_t cc = idle_conn(f, "c.example", 30000);
  /* a is used again, so b is now the least recently used. */
  f->now = 35000;
  uint32_t r = fx_checkout(f, "a.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, r, ca, 0);
  f->now = 40000;
  assert_int_equal(h2e_pool_request_done(f->pool, r, f->now), 0);
  h2e_pool_conn_info info;
  h2e_pool_conn_get_info(f->pool, ca, &info);
  assert_int_equal(info.last_used_ms, 40000);

  assert_int_equal(h2e_pool_deadline(f->pool), 260000);
  tick(f, 260000);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, cb, H2E_POOL_IDLE_TIMEOUT);
  assert_int_equal(h2e_pool_deadline(f->pool), 270000);
  tick(f, 279999); /* late: c's timeout only */
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, cc, H2E_POOL_IDLE_TIMEOUT);
  tick(f, 1000000);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, ca, H2E_POOL_IDLE_TIMEOUT);
  fx_free(f);
}

static void test_max_idle_closes_least_recently_used_at_once(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_idle = 2;
  fx *f = fx_new(&config);
  uint32_t ca = idle_conn(f, "a.example", 10000);
  uint32_t cb = idle_conn(f, "b.example", 20000);
  assert_int_equal(fx_pull(f), 0);
  uint32_t cc = idle_conn(f, "c.example", 30000);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, ca, H2E_POOL_IDLE_LIMIT);
  assert_int_equal(fx_conn_state(f, cb), H2E_POOL_CONN_IDLE);
  assert_int_equal(fx_conn_state(f, cc), H2E_POOL_CONN_IDLE);
  assert_int_equal(fx_stats(f).idle, 2);
  fx_free(f);
}

static void test_active_connections_are_never_evicted(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_idle = 0;
  fx *f = fx_new(&config);
  uint32_t r;
  uint32_t c1 = fx_ready_conn(f, "a.example", 100, &r, 1);
  assert_int_equal(h2e_pool_deadline(f->pool), UINT64_MAX);
  tick(f, 100000000);
  assert_int_equal(fx_pull(f), 0);
  assert_int_equal(fx_conn_state(f, c1), H2E_POOL_CONN_ACTIVE);
  /* With max_idle 0 it leaves the moment it goes idle. */
  assert_int_equal(h2e_pool_request_done(f->pool, r, f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, c1, H2E_POOL_IDLE_LIMIT);
  fx_free(f);
}

static void test_connection_limit_closes_idle_conn_for_new_key(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_connections = 2;
  fx *f = fx_new(&config);
  uint32_t ca = idle_conn(f, "a.example", 10000);
  uint32_t cb = idle_conn(f, "b.example", 20000);
  fx_checkout(f, "c.example", NULL);
  /* The slot frees when the CLOSE is pulled; the connect follows. */
  assert_int_equal(fx_pull(f), 2);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, ca, H2E_POOL_IDLE_LIMIT);
  fx_expect_connect(f, 1, "c.example");
  assert_int_equal(fx_conn_state(f, cb), H2E_POOL_CONN_IDLE);
  fx_free(f);
}

static void test_connection_limit_waits_while_all_active(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_connections = 2;
  fx *f = fx_new(&config);
  uint32_t ra, rb;
  uint32_t ca = fx_ready_conn(f, "a.example", 100, &ra, 1);
  uint32_t cb = fx_ready_conn(f, "b.example", 100, &rb, 1);
  uint32_t rc = fx_checkout(f, "c.example", NULL);
  assert_int_equal(fx_pull(f), 0);
  assert_int_equal(fx_stats(f).queued, 1);
  f->now = 50000;
  assert_int_equal(h2e_pool_request_done(f->pool, rb, f->now), 0);
  assert_int_equal(fx_pull(f), 2);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, cb, H2E_POOL_IDLE_LIMIT);
  uint32_t cc = fx_expect_connect(f, 1, "c.example");
  assert_int_equal(
      h2e_pool_connected(f->pool, cc, H2E_POOL_PROTO_HTTP2, 100, f->now), 0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, rc, cc, 0);
  assert_int_equal(fx_conn_state(f, ca), H2E_POOL_CONN_ACTIVE);
  fx_free(f);
}

static void test_key_that_stops_waiting_closes_no_idle_conn(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_connections = 2;
  fx *f = fx_new(&config);
  uint32_t ra, rb;
  uint32_t ca = fx_ready_conn(f, "a.example", 100, &ra, 1);
  fx_ready_conn(f, "b.example", 100, &rb, 1);
  uint32_t rc = fx_checkout(f, "c.example", NULL); /* waits for a slot */
  assert_int_equal(h2e_pool_request_done(f->pool, rc, f->now), 0);
  assert_int_equal(h2e_pool_request_done(f->pool, ra, f->now), 0);
  assert_int_equal(fx_pull(f), 0); /* nobody needs a's slot any more */
  assert_int_equal(fx_conn_state(f, ca), H2E_POOL_CONN_IDLE);
  fx_free(f);
}

/* ---- negotiation cache ------------------------------------------------ */

static void test_not_http2_cache_answers_at_once_and_expires(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  int first, second;
  h2e_pool_key key = pool_test_key("old.example", NULL);
  int32_t r1 = h2e_pool_checkout(f->pool, &key, &first, f->now);
  int32_t r2 = h2e_pool_checkout(f->pool, &key, &second, f->now);
  assert_int_equal(fx_pull(f), 1);
  uint32_t c1 = fx_expect_connect(f, 0, "old.example");
  /* ALPN selected http/1.1 (or nothing). */
  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP1, 0, f->now), 0);
  assert_int_equal(fx_pull(f), 3);
  fx_expect_end(f, 0, H2E_POOL_HTTP1, (uint32_t)r1, H2E_POOL_NOT_HTTP2);
  assert_ptr_equal(fx_action(f, 0)->request_user_data, &first);
  assert_string_equal(fx_action(f, 0)->host, "old.example");
  fx_expect_end(f, 1, H2E_POOL_HTTP1, (uint32_t)r2, H2E_POOL_NOT_HTTP2);
  assert_ptr_equal(fx_action(f, 1)->request_user_data, &second);
  fx_expect_end(f, 2, H2E_POOL_CLOSE, c1, H2E_POOL_NOT_HTTP2);

  /* Later checkouts are answered at once, without a handshake. */
  assert_int_equal(h2e_pool_checkout(f->pool, &key, NULL, f->now),
                   H2E_ERR_NOT_HTTP2);
  assert_int_equal(fx_pull(f), 0);
  assert_int_equal(fx_stats(f).not_http2_keys, 1);
  assert_int_equal(h2e_pool_deadline(f->pool), 1000 + 600000);
  tick(f, 600999);
  assert_int_equal(h2e_pool_checkout(f->pool, &key, NULL, f->now),
                   H2E_ERR_NOT_HTTP2);
  tick(f, 601000);
  assert_int_equal(fx_stats(f).not_http2_keys, 0);
  assert_int_equal(fx_stats(f).keys, 0);
  fx_checkout(f, "old.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_connect(f, 0, "old.example");
  fx_free(f);
}

static void test_not_http2_cache_time_is_configurable(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.not_http2_ttl_ms = 5000;
  fx *f = fx_new(&config);
  fx_checkout(f, "old.example", NULL);
  fx_pull(f);
  uint32_t c1 = fx_expect_connect(f, 0, "old.example");
  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP1, 0, f->now), 0);
  assert_int_equal(h2e_pool_deadline(f->pool), 6000);
  h2e_pool_key key = pool_test_key("old.example", NULL);
  /* A checkout past the expiry needs no tick first. */
  assert_int_equal(h2e_pool_checkout(f->pool, &key, NULL, 5999),
                   H2E_ERR_NOT_HTTP2);
  assert_true(h2e_pool_checkout(f->pool, &key, NULL, 6000) > 0);
  fx_free(f);
}

static void test_not_http2_cache_can_be_turned_off(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.not_http2_ttl_ms = 0;
  fx *f = fx_new(&config);
  uint32_t r1 = fx_checkout(f, "old.example", NULL);
  fx_pull(f);
  uint32_t c1 = fx_expect_connect(f, 0, "old.example");
  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP1, 0, f->now), 0);
  assert_int_equal(fx_pull(f), 2);
  fx_expect_end(f, 0, H2E_POOL_HTTP1, r1, H2E_POOL_NOT_HTTP2);
  fx_checkout(f, "old.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_connect(f, 0, "old.example");
  fx_free(f);
}

static void test_not_http2_cache_gives_way_to_keys_in_use(void **state) {
  (void)state;
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  config.max_keys = 2;
  fx *f = fx_new(&config);
  fx_checkout(f, "old.example", NULL);
  fx_pull(f);
  uint32_t c1 = fx_expect_connect(f, 0, "old.example");
  assert_int_equal(
      h2e_pool_connected(f->pool, c1, H2E_POOL_PROTO_HTTP1, 0, f->now), 0);
  fx_pull(f);
  fx_checkout(f, "b.example", NULL);
  fx_checkout(f, "c.example", NULL); /* takes the cached key's slot */
  assert_int_equal(fx_stats(f).keys, 2);
  assert_int_equal(fx_stats(f).not_http2_keys, 0);
  h2e_pool_key key = pool_test_key("d.example", NULL);
  assert_int_equal(h2e_pool_checkout(f->pool, &key, NULL, f->now),
                   H2E_ERR_WOULDBLOCK); /* keys in use never give way */
  fx_free(f);
}

/* ---- tunnels ---------------------------------------------------------- */

typedef struct tunnel_setup {
  uint32_t proxy_conn, outer_request; /* the CONNECT stream */
  uint32_t inner_conn, inner_request;
} tunnel_setup;

/* origin.example through proxy.example: the inner connection's transport
 * is the outer request's stream; one request in flight inside. */
static tunnel_setup tunnel(fx *f) {
  tunnel_setup t;
  t.proxy_conn = fx_ready_conn(f, "proxy.example", 100, &t.outer_request, 1);
  t.inner_request = fx_checkout(f, "origin.example", "via proxy.example");
  assert_int_equal(fx_pull(f), 1);
  t.inner_conn = fx_expect_connect(f, 0, "origin.example");
  assert_int_equal(
      h2e_pool_tunnel(f->pool, t.inner_conn, t.outer_request, f->now), 0);
  assert_int_equal(h2e_pool_connected(f->pool, t.inner_conn,
                                      H2E_POOL_PROTO_HTTP2, 100, f->now),
                   0);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, t.inner_request, t.inner_conn, 0);
  return t;
}

static void
test_tunnel_idle_inner_releases_outer_then_outer_idles(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  tunnel_setup t = tunnel(f);
  f->now = 2000;
  assert_int_equal(h2e_pool_request_done(f->pool, t.inner_request, f->now), 0);
  assert_int_equal(fx_conn_state(f, t.inner_conn), H2E_POOL_CONN_IDLE);
  /* The inner connection keeps the outer stream, so the proxy is active. */
  assert_int_equal(fx_conn_state(f, t.proxy_conn), H2E_POOL_CONN_ACTIVE);
  assert_int_equal(h2e_pool_deadline(f->pool), 242000);
  tick(f, 242000);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, t.inner_conn, H2E_POOL_IDLE_TIMEOUT);
  assert_int_equal(fx_action(f, 0)->outer_request, t.outer_request);
  assert_int_equal(fx_action(f, 0)->outer_conn, t.proxy_conn);
  /* The outer stream is over for the pool; the proxy idles from now. */
  assert_int_equal(h2e_pool_request_done(f->pool, t.outer_request, f->now),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(fx_conn_state(f, t.proxy_conn), H2E_POOL_CONN_IDLE);
  assert_int_equal(h2e_pool_deadline(f->pool), 482000);
  tick(f, 481999);
  assert_int_equal(fx_pull(f), 0);
  tick(f, 482000);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, t.proxy_conn, H2E_POOL_IDLE_TIMEOUT);
  assert_int_equal(fx_action(f, 0)->outer_request, 0);
  fx_free(f);
}

static void test_tunnel_close_comes_before_its_draining_proxy(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  tunnel_setup t = tunnel(f);
  assert_int_equal(h2e_pool_request_done(f->pool, t.inner_request, f->now), 0);
  assert_int_equal(h2e_pool_goaway(f->pool, t.proxy_conn, f->now), 0);
  tick(f, f->now + 240000);
  /* The caller ends the outer stream before it closes the proxy. */
  assert_int_equal(fx_pull(f), 2);
  fx_expect_end(f, 0, H2E_POOL_CLOSE, t.inner_conn, H2E_POOL_IDLE_TIMEOUT);
  assert_int_equal(fx_action(f, 0)->outer_request, t.outer_request);
  fx_expect_end(f, 1, H2E_POOL_CLOSE, t.proxy_conn, H2E_POOL_DRAINED);
  fx_free(f);
}

static void test_tunnel_dies_with_its_outer_connection(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  uint32_t other_request;
  uint32_t other = fx_ready_conn(f, "b.example", 100, &other_request, 1);
  tunnel_setup t = tunnel(f);
  assert_int_equal(h2e_pool_conn_dead(f->pool, t.proxy_conn, f->now), 0);
  assert_int_equal(fx_pull(f), 4);
  fx_expect_end(f, 0, H2E_POOL_FAIL, t.outer_request, H2E_POOL_CONN_DEAD);
  fx_expect_end(f, 1, H2E_POOL_FAIL, t.inner_request, H2E_POOL_CONN_DEAD);
  fx_expect_end(f, 2, H2E_POOL_CLOSE, t.inner_conn, H2E_POOL_TUNNEL_LOST);
  assert_int_equal(fx_action(f, 2)->outer_request, 0);
  fx_expect_end(f, 3, H2E_POOL_CLOSE, t.proxy_conn, H2E_POOL_CONN_DEAD);
  assert_int_equal(fx_conn_streams(f, other), 1);
  fx_free(f);
}

static void test_tunnel_ends_when_its_outer_stream_ends(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  tunnel_setup t = tunnel(f);
  assert_int_equal(h2e_pool_request_done(f->pool, t.outer_request, f->now), 0);
  assert_int_equal(fx_pull(f), 2);
  fx_expect_end(f, 0, H2E_POOL_FAIL, t.inner_request, H2E_POOL_CONN_DEAD);
  fx_expect_end(f, 1, H2E_POOL_CLOSE, t.inner_conn, H2E_POOL_TUNNEL_LOST);
  assert_int_equal(fx_conn_state(f, t.proxy_conn), H2E_POOL_CONN_IDLE);
  fx_free(f);
}

static void test_dead_tunnel_releases_only_its_outer_stream(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  tunnel_setup t = tunnel(f);
  uint32_t sibling = fx_checkout(f, "proxy.example", NULL);
  assert_int_equal(fx_pull(f), 1);
  fx_expect_submit(f, 0, sibling, t.proxy_conn, 0);
  assert_int_equal(h2e_pool_conn_dead(f->pool, t.inner_conn, f->now), 0);
  assert_int_equal(fx_pull(f), 2);
  fx_expect_end(f, 0, H2E_POOL_FAIL, t.inner_request, H2E_POOL_CONN_DEAD);
  fx_expect_end(f, 1, H2E_POOL_CLOSE, t.inner_conn, H2E_POOL_CONN_DEAD);
  assert_int_equal(fx_action(f, 1)->outer_request, t.outer_request);
  assert_int_equal(fx_conn_state(f, t.proxy_conn), H2E_POOL_CONN_ACTIVE);
  assert_int_equal(fx_conn_streams(f, t.proxy_conn), 1);
  fx_free(f);
}

static void test_tunnel_needs_an_in_flight_outer_request(void **state) {
  (void)state;
  fx *f = fx_new(NULL);
  tunnel_setup t = tunnel(f);
  uint32_t waiting = fx_checkout(f, "c.example", NULL);
  fx_pull(f);
  uint32_t c = fx_expect_connect(f, 0, "c.example");
  assert_int_equal(h2e_pool_tunnel(f->pool, c, waiting, f->now),
                   H2E_ERR_INVALID_ARG); /* not in flight */
  assert_int_equal(h2e_pool_tunnel(f->pool, c, t.outer_request, f->now),
                   H2E_ERR_INVALID_ARG); /* carries a tunnel already */
  assert_int_equal(
      h2e_pool_tunnel(f->pool, t.inner_conn, t.inner_request, f->now),
      H2E_ERR_INVALID_ARG); /* its own stream */
  fx_free(f);
}

/* ---- memory ----------------------------------------------------------- */

typedef struct counting {
  size_t allocs, frees, bytes_live;
} counting;

static void *counting_alloc(void *ctx, size_t size) {
  counting *c = ctx;
  c->allocs++;
  c->bytes_live += size;
  return malloc(size);
}

static void counting_free(void *ctx, void *ptr, size_t size) {
  counting *c = ctx;
  c->frees++;
  c->bytes_live -= size;
  free(ptr);
}

static void test_memory_is_taken_once_from_the_allocator(void **state) {
  (void)state;
  counting count = {0, 0, 0};
  h2e_allocator allocator = {counting_alloc, counting_free, &count};
  h2e_pool_config config;
  h2e_pool_config_init(&config);
  h2e_pool *pool = h2e_pool_new(&config, &allocator);
  assert_non_null(pool);
  assert_int_equal(count.allocs, 1);
  assert_int_equal(count.bytes_live, h2e_pool_memsize(&config));
  pool_log *log = calloc(1, sizeof *log);
  h2e_pool_key key = pool_test_key("a.example", NULL);
  for (int round = 0; round < 3; round++) {
    uint32_t ids[200];
    for (int i = 0; i < 200; i++)
      ids[i] = (uint32_t)h2e_pool_checkout(pool, &key, NULL, 1000);
    log->count = 0;
    pool_log_pull(pool, log);
    const pool_log_entry *connect = pool_log_find(log, H2E_POOL_CONNECT, 0);
    if (connect)
      h2e_pool_connected(pool, connect->conn, H2E_POOL_PROTO_HTTP2, 100, 1000);
    for (int i = 0; i < 200; i++)
      assert_int_equal(h2e_pool_request_done(pool, ids[i], 2000), 0);
    log->count = 0;
    pool_log_pull(pool, log);
  }
  assert_int_equal(count.allocs, 1);
  h2e_pool_free(pool);
  assert_int_equal(count.frees, 1);
  assert_int_equal(count.bytes_live, 0);
  free(log);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_idle_timeout_defaults_to_240_s),
      cmocka_unit_test(test_idle_conns_leave_least_recently_used_first),
      cmocka_unit_test(test_max_idle_closes_least_recently_used_at_once),
      cmocka_unit_test(test_active_connections_are_never_evicted),
      cmocka_unit_test(test_connection_limit_closes_idle_conn_for_new_key),
      cmocka_unit_test(test_connection_limit_waits_while_all_active),
      cmocka_unit_test(test_key_that_stops_waiting_closes_no_idle_conn),
      cmocka_unit_test(test_not_http2_cache_answers_at_once_and_expires),
      cmocka_unit_test(test_not_http2_cache_time_is_configurable),
      cmocka_unit_test(test_not_http2_cache_can_be_turned_off),
      cmocka_unit_test(test_not_http2_cache_gives_way_to_keys_in_use),
      cmocka_unit_test(test_tunnel_idle_inner_releases_outer_then_outer_idles),
      cmocka_unit_test(test_tunnel_close_comes_before_its_draining_proxy),
      cmocka_unit_test(test_tunnel_dies_with_its_outer_connection),
      cmocka_unit_test(test_tunnel_ends_when_its_outer_stream_ends),
      cmocka_unit_test(test_dead_tunnel_releases_only_its_outer_stream),
      cmocka_unit_test(test_tunnel_needs_an_in_flight_outer_request),
      cmocka_unit_test(test_memory_is_taken_once_from_the_allocator),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
