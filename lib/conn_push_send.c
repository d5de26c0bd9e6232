/* Server push as a server sends it (RFC 9113 §8.4, §6.6): a PUSH_PROMISE
 * on a client's request stream reserves a stream of ours, which the
 * application then answers like any request (h2e_submit_headers,
 * h2e_submit_data). */
#include "conn.h"

/* RFC 9113 §5.1.2: our open streams within the peer's limit and our own
 * (the table was sized for it). */
int h2e_conn_push_may_start(const h2e_conn *conn) {
  uint32_t limit = conn->peer_settings[H2E_SETTINGS_MAX_CONCURRENT_STREAMS];
  if (limit > conn->config.max_concurrent_streams)
    limit = conn->config.max_concurrent_streams;
  return conn->local_active < limit;
}

static int check_can_push(const h2e_conn *conn, const h2e_field *fields,
                          size_t count) {
  if (!conn->is_server) /* RFC 9113 §8.4: only servers push */
    return H2E_ERR_INVALID_ARG;
  if (conn->failed || conn->goaway_sent || conn->goaway_received)
    return H2E_ERR_CONN_CLOSED; /* RFC 9113 §6.8: no new streams */
  /* RFC 9113 §6.5.2, §8.4: not after the client said ENABLE_PUSH=0. */
  if (conn->peer_settings[H2E_SETTINGS_ENABLE_PUSH] == 0)
    return H2E_ERR_PUSH_DISABLED;
  /* RFC 9113 §8.4: a promised request is a whole, safe request without
   * content (http_check.c), unless the config asks for raw HTTP. */
  h2e_http_head head;
  if (h2e_conn_http_submit(conn, H2E_HTTP_PUSH, fields, count, 0, &head) !=
      H2E_OK)
    return H2E_ERR_INVALID_ARG;
  if (conn->next_local_id > H2E_MAX_STREAM_ID)
    return H2E_ERR_STREAM_IDS_EXHAUSTED; /* RFC 9113 §5.1.1 */
  size_t room = h2e_conn_promise_room(conn, fields, count);
  if (room > conn->blocks.cap)
    return H2E_ERR_BUFFER_TOO_SMALL;
  if (room > h2e_fifo_room(&conn->blocks))
    return H2E_ERR_WOULDBLOCK;
  return H2E_OK;
}

/* RFC 9113 §8.4: the associated stream is a client request that is open
 * or half-closed (remote), and our side of it has not ended. */
static h2e_stream *associated_stream(h2e_conn *conn, uint32_t id) {
  h2e_stream *stream = h2e_stream_find(&conn->streams, id);
  if (stream == NULL || !stream->peer_initiated ||
      stream->local_end_submitted ||
      h2e_stream_transition((h2e_sstate)stream->state, H2E_SI_SEND_PUSH_PROMISE)
              .outcome != H2E_SO_OK)
    return NULL;
  return stream;
}

int32_t h2e_submit_push_promise(h2e_conn *conn, uint32_t associated_stream_id,
                                const h2e_field *fields, size_t count) {
  if (conn == NULL || fields == NULL)
    return H2E_ERR_INVALID_ARG;
  int err = check_can_push(conn, fields, count);
  if (err != H2E_OK)
    return err;
  h2e_stream *associated = associated_stream(conn, associated_stream_id);
  if (associated == NULL)
    return H2E_ERR_STREAM_CLOSED;
  /* RFC 9113 §5.1: send PP -> reserved (local); not counted toward the
   * concurrency limit until its response starts (§5.1.2). */
  h2e_stream *promised =
      h2e_conn_new_local_stream(conn, H2E_SS_RESERVED_LOCAL, &err);
  if (promised == NULL)
    return err == H2E_ERR_WOULDBLOCK ? H2E_ERR_STREAM_LIMIT : err;
  err = h2e_conn_encode_promise(conn, associated, promised, fields, count);
  if (err != H2E_OK) {
    h2e_conn_close_stream(conn, promised, H2E_SS_CLOSED_RESET_SENT);
    return err;
  }
  return (int32_t)promised->id;
}
