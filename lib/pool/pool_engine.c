/* Glue for pool connections driven by an h2e_conn: the pool facts its
 * events carry, through the engine's public API only. */
#include "pool.h"

static pool_request *request_on_stream(pool_conn *conn, uint32_t stream_id) {
  for (h2e_link *l = conn->requests.next; l != &conn->requests; l = l->next) {
    pool_request *request = H2E_CONTAINER_OF(l, pool_request, link);
    if (request->state == REQ_IN_FLIGHT && request->stream_id == stream_id)
      return request;
  }
  return NULL;
}

static int stream_ended(h2e_pool *pool, pool_conn *conn, const h2e_event *ev,
                        uint64_t now_ms) {
  pool_request *request = request_on_stream(conn, ev->stream_id);
  if (request == NULL)
    return H2E_OK;
  uint32_t id = pool_request_id(pool, request);
  if (ev->type == H2E_EV_STREAM_RESET && ev->u.reset.retryable)
    return h2e_pool_request_refused(pool, id, now_ms);
  return h2e_pool_request_done(pool, id, now_ms);
}

int h2e_pool_conn_event(h2e_pool *pool, uint32_t id, const h2e_conn *engine,
                        const h2e_event *ev, uint64_t now_ms) {
  pool_conn *conn = pool_conn_lookup(pool, id);
  if (conn == NULL || engine == NULL || ev == NULL)
    return H2E_ERR_INVALID_ARG;
  switch (ev->type) {
  case H2E_EV_SETTINGS:
    return h2e_pool_stream_limit(
        pool, id,
        h2e_conn_peer_setting(engine, H2E_SETTINGS_MAX_CONCURRENT_STREAMS),
        now_ms);
  case H2E_EV_GOAWAY:
    return h2e_pool_goaway(pool, id, now_ms);
  case H2E_EV_STREAM_RESET:
  case H2E_EV_STREAM_CLOSED:
    return stream_ended(pool, conn, ev, now_ms);
  case H2E_EV_CONN_ERROR:
    return h2e_pool_conn_dead(pool, id, now_ms);
  default:
    return H2E_OK;
  }
}
