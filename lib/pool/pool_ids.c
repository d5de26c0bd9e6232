/* Connection and request ids: a slot number with a generation, so an id
 * whose object has ended is told apart from the slot's next tenant. */
#include "pool.h"

enum { POOL_GENERATION_MASK = 0x7fff };

static uint32_t pool_id(uint32_t slot, uint16_t generation) {
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
