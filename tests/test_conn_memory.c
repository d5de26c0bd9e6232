/* Memory: every byte from the caller's allocator, bounded by
 * h2e_conn_memsize_max, nothing allocated per request once warm, and all
 * of it given back at h2e_conn_free. A counting allocator watches. */
#include "conn_pair.h"
#include "stream.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct counting {
  size_t current;
  size_t peak;
  size_t allocs;
  size_t frees;
  size_t refuse_above; /* say no to allocations larger than this */
  size_t refuse_once;  /* say no once to an allocation of this size */
} counting;

static void *count_alloc(void *ctx, size_t size) {
  counting *c = ctx;
  if (c->refuse_above && size > c->refuse_above)
    return NULL;
  if (c->refuse_once == size) {
    c->refuse_once = 0;
    return NULL;
  }
  c->current += size;
  if (c->current > c->peak)
    c->peak = c->current;
  c->allocs++;
  return malloc(size);
}

static void count_free(void *ctx, void *ptr, size_t size) {
  counting *c = ctx;
  c->current -= size;
  c->frees++;
  free(ptr);
}

/* One connection per allocator, so each is measured on its own. */
typedef struct measured_pair {
  counting client_mem, server_mem;
  h2e_allocator client_alloc, server_alloc;
  pair *p;
} measured_pair;

static void measured_new(measured_pair *m, const h2e_config *client,
                         const h2e_config *server) {
  memset(m, 0, sizeof *m);
  m->client_alloc = (h2e_allocator){count_alloc, count_free, &m->client_mem};
  m->server_alloc = (h2e_allocator){count_alloc, count_free, &m->server_mem};
  m->p = pair_new_with(client, server, &m->client_alloc, &m->server_alloc);
  m->p->client.keep_log = m->p->server.keep_log = 0;
  pair_pump(m->p);
}

/* A request, answered with headers and a body, fully exchanged. */
static void exchange(pair *p, const uint8_t *body, size_t len) {
  int32_t id =
      h2e_submit_request(p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  assert_true(id > 0);
  pair_pump(p);
  assert_int_equal(
      h2e_submit_headers(p->server.conn, (uint32_t)id, pair_ok_response, 2, 0),
      0);
  assert_int_equal(h2e_submit_data(p->server.conn, (uint32_t)id, body, len,
                                   H2E_END_STREAM, 1),
                   0);
  pair_pump(p);
}

/* One request at a time: each ends with no stream open, so the buffers
 * stay only with buffer_linger_ms (the default gives them back at once,
 * test_large_buffers_given_back_at_once_when_idle). */
static void test_no_allocation_per_request_in_steady_state(void **state) {
  (void)state;
  h2e_config client_config, server_config;
  h2e_config_init(&client_config, H2E_CLIENT);
  h2e_config_init(&server_config, H2E_SERVER);
  client_config.buffer_linger_ms = server_config.buffer_linger_ms = 1000;
  measured_pair m;
  measured_new(&m, &client_config, &server_config);
  static uint8_t body[2048];
  /* Warm-up: the closed-stream ring grows to its 232 entries. */
  for (int i = 0; i < 300; i++)
    exchange(m.p, body, sizeof body);
  size_t client_allocs = m.client_mem.allocs;
  size_t server_allocs = m.server_mem.allocs;
  for (int i = 0; i < 10000; i++)
    exchange(m.p, body, sizeof body);
  assert_int_equal(m.client_mem.allocs, client_allocs);
  assert_int_equal(m.server_mem.allocs, server_allocs);
  assert_true(m.p->server.events_seen >= 30900);
  printf("10,300 exchanges: client %zu allocations, server %zu, all at "
         "start-up or warm-up\n",
         client_allocs, server_allocs);
  pair_free(m.p);
  assert_int_equal(m.client_mem.current, 0);
  assert_int_equal(m.server_mem.current, 0);
  assert_int_equal(m.client_mem.allocs, m.client_mem.frees);
  assert_int_equal(m.server_mem.allocs, m.server_mem.frees);
}

/* Headers large enough to need CONTINUATION frames both ways. */
static void big_header_exchange(pair *p) {
  static char value[40000];
  memset(value, 'v', sizeof value);
  h2e_field fields[5];
  memcpy(fields, pair_get_request, sizeof pair_get_request);
  fields[4] = (h2e_field){(const uint8_t *)"x-big", (const uint8_t *)value, 5,
                          sizeof value, 0};
  int32_t id = h2e_submit_request(p->client.conn, fields, 5, H2E_END_STREAM);
  assert_true(id > 0);
  pair_pump(p);
  fields[0] = pair_ok_response[0];
  h2e_submit_headers(p->server.conn, (uint32_t)id, fields + 4, 1, 0);
  h2e_submit_headers(p->server.conn, (uint32_t)id, fields, 1, H2E_END_STREAM);
  pair_pump(p);
}

static void busy_exchange(pair *p) {
  static uint8_t body[1 << 20];
  for (int i = 0; i < 100; i++)
    assert_true(h2e_submit_request(p->client.conn, pair_post_request, 4, 0) >
                0);
  for (uint32_t id = 1; id < 200; id += 2) {
    h2e_submit_data(p->client.conn, id, body, 100000, 0, id);
    static const h2e_field trailers[] = {PAIR_FIELD("x-t", "1")};
    h2e_submit_headers(p->client.conn, id, trailers, 1, H2E_END_STREAM);
  }
  pair_pump(p);
  for (uint32_t id = 1; id < 200; id += 2) {
    h2e_submit_headers(p->server.conn, id, pair_ok_response, 2, 0);
    h2e_submit_data(p->server.conn, id, body, sizeof body, H2E_END_STREAM, id);
  }
  static const uint8_t opaque[8] = {0};
  for (int i = 0; i < 4; i++)
    h2e_submit_ping(p->client.conn, opaque, 0);
  h2e_setting s = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20};
  h2e_submit_settings(p->client.conn, &s, 1, 0);
  pair_pump(p);
  big_header_exchange(p);
}

