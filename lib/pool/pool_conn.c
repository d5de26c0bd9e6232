/* Connection life: connecting -> ready (active or idle) -> draining ->
 * closing, and the facts the caller reports about a connection. */
#include "pool.h"

#include <string.h>

void pool_clock(h2e_pool *pool, uint64_t now_ms) {
  if (now_ms > pool->now_ms)
    pool->now_ms = now_ms;
}

pool_conn *pool_conn_open(h2e_pool *pool, pool_origin *origin) {
  h2e_link *link = h2e_list_pop_front(&pool->free_conns);
  if (link == NULL)
    return NULL;
  pool_conn *conn = H2E_CONTAINER_OF(link, pool_conn, link);
  uint16_t generation = conn->generation;
  memset(conn, 0, sizeof *conn);
  conn->generation = generation;
  conn->pending.is_conn = 1;
  conn->state = CONN_CONNECTING;
  conn->origin = origin;
  h2e_list_init(&conn->requests);
  h2e_list_push_back(&origin->conns, &conn->link);
  origin->nconns++;
  origin->connecting++;
  pool_raise(pool, &conn->pending, H2E_POOL_CONNECT);
  return conn;
}

int pool_conn_has_room(const pool_conn *conn) {
  return conn->state == CONN_READY && conn->streams < conn->stream_limit;
}

void pool_conn_activate(h2e_pool *pool, pool_conn *conn) {
  if (!h2e_link_linked(&conn->idle_link))
    return;
  h2e_list_remove(&conn->idle_link);
  pool->idle_count--;
}

/* Only idle connections are ever evicted: least recently used first,
 * when over max_idle, or at once when a key waits for a slot. */
static void conn_go_idle(h2e_pool *pool, pool_conn *conn, uint64_t now_ms) {
  conn->last_used = now_ms;
  h2e_list_push_back(&pool->idle, &conn->idle_link);
  pool->idle_count++;
  if (pool->starving)
    pool_conn_close(pool, conn, H2E_POOL_IDLE_LIMIT, now_ms);
  else if (pool->idle_count > pool->config.max_idle)
    pool_idle_evict_lru(pool, H2E_POOL_IDLE_LIMIT, now_ms);
}

void pool_idle_evict_lru(h2e_pool *pool, h2e_pool_reason reason,
                         uint64_t now_ms) {
  if (!h2e_list_empty(&pool->idle))
    pool_conn_close(pool,
                    H2E_CONTAINER_OF(pool->idle.next, pool_conn, idle_link),
                    reason, now_ms);
}

/* A freed stream goes to a waiting request of the key before the
 * connection can count as idle (pool_conn_settle). */
void pool_conn_stream_ended(h2e_pool *pool, pool_conn *conn, uint64_t now_ms) {
  conn->streams--;
  if (conn->state == CONN_DRAINING && conn->streams == 0) {
    pool_conn_close(pool, conn, H2E_POOL_DRAINED, now_ms);
    return;
  }
  if (conn->state == CONN_READY)
    pool_conn_settle(pool, conn, now_ms);
}

void pool_conn_settle(h2e_pool *pool, pool_conn *conn, uint64_t now_ms) {
  pool_dispatch(pool, conn->origin, now_ms);
  if (conn->state == CONN_READY && conn->streams == 0 &&
      !h2e_link_linked(&conn->idle_link))
    conn_go_idle(pool, conn, now_ms);
}

/* SUBMITs the caller has not pulled are taken back: those requests wait
 * again, in their order, at the head of the queue. */
static void take_back_unsubmitted(pool_conn *conn) {
  h2e_link *prev;
  for (h2e_link *l = conn->requests.prev; l != &conn->requests; l = prev) {
    prev = l->prev;
    pool_request *request = H2E_CONTAINER_OF(l, pool_request, link);
    if (request->state != REQ_SUBMITTING)
      continue;
    pool_withdraw(&request->pending);
    h2e_list_remove(&request->link);
    conn->streams--;
    pool_request_queue(request, 1);
  }
}

/* In-flight requests fail with their connection; a tunnel one of them
 * carries dies too. */
static void fail_in_flight(h2e_pool *pool, pool_conn *conn, uint64_t now_ms) {
  while (!h2e_list_empty(&conn->requests)) {
    pool_request *request =
        H2E_CONTAINER_OF(conn->requests.next, pool_request, link);
    pool_conn *inner = request->tunnel;
    conn->streams--;
    pool_request_end(pool, request, H2E_POOL_FAIL, H2E_POOL_CONN_DEAD);
    if (inner) {
      request->tunnel = NULL;
      inner->outer = NULL;
      pool_conn_close(pool, inner, H2E_POOL_TUNNEL_LOST, now_ms);
    }
  }
}

/* The tunnel's outer stream ends with it: the CLOSE action names it.
 * Returns it, for the caller of this to finish after raising the CLOSE
 * (its connection may go idle, or leave, only after that). */
static pool_request *unlink_outer(h2e_pool *pool, pool_conn *conn) {
  pool_request *outer = conn->outer;
  if (outer == NULL)
    return NULL;
  conn->outer = NULL;
  outer->tunnel = NULL;
  conn->closed_outer_request = pool_request_id(pool, outer);
  conn->closed_outer_request_user = outer->user_data;
  conn->closed_outer_conn = pool_conn_id(pool, outer->conn);
  conn->closed_outer_conn_user = outer->conn->user_data;
  return outer;
}

void pool_conn_close(h2e_pool *pool, pool_conn *conn, h2e_pool_reason reason,
                     uint64_t now_ms) {
  if (conn->state == CONN_CLOSING)
    return; /* a tunnel loop closes back on itself */
  pool_origin *origin = conn->origin;
  pool_conn_activate(pool, conn);
  if (conn->state == CONN_CONNECTING)
    origin->connecting--;
  conn->state = CONN_CLOSING;
  conn->close_reason = (uint8_t)reason;
  h2e_list_remove(&conn->link);
  origin->nconns--;
  take_back_unsubmitted(conn);
  fail_in_flight(pool, conn, now_ms);
  pool_request *outer = unlink_outer(pool, conn);
  pool_raise(pool, &conn->pending, H2E_POOL_CLOSE);
  if (outer)
    pool_request_finish(pool, outer, now_ms);
  pool_dispatch(pool, origin, now_ms);
  pool_origin_release_if_unused(pool, origin);
}

void pool_conn_free(h2e_pool *pool, pool_conn *conn) {
  conn->state = CONN_FREE;
  conn->generation++;
  h2e_list_push_back(&pool->free_conns, &conn->link);
  if (pool->starving)
    pool_dispatch_starving(pool, pool->now_ms);
}

void pool_conn_drain(h2e_pool *pool, pool_conn *conn, uint64_t now_ms) {
  pool_conn_activate(pool, conn);
  conn->state = CONN_DRAINING;
  take_back_unsubmitted(conn);
  if (conn->streams == 0)
    pool_conn_close(pool, conn, H2E_POOL_DRAINED, now_ms);
  else
    pool_dispatch(pool, conn->origin, now_ms);
}
