/* What the caller reports about a request: its stream id, its end, or
 * the peer's refusal (retried once, on another connection). */
#include "pool.h"

void pool_request_free(h2e_pool *pool, pool_request *request) {
  pool_origin *origin = request->origin;
  pool_withdraw(&request->pending);
  if (request->state == REQ_QUEUED)
    pool_request_unqueue(pool, request);
  origin->requests--;
  h2e_list_remove(&request->link);
  request->state = REQ_FREE;
  request->generation++;
  h2e_list_push_back(&pool->free_requests, &request->link);
  pool_origin_release_if_unused(pool, origin);
}

/* Takes the request off its connection; the stream is counted free. */
static pool_conn *detach(pool_request *request) {
  pool_conn *conn = request->conn;
  request->conn = NULL;
  h2e_list_remove(&request->link);
  return conn;
}

void pool_request_finish(h2e_pool *pool, pool_request *request,
                         uint64_t now_ms) {
  pool_conn *inner = request->tunnel;
  if (inner) {
    request->tunnel = NULL;
    inner->outer = NULL;
    pool_conn_close(pool, inner, H2E_POOL_TUNNEL_LOST, now_ms);
  }
  pool_conn *conn = detach(request);
  pool_request_free(pool, request);
  if (conn)
    pool_conn_stream_ended(pool, conn, now_ms);
}

int h2e_pool_request_done(h2e_pool *pool, uint32_t id, uint64_t now_ms) {
  pool_clock(pool, now_ms);
  pool_request *request = pool_request_lookup(pool, id);
  if (request == NULL)
    return H2E_ERR_INVALID_ARG;
  pool_request_finish(pool, request, now_ms);
  return H2E_OK;
}

static pool_request *in_flight(h2e_pool *pool, uint32_t id, uint64_t now_ms) {
  pool_clock(pool, now_ms);
  pool_request *request = pool_request_lookup(pool, id);
  return request && request->state == REQ_IN_FLIGHT ? request : NULL;
}

int h2e_pool_request_refused(h2e_pool *pool, uint32_t id, uint64_t now_ms) {
  pool_request *request = in_flight(pool, id, now_ms);
  if (request == NULL)
    return H2E_ERR_INVALID_ARG;
  if (request->tunnel) {
    /* A tunnel's stream was answered before it carried anything: its
     * end is not a refusal to retry. */
    pool_request_finish(pool, request, now_ms);
    return H2E_OK;
  }
  pool_origin *origin = request->origin;
  pool_conn *conn = detach(request);
  /* RFC 9113 §8.7: a refused request was not processed and may be
   * retried; once, and on another connection. */
  if (request->retried) {
    pool_request_end(pool, request, H2E_POOL_FAIL, H2E_POOL_REFUSED);
  } else {
    request->retried = 1;
    request->avoid_conn = pool_conn_id(pool, conn);
    pool_request_queue(request, 0);
  }
  pool_conn_stream_ended(pool, conn, now_ms);
  pool_dispatch(pool, origin, now_ms);
  return H2E_OK;
}

int h2e_pool_submitted(h2e_pool *pool, uint32_t id, int32_t result,
                       uint64_t now_ms) {
  pool_request *request = in_flight(pool, id, now_ms);
  if (request == NULL || request->stream_id || request->tunnel || result == 0 ||
      result == H2E_ERR_WOULDBLOCK)
    return H2E_ERR_INVALID_ARG;
  if (result > 0) {
    request->stream_id = (uint32_t)result;
    return H2E_OK;
  }
  pool_conn *conn = detach(request);
  pool_request_queue(request, 1);
  if (result == H2E_ERR_STREAM_LIMIT) {
    /* Our count was above the engine's: trust the engine. */
    conn->stream_limit = conn->streams - 1;
    pool_conn_stream_ended(pool, conn, now_ms);
  } else {
    conn->streams--;
    pool_conn_drain(pool, conn, now_ms);
  }
  return H2E_OK;
}