static void test_high_water_mark_stays_within_memsize_max(void **state) {
  (void)state;
  h2e_config cc, sc;
  h2e_config_init(&cc, H2E_CLIENT);
  h2e_config_init(&sc, H2E_SERVER);
  measured_pair m;
  measured_new(&m, &cc, &sc);
  size_t client_start = m.client_mem.peak, server_start = m.server_mem.peak;
  busy_exchange(m.p);
  size_t client_max = h2e_conn_memsize_max(&cc);
  size_t server_max = h2e_conn_memsize_max(&sc);
  printf("defaults: memsize_max client %zu, server %zu; high-water after "
         "creation client %zu, server %zu; after a busy exchange client %zu, "
         "server %zu\n",
         client_max, server_max, client_start, server_start, m.client_mem.peak,
         m.server_mem.peak);
  assert_true(m.client_mem.peak <= client_max);
  assert_true(m.server_mem.peak <= server_max);
  pair_free(m.p);
  assert_int_equal(m.client_mem.current, 0);
  assert_int_equal(m.server_mem.current, 0);
}

static void test_memsize_max_bounds_a_small_config(void **state) {
  (void)state;
  h2e_config cc, sc;
  h2e_config_init(&cc, H2E_CLIENT);
  h2e_config_init(&sc, H2E_SERVER);
  sc.max_concurrent_streams = cc.max_concurrent_streams = 8;
  sc.max_header_list_size = cc.max_header_list_size = 8192;
  sc.output_buffer_size = cc.output_buffer_size = 16384;
  sc.max_pending_data = cc.max_pending_data = 16;
  measured_pair m;
  measured_new(&m, &cc, &sc);
  static uint8_t body[100000];
  for (int i = 0; i < 20; i++)
    exchange(m.p, body, sizeof body);
  printf("small config: memsize_max %zu, high-water client %zu, server %zu\n",
         h2e_conn_memsize_max(&sc), m.client_mem.peak, m.server_mem.peak);
  assert_true(m.client_mem.peak <= h2e_conn_memsize_max(&cc));
  assert_true(m.server_mem.peak <= h2e_conn_memsize_max(&sc));
  pair_free(m.p);
}

