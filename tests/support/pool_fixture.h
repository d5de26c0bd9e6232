/* A fake pool caller for the pool tests: pulls h2e_pool actions into a
 * log, reports facts, checks what the pool asked for. Time is simulated
 * (f->now). */
#ifndef H2E_TEST_POOL_FIXTURE_H
#define H2E_TEST_POOL_FIXTURE_H

#include "pool_log.h"

typedef struct fx {
  h2e_pool *pool;
  pool_log log;
  uint64_t now;
} fx;

fx *fx_new(const h2e_pool_config *config);
void fx_free(fx *f);
/* Pulls the actions raised so far into a fresh log; returns how many. */
size_t fx_pull(fx *f);
const pool_log_entry *fx_action(fx *f, size_t i);
/* A checkout that must succeed; returns the request id. */
uint32_t fx_checkout(fx *f, const char *host, const char *digest);
/* The i-th pulled action is as described (END: HTTP1, FAIL or CLOSE of
 * the request or connection id). */
uint32_t fx_expect_connect(fx *f, size_t i, const char *host);
void fx_expect_submit(fx *f, size_t i, uint32_t request, uint32_t conn,
                      int retry);
void fx_expect_end(fx *f, size_t i, h2e_pool_action_type type, uint32_t id,
                   h2e_pool_reason reason);
/* A ready connection to host with room for limit streams, carrying n new
 * requests (ids out) submitted as streams 1, 3, 5... */
uint32_t fx_ready_conn(fx *f, const char *host, uint32_t limit,
                       uint32_t *requests, size_t n);
h2e_pool_conn_state fx_conn_state(fx *f, uint32_t conn);
uint32_t fx_conn_streams(fx *f, uint32_t conn);
h2e_pool_stats fx_stats(fx *f);

#endif
