/* Pool life cycle, ids and state queries. */
#include "pool.h"

#include "../mem.h"

#include <string.h>

enum { POOL_SLOTS_MAX = 65535, POOL_GENERATION_MASK = 0x7fff };

void h2e_pool_config_init(h2e_pool_config *config) {
  memset(config, 0, sizeof *config);
  config->max_connections = 64;
  config->max_requests = 1024;
  config->max_queued_per_key = 256;
  config->max_keys = 64;
  config->max_idle = 16;
  config->idle_timeout_ms = 240000;
  config->not_http2_ttl_ms = 600000;
}

static int config_valid(const h2e_pool_config *config) {
  return config->max_connections >= 1 &&
         config->max_connections <= POOL_SLOTS_MAX &&
         config->max_requests >= 1 && config->max_requests <= POOL_SLOTS_MAX &&
         config->max_keys >= 1 && config->max_keys <= POOL_SLOTS_MAX;
}

static size_t round16(size_t n) {
  return (n + 15) & ~(size_t)15;
}

/* One block: the pool, then its key, connection and request tables. */
typedef struct pool_layout {
  size_t origins, conns, requests, total;
} pool_layout;

static pool_layout layout_of(const h2e_pool_config *config) {
  pool_layout layout;
  layout.origins = round16(sizeof(h2e_pool));
  layout.conns =
      layout.origins + round16(config->max_keys * sizeof(pool_origin));
  layout.requests =
      layout.conns + round16(config->max_connections * sizeof(pool_conn));
  layout.total =
      layout.requests + round16(config->max_requests * sizeof(pool_request));
  return layout;
}

size_t h2e_pool_memsize(const h2e_pool_config *config) {
  return config_valid(config) ? layout_of(config).total : 0;
}

static void init_free_lists(h2e_pool *pool) {
  const h2e_pool_config *config = &pool->config;
  h2e_list_init(&pool->free_origins);
  h2e_list_init(&pool->free_conns);
  h2e_list_init(&pool->free_requests);
  for (uint32_t i = 0; i < config->max_keys; i++)
    h2e_list_push_back(&pool->free_origins, &pool->origins[i].link);
  for (uint32_t i = 0; i < config->max_connections; i++) {
    pool->conns[i].generation = 1;
    h2e_list_push_back(&pool->free_conns, &pool->conns[i].link);
  }
  for (uint32_t i = 0; i < config->max_requests; i++) {
    pool->requests[i].generation = 1;
    h2e_list_push_back(&pool->free_requests, &pool->requests[i].link);
  }
}

h2e_pool *h2e_pool_new(const h2e_pool_config *config,
                       const h2e_allocator *allocator) {
  if (config == NULL || !config_valid(config))
    return NULL;
  pool_layout layout = layout_of(config);
  uint8_t *block = h2e_mem_alloc(allocator, layout.total);
  if (block == NULL)
    return NULL;
  memset(block, 0, layout.total);
  h2e_pool *pool = (h2e_pool *)(void *)block;
  pool->config = *config;
  if (allocator)
    pool->allocator = *allocator;
  pool->memsize = layout.total;
  pool->origins = (pool_origin *)(void *)(block + layout.origins);
  pool->conns = (pool_conn *)(void *)(block + layout.conns);
  pool->requests = (pool_request *)(void *)(block + layout.requests);
  h2e_list_init(&pool->idle);
  h2e_list_init(&pool->not_http2);
  h2e_list_init(&pool->actions);
  init_free_lists(pool);
  return pool;
}

void h2e_pool_free(h2e_pool *pool) {
  if (pool == NULL)
    return;
  h2e_allocator allocator = pool->allocator;
  h2e_mem_free(allocator.alloc ? &allocator : NULL, pool, pool->memsize);
}

/* ---- ids -------------------------------------------------------------- */

uint32_t pool_id(uint32_t slot, uint16_t generation) {
  return ((uint32_t)(generation & POOL_GENERATION_MASK) << 16) | (slot + 1);
}

static int id_slot(uint32_t id, uint32_t count, uint32_t *slot) {
  uint32_t low = id & 0xffff;
  if (low == 0 || low > count)
    return 0;
  *slot = low - 1;
  return 1;
}

static int generation_matches(uint32_t id, uint16_t generation) {
  return (id >> 16) == (uint32_t)(generation & POOL_GENERATION_MASK);
}

pool_conn *pool_conn_lookup(const h2e_pool *pool, uint32_t id) {
  uint32_t slot;
  if (!id_slot(id, pool->config.max_connections, &slot))
    return NULL;
  pool_conn *conn = &pool->conns[slot];
  if (conn->state == CONN_FREE || !generation_matches(id, conn->generation))
    return NULL;
  return conn;
}

pool_request *pool_request_lookup(const h2e_pool *pool, uint32_t id) {
  uint32_t slot;
  if (!id_slot(id, pool->config.max_requests, &slot))
    return NULL;
  pool_request *request = &pool->requests[slot];
  if (request->state == REQ_FREE ||
      !generation_matches(id, request->generation))
    return NULL;
  return request;
}

uint32_t pool_conn_id(const h2e_pool *pool, const pool_conn *conn) {
  return pool_id((uint32_t)(conn - pool->conns), conn->generation);
}

uint32_t pool_request_id(const h2e_pool *pool, const pool_request *request) {
  return pool_id((uint32_t)(request - pool->requests), request->generation);
}

/* ---- user data and state ---------------------------------------------- */

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