/* What a connection keeps with no open stream: its settings, HPACK tables
 * and closed-stream memory. */
#define IDLE_SERVER_MAX 4096

/* Large buffers are taken at first use, so a fresh connection is small,
 * and given back as soon as no stream is open (buffer_linger_ms 0): the
 * caller is asked to tick at once, and the tick ends the slices of the
 * events already pulled (h2e.h: lifetimes). */
static void test_large_buffers_given_back_at_once_when_idle(void **state) {
  (void)state;
  measured_pair m;
  measured_new(&m, NULL, NULL);
  h2e_conn *server = m.p->server.conn;
  assert_int_equal(h2e_conn_deadline(server), m.p->now_ms); /* SETTINGS out */
  h2e_conn_tick(server, m.p->now_ms);
  size_t fresh = m.server_mem.current;
  assert_true(fresh < IDLE_SERVER_MAX);
  static uint8_t body[2048];
  exchange(m.p, body, sizeof body);
  size_t busy = m.server_mem.current;
  assert_true(busy > fresh + 140000); /* the arena and the output buffer */
  assert_int_equal(h2e_conn_deadline(server), m.p->now_ms);
  assert_int_equal(h2e_conn_tick(server, m.p->now_ms), 0); /* nothing to do */
  size_t idle = m.server_mem.current;
  printf("server connection: fresh %zu octets, busy %zu, idle %zu\n", fresh,
         busy, idle);
  assert_true(idle < IDLE_SERVER_MAX);
  /* Nothing more a tick could give back: no timer left. */
  assert_int_equal(h2e_conn_deadline(server), UINT64_MAX);
  /* Taken again at the next request, given back again after it. */
  exchange(m.p, body, sizeof body);
  assert_true(m.server_mem.current > idle + 140000);
  h2e_conn_tick(server, m.p->now_ms);
  assert_true(m.server_mem.current < IDLE_SERVER_MAX);
  assert_true(m.p->server.events_seen >= 6);
  pair_free(m.p);
  assert_int_equal(m.server_mem.current, 0);
}

/* buffer_linger_ms keeps them across short idle spells: a client making
 * one request at a time then allocates nothing per request. */
static void test_buffer_linger_keeps_buffers_between_requests(void **state) {
  (void)state;
  h2e_config server_config;
  h2e_config_init(&server_config, H2E_SERVER);
  server_config.buffer_linger_ms = 1000;
  measured_pair m;
  measured_new(&m, NULL, &server_config);
  h2e_conn *server = m.p->server.conn;
  static uint8_t body[2048];
  /* Warm-up: the closed-stream ring grows to its 232 entries. */
  for (int i = 0; i < 300; i++)
    exchange(m.p, body, sizeof body);
  size_t busy = m.server_mem.current;
  size_t allocs = m.server_mem.allocs;
  for (int i = 0; i < 20; i++)
    exchange(m.p, body, sizeof body);
  assert_int_equal(m.server_mem.allocs, allocs);
  assert_int_equal(h2e_conn_deadline(server), m.p->now_ms + 1000);
  m.p->now_ms += 999;
  h2e_conn_tick(server, m.p->now_ms);
  assert_int_equal(m.server_mem.current, busy); /* not idle long enough */
  m.p->now_ms += 1;
  h2e_conn_tick(server, m.p->now_ms);
  assert_true(m.server_mem.current < busy - 140000);
  assert_int_equal(h2e_conn_deadline(server), UINT64_MAX);
  pair_free(m.p);
  assert_int_equal(m.server_mem.current, 0);
}

/* Our own failure (RFC 9113 §7: INTERNAL_ERROR): the server's application
 * is told, and so is the client, by GOAWAY. */
static void expect_server_failed_internal(const measured_pair *m) {
  const pair_event *err = pair_find(&m->p->server, H2E_EV_CONN_ERROR, 0, 0);
  assert_non_null(err);
  assert_int_equal(err->code, H2E_INTERNAL_ERROR);
}

