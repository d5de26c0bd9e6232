/* A fake pool caller for the pool tests: pulls h2e_pool actions into a
 * log (keys copied, since the pool's copy lives only until the next
 * call) and finds them again. */
#ifndef H2E_TEST_POOL_LOG_H
#define H2E_TEST_POOL_LOG_H

#include "h2e_pool.h"

#define POOL_LOG_MAX 1024

typedef struct pool_log_entry {
  h2e_pool_action_type type;
  h2e_pool_reason reason;
  uint32_t conn, request, outer_request, outer_conn;
  uint8_t retry;
  void *request_user_data, *conn_user_data;
  char host[64];   /* CONNECT, HTTP1 */
  char digest[16]; /* CONNECT, HTTP1 (as text) */
} pool_log_entry;

typedef struct pool_log {
  pool_log_entry entries[POOL_LOG_MAX];
  size_t count;
} pool_log;

/* Pulls every waiting action into the log; returns how many. */
size_t pool_log_pull(h2e_pool *pool, pool_log *log);
/* The nth entry of a type (H2E_POOL_NONE: any type); NULL if none. */
const pool_log_entry *pool_log_find(const pool_log *log,
                                    h2e_pool_action_type type, size_t nth);
size_t pool_log_count(const pool_log *log, h2e_pool_action_type type);
void pool_log_clear(pool_log *log);

/* An https key on port 443; digest is text or NULL. */
h2e_pool_key pool_test_key(const char *host, const char *digest);

#endif
