/* Checkout and dispatch: waiting requests get a free stream on a ready
 * connection of their key, or, when every one is full, draining or
 * refused them, one connect for the key (never two at once). */
#include "pool.h"

#include <string.h>

/* A key whose queue empties no longer waits for a connection slot. */
void pool_request_unqueue(h2e_pool *pool, pool_request *request) {
  pool_origin *origin = request->origin;
  h2e_list_remove(&request->link);
  if (--origin->queued == 0 && origin->starving) {
    origin->starving = 0;
    pool->starving--;
  }
}

void pool_request_queue(pool_request *request, int at_front) {
  pool_origin *origin = request->origin;
  request->state = REQ_QUEUED;
  request->conn = NULL;
  if (at_front)
    h2e_list_push_front(&origin->queue, &request->link);
  else
    h2e_list_push_back(&origin->queue, &request->link);
  origin->queued++;
}

static pool_conn *pick_conn(pool_origin *origin, uint32_t avoid_id,
                            const h2e_pool *pool) {
  for (h2e_link *l = origin->conns.next; l != &origin->conns; l = l->next) {
    pool_conn *conn = H2E_CONTAINER_OF(l, pool_conn, link);
    if (pool_conn_has_room(conn) && pool_conn_id(pool, conn) != avoid_id)
      return conn;
  }
  return NULL;
}

static void assign(h2e_pool *pool, pool_request *request, pool_conn *conn) {
  pool_request_unqueue(pool, request);
  request->state = REQ_SUBMITTING;
  request->conn = conn;
  request->stream_id = 0;
  h2e_list_push_back(&conn->requests, &request->link);
  conn->streams++;
  pool_conn_activate(pool, conn);
  pool_raise(pool, &request->pending, H2E_POOL_SUBMIT);
}

/* A connect for the key, making room by closing the least recently used
 * idle connection when every slot is taken (the slot frees when that
 * CLOSE is pulled, and the key is served again then). */
static void connect_origin(h2e_pool *pool, pool_origin *origin,
                           uint64_t now_ms) {
  if (pool_conn_open(pool, origin) != NULL) {
    if (origin->starving) {
      origin->starving = 0;
      pool->starving--;
    }
    return;
  }
  if (origin->starving)
    return;
  origin->starving = 1;
  pool->starving++;
  pool_idle_evict_lru(pool, H2E_POOL_IDLE_LIMIT, now_ms);
}

void pool_dispatch(h2e_pool *pool, pool_origin *origin, uint64_t now_ms) {
  int unserved = 0;
  h2e_link *next;
  for (h2e_link *l = origin->queue.next; l != &origin->queue; l = next) {
    next = l->next;
    pool_request *request = H2E_CONTAINER_OF(l, pool_request, link);
    pool_conn *conn = pick_conn(origin, request->avoid_conn, pool);
    if (conn)
      assign(pool, request, conn);
    else
      unserved = 1;
  }
  if (unserved && origin->connecting == 0 && !origin->connect_held)
    connect_origin(pool, origin, now_ms);
}

void pool_dispatch_starving(h2e_pool *pool, uint64_t now_ms) {
  for (uint32_t i = 0; i < pool->config.max_keys && pool->starving; i++) {
    pool_origin *origin = &pool->origins[i];
    if (origin->in_use && origin->starving)
      pool_dispatch(pool, origin, now_ms);
  }
}

void pool_request_end(h2e_pool *pool, pool_request *request, int type,
                      h2e_pool_reason reason) {
  if (request->state == REQ_QUEUED)
    pool_request_unqueue(pool, request);
  h2e_list_remove(&request->link);
  request->conn = NULL;
  request->state = REQ_ENDING;
  request->fail_reason = (uint8_t)reason;
  pool_raise(pool, &request->pending, type);
}

static pool_request *request_take(h2e_pool *pool, pool_origin *origin,
                                  void *user_data) {
  h2e_link *link = h2e_list_pop_front(&pool->free_requests);
  if (link == NULL)
    return NULL;
  pool_request *request = H2E_CONTAINER_OF(link, pool_request, link);
  uint16_t generation = request->generation;
  memset(request, 0, sizeof *request);
  request->generation = generation;
  request->origin = origin;
  request->user_data = user_data;
  origin->requests++;
  return request;
}

int32_t h2e_pool_checkout(h2e_pool *pool, const h2e_pool_key *key,
                          void *user_data, uint64_t now_ms) {
  if (key == NULL || !pool_key_valid(key))
    return H2E_ERR_INVALID_ARG;
  pool_not_http2_expire(pool, now_ms);
  pool_origin *origin = pool_origin_get(pool, key);
  if (origin == NULL)
    return H2E_ERR_WOULDBLOCK;
  if (h2e_link_linked(&origin->neg_link))
    return H2E_ERR_NOT_HTTP2;
  pool_request *request = request_take(pool, origin, user_data);
  if (request == NULL) {
    pool_origin_release_if_unused(pool, origin);
    return H2E_ERR_WOULDBLOCK;
  }
  pool_request_queue(request, 0);
  origin->connect_held = 0;
  pool_dispatch(pool, origin, now_ms);
  if (request->state == REQ_QUEUED &&
      origin->queued > pool->config.max_queued_per_key) {
    pool_request_free(pool, request);
    return H2E_ERR_WOULDBLOCK;
  }
  return (int32_t)pool_request_id(pool, request);
}