static void expect_client_told_internal(const measured_pair *m) {
  const pair_event *goaway = pair_find(&m->p->client, H2E_EV_GOAWAY, 0, 0);
  assert_non_null(goaway);
  assert_int_equal(goaway->code, H2E_INTERNAL_ERROR);
}

/* A buffer taken at first use that the allocator refuses fails the
 * connection with INTERNAL_ERROR (RFC 9113 §7), nothing worse. */
static void
test_allocation_failure_at_first_use_is_a_connection_error(void **state) {
  (void)state;
  measured_pair m;
  measured_new(&m, NULL, NULL);
  m.p->client.keep_log = m.p->server.keep_log = 1;
  m.server_mem.refuse_above = 32768; /* the decoded-field arena */
  assert_true(h2e_submit_request(m.p->client.conn, pair_get_request, 4, 1) > 0);
  pair_pump(m.p);
  expect_server_failed_internal(&m);
  expect_client_told_internal(&m);
  m.server_mem.refuse_above = 0;
  pair_free(m.p);
  assert_int_equal(m.server_mem.current, 0);
}

/* Refused everything, even the event ring and the control buffer: the
 * GOAWAY cannot be queued, but the error still reaches the application,
 * and the connection is over (H2E_CLOSED). */
static void
test_allocation_refused_entirely_still_reports_the_error(void **state) {
  (void)state;
  measured_pair m;
  measured_new(&m, NULL, NULL);
  h2e_conn_tick(m.p->server.conn, m.p->now_ms);
  m.p->client.keep_log = m.p->server.keep_log = 1;
  m.server_mem.refuse_above = 1;
  assert_true(h2e_submit_request(m.p->client.conn, pair_get_request, 4, 1) > 0);
  pair_pump(m.p);
  expect_server_failed_internal(&m);
  assert_true(h2e_conn_want(m.p->server.conn) & H2E_CLOSED);
  m.server_mem.refuse_above = 0;
  pair_free(m.p);
  assert_int_equal(m.server_mem.current, 0);
}

/* Found by fuzz/conn_server and fuzz/conn_client: the event ring refused,
 * the failure's own CONN_ERROR took the ring (the allocator said yes the
 * second time), and the first attempt then overwrote it with NULL (a
 * queued event in no ring, and a leak). */
static void test_event_ring_refused_once_then_granted(void **state) {
  (void)state;
  measured_pair m;
  measured_new(&m, NULL, NULL);
  h2e_conn_tick(m.p->server.conn, m.p->now_ms); /* idle: ring given back */
  m.p->client.keep_log = m.p->server.keep_log = 1;
  /* h2e_config defaults: 2 * max_events + 2 * max_concurrent + 8. */
  m.server_mem.refuse_once = (2 * 64 + 2 * 100 + 8) * sizeof(h2e_event);
  assert_true(h2e_submit_request(m.p->client.conn, pair_get_request, 4, 1) > 0);
  pair_pump(m.p);
  assert_int_equal(m.server_mem.refuse_once, 0); /* it was refused */
  expect_server_failed_internal(&m);
  expect_client_told_internal(&m);
  pair_free(m.p);
  assert_int_equal(m.server_mem.current, 0);
}

/* Found by fuzz/conn_server: the ring of closed streams could not be
 * taken, so a stream we reset was forgotten, and the DATA the peer had in
 * flight on it drew a second RST_STREAM (RFC 9113 §5.4.2: such frames
 * are ignored). With nothing to remember it in, the connection fails. */
