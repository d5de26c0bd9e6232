/* Pool configuration and life cycle: one block of memory, taken once. */
#include "pool.h"

#include "../mem.h"

#include <string.h>

enum { POOL_SLOTS_MAX = 65535 };

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
