/* Fake pool caller (see pool_log.h). */
#include "pool_log.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <string.h>

static void copy_text(char *dst, size_t cap, const void *src, size_t len) {
  if (len >= cap)
    len = cap - 1;
  if (len)
    memcpy(dst, src, len);
  dst[len] = 0;
}

static void record(pool_log_entry *entry, const h2e_pool_action *action) {
  memset(entry, 0, sizeof *entry);
  entry->type = action->type;
  entry->reason = action->reason;
  entry->conn = action->conn;
  entry->request = action->request;
  entry->outer_request = action->outer_request;
  entry->outer_conn = action->outer_conn;
  entry->retry = action->retry;
  entry->request_user_data = action->request_user_data;
  entry->conn_user_data = action->conn_user_data;
  if (action->key) {
    copy_text(entry->host, sizeof entry->host, action->key->host,
              action->key->host_len);
    copy_text(entry->digest, sizeof entry->digest, action->key->digest,
              action->key->digest_len);
  }
}

size_t pool_log_pull(h2e_pool *pool, pool_log *log) {
  size_t pulled = 0;
  h2e_pool_action action;
  while (h2e_pool_next_action(pool, &action) == 1) {
    assert_true(log->count < POOL_LOG_MAX);
    record(&log->entries[log->count++], &action);
    pulled++;
  }
  return pulled;
}

const pool_log_entry *pool_log_find(const pool_log *log,
                                    h2e_pool_action_type type, size_t nth) {
  for (size_t i = 0; i < log->count; i++)
    if ((type == H2E_POOL_NONE || log->entries[i].type == type) && nth-- == 0)
      return &log->entries[i];
  return NULL;
}

size_t pool_log_count(const pool_log *log, h2e_pool_action_type type) {
  size_t n = 0;
  while (pool_log_find(log, type, n))
    n++;
  return n;
}

void pool_log_clear(pool_log *log) {
  log->count = 0;
}

h2e_pool_key pool_test_key(const char *host, const char *digest) {
  h2e_pool_key key;
  memset(&key, 0, sizeof key);
  key.scheme = "https";
  key.scheme_len = 5;
  key.host = host;
  key.host_len = strlen(host);
  key.port = 443;
  key.digest = (const uint8_t *)digest;
  key.digest_len = digest ? strlen(digest) : 0;
  return key;
}