static void test_closed_ring_refused_is_a_connection_error(void **state) {
  (void)state;
  measured_pair m;
  measured_new(&m, NULL, NULL);
  m.p->client.keep_log = m.p->server.keep_log = 1;
  int32_t id = h2e_submit_request(m.p->client.conn, pair_post_request, 4, 0);
  assert_true(id > 0);
  pair_pump(m.p);
  assert_int_equal(pair_count(&m.p->server, H2E_EV_CONN_ERROR, 0), 0);
  m.server_mem.refuse_once = 8 * sizeof(h2e_closed_stream); /* first ring */
  assert_int_equal(
      h2e_submit_rst_stream(m.p->server.conn, (uint32_t)id, H2E_CANCEL), 0);
  assert_int_equal(m.server_mem.refuse_once, 0); /* it was refused */
  pair_pull(&m.p->server);
  expect_server_failed_internal(&m);
  static const uint8_t body[100];
  h2e_submit_data(m.p->client.conn, (uint32_t)id, body, sizeof body,
                  H2E_END_STREAM, 1);
  pair_pump(m.p);
  expect_client_told_internal(&m);
  pair_free(m.p);
  assert_int_equal(m.server_mem.current, 0);
}

/* Found by fuzz/conn_server: a header block whose buffer the allocator
 * refuses is H2E_ERR_NOMEM for that call only; nothing is queued and the
 * connection goes on, so the same block can be submitted again. */
static void test_refused_block_buffer_is_nomem_for_that_call(void **state) {
  (void)state;
  h2e_config server_config;
  h2e_config_init(&server_config, H2E_SERVER);
  measured_pair m;
  measured_new(&m, NULL, &server_config);
  m.p->client.keep_log = m.p->server.keep_log = 1;
  int32_t id =
      h2e_submit_request(m.p->client.conn, pair_get_request, 4, H2E_END_STREAM);
  assert_true(id > 0);
  pair_pump(m.p);
  m.server_mem.refuse_once = server_config.output_buffer_size;
  assert_int_equal(h2e_submit_headers(m.p->server.conn, (uint32_t)id,
                                      pair_ok_response, 2, H2E_END_STREAM),
                   H2E_ERR_NOMEM);
  assert_int_equal(m.server_mem.refuse_once, 0); /* it was refused */
  assert_int_equal(h2e_submit_headers(m.p->server.conn, (uint32_t)id,
                                      pair_ok_response, 2, H2E_END_STREAM),
                   0);
  pair_pump(m.p);
  assert_int_equal(pair_count(&m.p->server, H2E_EV_CONN_ERROR, 0), 0);
  assert_int_equal(pair_count(&m.p->client, H2E_EV_HEADERS, (uint32_t)id), 1);
  pair_free(m.p);
  assert_int_equal(m.server_mem.current, 0);
}

static size_t fail_after;
static void *failing_alloc(void *ctx, size_t size) {
  (void)ctx;
  if (fail_after == 0)
    return NULL;
  fail_after--;
  return malloc(size);
}
static void plain_free(void *ctx, void *ptr, size_t size) {
  (void)ctx;
  (void)size;
  free(ptr);
}

static void test_allocation_failure_at_creation_leaks_nothing(void **state) {
  (void)state;
  h2e_allocator failing = {failing_alloc, plain_free, NULL};
  h2e_config cfg;
  h2e_config_init(&cfg, H2E_SERVER);
  for (size_t n = 0; n < 12; n++) {
    fail_after = n;
    h2e_conn *conn = h2e_conn_new(&cfg, &failing, 0);
    h2e_conn_free(conn); /* under ASan, a leak shows */
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_no_allocation_per_request_in_steady_state),
      cmocka_unit_test(test_high_water_mark_stays_within_memsize_max),
      cmocka_unit_test(test_memsize_max_bounds_a_small_config),
      cmocka_unit_test(test_allocation_failure_at_creation_leaks_nothing),
      cmocka_unit_test(test_large_buffers_given_back_at_once_when_idle),
      cmocka_unit_test(test_buffer_linger_keeps_buffers_between_requests),
      cmocka_unit_test(test_event_ring_refused_once_then_granted),
      cmocka_unit_test(test_closed_ring_refused_is_a_connection_error),
      cmocka_unit_test(test_refused_block_buffer_is_nomem_for_that_call),
      cmocka_unit_test(
          test_allocation_refused_entirely_still_reports_the_error),
      cmocka_unit_test(
          test_allocation_failure_at_first_use_is_a_connection_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
