/* What the caller may read back: connection user data, a connection's
 * state, and counts over the whole pool. */
#include "pool.h"

#include <string.h>

int h2e_pool_conn_set_user_data(h2e_pool *pool, uint32_t conn_id,
                                void *user_data) {
  pool_conn *conn = pool_conn_lookup(pool, conn_id);
  if (conn == NULL)
    return H2E_ERR_INVALID_ARG;
  conn->user_data = user_data;
  return H2E_OK;
}

void *h2e_pool_conn_get_user_data(const h2e_pool *pool, uint32_t conn_id) {
  pool_conn *conn = pool_conn_lookup(pool, conn_id);
  return conn ? conn->user_data : NULL;
}

static h2e_pool_conn_state public_state(const pool_conn *conn) {
  switch (conn->state) {
  case CONN_CONNECTING:
    return H2E_POOL_CONN_CONNECTING;
  case CONN_READY:
    return conn->streams ? H2E_POOL_CONN_ACTIVE : H2E_POOL_CONN_IDLE;
  case CONN_DRAINING:
    return H2E_POOL_CONN_DRAINING;
  case CONN_CLOSING:
    return H2E_POOL_CONN_CLOSING;
  default:
    return H2E_POOL_CONN_UNKNOWN;
  }
}

void h2e_pool_conn_get_info(const h2e_pool *pool, uint32_t conn_id,
                            h2e_pool_conn_info *info) {
  memset(info, 0, sizeof *info);
  pool_conn *conn = pool_conn_lookup(pool, conn_id);
  if (conn == NULL)
    return;
  info->state = public_state(conn);
  info->streams = conn->streams;
  info->stream_limit = conn->stream_limit;
  info->last_used_ms = conn->last_used;
}

static void count_conn(h2e_pool_stats *stats, const pool_conn *conn) {
  if (conn->state == CONN_FREE)
    return;
  stats->connections++;
  switch (public_state(conn)) {
  case H2E_POOL_CONN_CONNECTING:
    stats->connecting++;
    break;
  case H2E_POOL_CONN_ACTIVE:
    stats->active++;
    break;
  case H2E_POOL_CONN_IDLE:
    stats->idle++;
    break;
  case H2E_POOL_CONN_DRAINING:
    stats->draining++;
    break;
  default:
    break;
  }
}

void h2e_pool_get_stats(const h2e_pool *pool, h2e_pool_stats *stats) {
  memset(stats, 0, sizeof *stats);
  for (uint32_t i = 0; i < pool->config.max_connections; i++)
    count_conn(stats, &pool->conns[i]);
  for (uint32_t i = 0; i < pool->config.max_requests; i++) {
    uint8_t state = pool->requests[i].state;
    stats->queued += state == REQ_QUEUED ? 1u : 0u;
    stats->in_flight +=
        state == REQ_SUBMITTING || state == REQ_IN_FLIGHT ? 1u : 0u;
  }
  for (uint32_t i = 0; i < pool->config.max_keys; i++) {
    stats->keys += pool->origins[i].in_use;
    stats->not_http2_keys +=
        h2e_link_linked(&pool->origins[i].neg_link) ? 1u : 0u;
  }
  for (const h2e_link *l = pool->actions.next; l != &pool->actions; l = l->next)
    stats->actions_pending++;
}
