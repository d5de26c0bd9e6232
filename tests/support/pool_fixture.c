/* Fake pool caller (see pool_fixture.h). */
#include "pool_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdlib.h>

fx *fx_new(const h2e_pool_config *config) {
  fx *f = calloc(1, sizeof *f);
  assert_non_null(f);
  h2e_pool_config defaults;
  h2e_pool_config_init(&defaults);
  f->pool = h2e_pool_new(config ? config : &defaults, NULL);
  assert_non_null(f->pool);
  f->now = 1000;
  return f;
}

void fx_free(fx *f) {
  h2e_pool_free(f->pool);
  free(f);
}

/* Pulls the actions a call raised, into a fresh log. */
size_t fx_pull(fx *f) {
  pool_log_clear(&f->log);
  return pool_log_pull(f->pool, &f->log);
}

const pool_log_entry *fx_action(fx *f, size_t i) {
  assert_true(i < f->log.count);
  return &f->log.entries[i];
}

uint32_t fx_checkout(fx *f, const char *host, const char *digest) {
  h2e_pool_key key = pool_test_key(host, digest);
  int32_t id = h2e_pool_checkout(f->pool, &key, NULL, f->now);
  assert_true(id > 0);
  return (uint32_t)id;
}

uint32_t fx_expect_connect(fx *f, size_t i, const char *host) {
  const pool_log_entry *e = fx_action(f, i);
  assert_int_equal(e->type, H2E_POOL_CONNECT);
  assert_string_equal(e->host, host);
  return e->conn;
}

void fx_expect_submit(fx *f, size_t i, uint32_t request, uint32_t conn,
                      int retry) {
  const pool_log_entry *e = fx_action(f, i);
  assert_int_equal(e->type, H2E_POOL_SUBMIT);
  assert_int_equal(e->request, request);
  assert_int_equal(e->conn, conn);
  assert_int_equal(e->retry, retry);
}

void fx_expect_end(fx *f, size_t i, h2e_pool_action_type type, uint32_t id,
                   h2e_pool_reason reason) {
  const pool_log_entry *e = fx_action(f, i);
  assert_int_equal(e->type, type);
  assert_int_equal(type == H2E_POOL_CLOSE ? e->conn : e->request, id);
  assert_int_equal(e->reason, reason);
}

/* A ready connection to host carrying n submitted requests (ids out). */
uint32_t fx_ready_conn(fx *f, const char *host, uint32_t limit,
                       uint32_t *requests, size_t n) {
  for (size_t i = 0; i < n; i++)
    requests[i] = fx_checkout(f, host, NULL);
  assert_int_equal(fx_pull(f), 1);
  uint32_t conn = fx_expect_connect(f, 0, host);
  assert_int_equal(
      h2e_pool_connected(f->pool, conn, H2E_POOL_PROTO_HTTP2, limit, f->now),
      H2E_OK);
  assert_int_equal(fx_pull(f), n);
  for (size_t i = 0; i < n; i++) {
    fx_expect_submit(f, i, requests[i], conn, 0);
    assert_int_equal(
        h2e_pool_submitted(f->pool, requests[i], (int32_t)(2 * i + 1), f->now),
        H2E_OK);
  }
  return conn;
}

h2e_pool_conn_state fx_conn_state(fx *f, uint32_t conn) {
  h2e_pool_conn_info info;
  h2e_pool_conn_get_info(f->pool, conn, &info);
  return info.state;
}

uint32_t fx_conn_streams(fx *f, uint32_t conn) {
  h2e_pool_conn_info info;
  h2e_pool_conn_get_info(f->pool, conn, &info);
  return info.streams;
}

h2e_pool_stats fx_stats(fx *f) {
  h2e_pool_stats s;
  h2e_pool_get_stats(f->pool, &s);
  return s;
}
