/* PUSH_PROMISE as a client receives it (RFC 9113 §6.6, §8.4): the
 * promised stream is reserved and the application hears of it. What a
 * server does with pushes comes with the HTTP layer. */
#include "conn.h"

int h2e_conn_push_allowed(h2e_conn *conn) {
  /* RFC 9113 §8.4: only a server pushes. */
  if (conn->is_server) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §8.4: PUSH_PROMISE from a client");
    return -1;
  }
  /* RFC 9113 §6.5.2, §6.6: after our ENABLE_PUSH=0 is acknowledged. */
  if (conn->local_settings[H2E_SETTINGS_ENABLE_PUSH] == 0) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §6.6: PUSH_PROMISE with push disabled");
    return -1;
  }
  return 0;
}

/* RFC 9113 §6.6: the promised id must be a new server stream id. */
static int promised_id_valid(const h2e_conn *conn, uint32_t id) {
  return id != 0 && id % 2 == 0 && id > conn->last_peer_id;
}

/* The promise is declined (RFC 9113 §6.6: RST_STREAM on the promised
 * stream); the stream is remembered so its frames in flight are ignored. */
static void decline(h2e_conn *conn, uint32_t promised, uint32_t code) {
  h2e_conn_queue_rst(conn, NULL, promised, code, 1);
  h2e_conn_remember_closed(conn, promised, H2E_SS_CLOSED_RESET_SENT);
}

static void reserve(h2e_conn *conn, uint32_t associated, uint32_t promised,
                    const h2e_field_list *list) {
  h2e_stream *stream = NULL;
  uint8_t head_request = 0;
  /* RFC 9113 §8.4: a malformed promise is refused on the promised
   * stream with PROTOCOL_ERROR. */
  if (list->too_large || h2e_conn_http_promise(conn, list, &head_request)) {
    decline(conn, promised, H2E_PROTOCOL_ERROR);
    return;
  }
  if (conn->config.enable_push == 0 ||
      conn->peer_active + conn->peer_reserved >=
          conn->config.max_concurrent_streams ||
      (stream = h2e_conn_create_peer_stream(conn, promised)) == NULL) {
    decline(conn, promised, H2E_REFUSED_STREAM);
    return;
  }
  stream->body.head_request = head_request;
  stream->reserved = 1;
  conn->peer_reserved++;
  h2e_conn_stream_enter(conn, stream, H2E_SS_RESERVED_REMOTE);
  stream->app_knows = 1;
  h2e_event *ev = h2e_conn_event_push(conn, H2E_EV_PUSH_PROMISE, associated);
  if (ev) {
    ev->u.push_promise.promised_stream_id = promised;
    ev->u.push_promise.fields = list->fields;
    ev->u.push_promise.count = list->count;
  }
}

void h2e_conn_push_promise_received(h2e_conn *conn,
                                    const h2e_field_list *list) {
  uint32_t associated = conn->block.stream_id;
  uint32_t promised = conn->block.promised_id;
  h2e_stream *stream;
  h2e_sstate state = h2e_conn_stream_state(conn, associated, &stream);
  h2e_transition t = h2e_stream_transition(state, H2E_SI_RECV_PUSH_PROMISE);
  if (t.outcome != H2E_SO_OK && t.outcome != H2E_SO_IGNORE) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §6.6: PUSH_PROMISE on a stream that is neither "
                  "open nor half-closed (local)");
    return;
  }
  if (!promised_id_valid(conn, promised)) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §6.6: PUSH_PROMISE promises an illegal stream id");
    return;
  }
  conn->last_peer_id = promised;
  /* RFC 9113 §5.1: on a stream we reset, the promise still reserves the
   * promised stream; we decline it at once. */
  if (t.outcome == H2E_SO_IGNORE) {
    decline(conn, promised, H2E_CANCEL);
    return;
  }
  reserve(conn, associated, promised, list);
}
