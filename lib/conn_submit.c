/* Submitting header blocks: a client's request (which opens a stream),
 * responses, informational responses and trailers. */
#include "conn.h"
#include "fields.h"

/* RFC 9113 §5.1.2: our streams stay within the peer's limit (and within
 * the table this connection was sized for). */
static int32_t check_can_open(const h2e_conn *conn) {
  if (conn->is_server)
    return H2E_ERR_INVALID_ARG;
  if (conn->failed || conn->goaway_sent || conn->goaway_received)
    return H2E_ERR_CONN_CLOSED; /* RFC 9113 §6.8 */
  if (conn->next_local_id > H2E_MAX_STREAM_ID)
    return H2E_ERR_STREAM_IDS_EXHAUSTED; /* RFC 9113 §5.1.1 */
  if (h2e_conn_streams_available(conn) == 0)
    return H2E_ERR_STREAM_LIMIT;
  return H2E_OK;
}

h2e_stream *h2e_conn_new_local_stream(h2e_conn *conn, h2e_sstate state,
                                      int *err) {
  h2e_stream *stream = h2e_stream_create(&conn->streams, &conn->allocator,
                                         conn->next_local_id, err);
  if (stream == NULL)
    return NULL;
  stream->send_window = conn->peer_settings[H2E_SETTINGS_INITIAL_WINDOW_SIZE];
  h2e_flow_recv_init(&stream->recv, conn->recv_initial_window);
  stream->app_knows = 1;
  conn->next_local_id += 2;
  h2e_conn_stream_enter(conn, stream, state);
  return stream;
}

int32_t h2e_submit_request(h2e_conn *conn, const h2e_field *fields,
                           size_t count, unsigned flags) {
  if (conn == NULL || (fields == NULL && count != 0))
    return H2E_ERR_INVALID_ARG;
  int32_t rc = check_can_open(conn);
  /* RFC 8441 §4: :protocol only after the server's
   * SETTINGS_ENABLE_CONNECT_PROTOCOL=1. */
  if (rc == H2E_OK && h2e_field_find(fields, count, ":protocol") &&
      conn->peer_settings[H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL] != 1)
    rc = H2E_ERR_CONNECT_PROTOCOL_DISABLED;
  uint8_t end_stream = (flags & H2E_END_STREAM) != 0;
  h2e_http_head head;
  if (rc == H2E_OK)
    rc = h2e_conn_http_submit(conn, H2E_HTTP_REQUEST, fields, count, end_stream,
                              &head);
  if (rc != H2E_OK)
    return rc;
  size_t room = h2e_conn_block_room(conn, fields, count);
  if (room > conn->blocks.cap)
    return H2E_ERR_BUFFER_TOO_SMALL;
  if (room > h2e_fifo_room(&conn->blocks))
    return H2E_ERR_WOULDBLOCK;
  int err = 0;
  /* RFC 9113 §5.1: send H -> open. */
  h2e_stream *stream = h2e_conn_new_local_stream(conn, H2E_SS_OPEN, &err);
  if (stream == NULL)
    return err == H2E_ERR_WOULDBLOCK ? H2E_ERR_STREAM_LIMIT : err;
  int32_t id = (int32_t)stream->id;
  stream->body.head_request = head.method == H2E_METHOD_HEAD;
  h2e_conn_encode_block(conn, stream, fields, count, end_stream);
  if (end_stream) {
    stream->local_end_submitted = 1;
    h2e_conn_sent_end_stream(conn, stream);
  }
  return id;
}

/* The stream as a target for what we send, or an error. */
h2e_stream *h2e_conn_sending_stream(h2e_conn *conn, uint32_t stream_id,
                                    h2e_sinput input, int *err) {
  h2e_stream *stream = NULL;
  *err = H2E_OK;
  if (conn->failed)
    *err = H2E_ERR_CONN_CLOSED;
  else if ((stream = h2e_stream_find(&conn->streams, stream_id)) == NULL ||
           stream->local_end_submitted || /* RFC 9113 §5.1: not after ES */
           h2e_stream_transition((h2e_sstate)stream->state, input).outcome !=
               H2E_SO_OK)
    *err = H2E_ERR_STREAM_CLOSED;
  return *err == H2E_OK ? stream : NULL;
}

int h2e_submit_headers(h2e_conn *conn, uint32_t stream_id,
                       const h2e_field *fields, size_t count, unsigned flags) {
  if (conn == NULL || (fields == NULL && count != 0))
    return H2E_ERR_INVALID_ARG;
  int err;
  h2e_stream *stream =
      h2e_conn_sending_stream(conn, stream_id, H2E_SI_SEND_HEADERS, &err);
  if (stream == NULL)
    return err;
  /* RFC 9113 §5.1.2: a promised stream counts once its response starts. */
  if (stream->state == H2E_SS_RESERVED_LOCAL && !h2e_conn_push_may_start(conn))
    return H2E_ERR_STREAM_LIMIT;
  uint8_t end_stream = (flags & H2E_END_STREAM) != 0;
  /* RFC 9113 §8.1: after the head (and any body) only trailers, which
   * end the stream. */
  if (stream->head_sent && !end_stream)
    return H2E_ERR_INVALID_ARG;
  h2e_http_head head;
  err = h2e_conn_http_submit(conn,
                             conn->is_server && !stream->head_sent
                                 ? H2E_HTTP_RESPONSE
                                 : H2E_HTTP_TRAILERS,
                             fields, count, end_stream, &head);
  if (err != H2E_OK)
    return err;
  if (stream->data_head != 0) {
    /* Trailers wait for the body to go out first. */
    err = h2e_conn_hold_block(conn, stream, fields, count);
  } else {
    err = h2e_conn_encode_block(conn, stream, fields, count, end_stream);
    if (err == H2E_OK)
      h2e_conn_stream_enter(conn, stream,
                            (h2e_sstate)h2e_stream_transition(
                                (h2e_sstate)stream->state, H2E_SI_SEND_HEADERS)
                                .next);
  }
  if (err != H2E_OK || !end_stream)
    return err;
  stream->local_end_submitted = 1;
  if (stream->held == 0)
    h2e_conn_sent_end_stream(conn, stream);
  return H2E_OK;
}
