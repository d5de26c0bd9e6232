/* What the caller reports about a connection. Which fact a state accepts
 * is one table; the side effects follow it. */
#include "pool.h"

typedef enum conn_fact {
  FACT_CONNECTED_HTTP2,
  FACT_CONNECTED_HTTP1,
  FACT_CONNECT_FAILED,
  FACT_STREAM_LIMIT,
  FACT_GOAWAY,
  FACT_DEAD,
  FACT_TUNNEL,
  FACTS
} conn_fact;

enum { REJECT = 0, ACCEPT = 1, IGNORE = 2 };

/* A closing connection has left the pool: reports that cross its CLOSE
 * action are harmless and ignored. A stream limit before the connection
 * is up is ignored too (h2e_pool_connected carries one). */
static const uint8_t conn_fact_table[CONN_STATES][FACTS] = {
    /*                 h2      h1      failed  limit   goaway  dead    tunnel */
    [CONN_FREE] = {REJECT, REJECT, REJECT, REJECT, REJECT, REJECT, REJECT},
    [CONN_CONNECTING] = {ACCEPT, ACCEPT, ACCEPT, IGNORE, REJECT, ACCEPT,
                         ACCEPT},
    [CONN_READY] = {REJECT, REJECT, REJECT, ACCEPT, ACCEPT, ACCEPT, ACCEPT},
    [CONN_DRAINING] = {REJECT, REJECT, REJECT, IGNORE, IGNORE, ACCEPT, REJECT},
    [CONN_CLOSING] = {IGNORE, IGNORE, IGNORE, IGNORE, IGNORE, IGNORE, IGNORE},
};

/* The connection when the fact applies to it; NULL with *result set
 * otherwise. */
static pool_conn *conn_for_fact(h2e_pool *pool, uint32_t id, conn_fact fact,
                                uint64_t now_ms, int *result) {
  pool_clock(pool, now_ms);
  pool_conn *conn = pool_conn_lookup(pool, id);
  /* A connection whose CONNECT has not been pulled is not the caller's
   * yet: nothing can be known about it (found by fuzz/pool.c). */
  if (conn && conn->pending.type == H2E_POOL_CONNECT)
    conn = NULL;
  uint8_t verdict = conn ? conn_fact_table[conn->state][fact] : REJECT;
  *result = verdict == REJECT ? H2E_ERR_INVALID_ARG : H2E_OK;
  return verdict == ACCEPT ? conn : NULL;
}

static void serve_as_http1(h2e_pool *pool, pool_origin *origin) {
  while (!h2e_list_empty(&origin->queue))
    pool_request_end(pool,
                     H2E_CONTAINER_OF(origin->queue.next, pool_request, link),
                     H2E_POOL_HTTP1, H2E_POOL_NOT_HTTP2);
}

int h2e_pool_connected(h2e_pool *pool, uint32_t id, h2e_pool_protocol protocol,
                       uint32_t stream_limit, uint64_t now_ms) {
  int result;
  int http2 = protocol == H2E_POOL_PROTO_HTTP2;
  pool_conn *conn = conn_for_fact(
      pool, id, http2 ? FACT_CONNECTED_HTTP2 : FACT_CONNECTED_HTTP1, now_ms,
      &result);
  if (conn == NULL)
    return result;
  pool_origin *origin = conn->origin;
  if (!http2) {
    pool_origin_mark_not_http2(pool, origin, now_ms);
    serve_as_http1(pool, origin);
    pool_conn_close(pool, conn, H2E_POOL_NOT_HTTP2, now_ms);
    return H2E_OK;
  }
  origin->connecting--;
  origin->connect_held = 0;
  conn->state = CONN_READY;
  conn->stream_limit = stream_limit;
  pool_conn_settle(pool, conn, now_ms);
  return H2E_OK;
}

static void fail_queue(h2e_pool *pool, pool_origin *origin) {
  while (!h2e_list_empty(&origin->queue))
    pool_request_end(pool,
                     H2E_CONTAINER_OF(origin->queue.next, pool_request, link),
                     H2E_POOL_FAIL, H2E_POOL_CONNECT_ERROR);
}

static void connect_failed(h2e_pool *pool, pool_conn *conn, uint64_t now_ms) {
  pool_origin *origin = conn->origin;
  /* Waiting requests fail with the connect when nothing else of the key
   * could ever serve them. Otherwise they wait for streams of the other
   * connections, and the next connect waits for a new request (no
   * reconnect loop against a server that is down). */
  if (origin->nconns == 1)
    fail_queue(pool, origin);
  else
    origin->connect_held = 1;
  pool_conn_close(pool, conn, H2E_POOL_CONNECT_ERROR, now_ms);
}

int h2e_pool_connect_failed(h2e_pool *pool, uint32_t id, uint64_t now_ms) {
  int result;
  pool_conn *conn =
      conn_for_fact(pool, id, FACT_CONNECT_FAILED, now_ms, &result);
  if (conn)
    connect_failed(pool, conn, now_ms);
  return result;
}

int h2e_pool_stream_limit(h2e_pool *pool, uint32_t id, uint32_t stream_limit,
                          uint64_t now_ms) {
  int result;
  pool_conn *conn = conn_for_fact(pool, id, FACT_STREAM_LIMIT, now_ms, &result);
  if (conn == NULL)
    return result;
  conn->stream_limit = stream_limit;
  pool_dispatch(pool, conn->origin, now_ms);
  return H2E_OK;
}

int h2e_pool_goaway(h2e_pool *pool, uint32_t id, uint64_t now_ms) {
  int result;
  pool_conn *conn = conn_for_fact(pool, id, FACT_GOAWAY, now_ms, &result);
  if (conn == NULL)
    return result;
  /* RFC 9113 §6.8: no new streams on a connection that received GOAWAY;
   * the open ones may finish. */
  pool_conn_drain(pool, conn, now_ms);
  return H2E_OK;
}

int h2e_pool_conn_dead(h2e_pool *pool, uint32_t id, uint64_t now_ms) {
  int result;
  pool_conn *conn = conn_for_fact(pool, id, FACT_DEAD, now_ms, &result);
  if (conn == NULL)
    return result;
  if (conn->state == CONN_CONNECTING)
    connect_failed(pool, conn, now_ms); /* it never connected */
  else
    pool_conn_close(pool, conn, H2E_POOL_CONN_DEAD, now_ms);
  return H2E_OK;
}

int h2e_pool_tunnel(h2e_pool *pool, uint32_t id, uint32_t outer_request,
                    uint64_t now_ms) {
  int result;
  pool_conn *conn = conn_for_fact(pool, id, FACT_TUNNEL, now_ms, &result);
  if (conn == NULL)
    return result;
  pool_request *outer = pool_request_lookup(pool, outer_request);
  if (outer == NULL || outer->state != REQ_IN_FLIGHT || outer->tunnel ||
      conn->outer || outer->conn == conn)
    return H2E_ERR_INVALID_ARG;
  conn->outer = outer;
  outer->tunnel = conn;
  return H2E_OK;
}
