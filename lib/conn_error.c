/* RFC 9113 §5.4: connection errors (GOAWAY, terminal) and stream errors
 * (RST_STREAM, the connection goes on). */
#include "conn.h"

void h2e_conn_fail(h2e_conn *conn, uint32_t code, const char *reason) {
  if (conn->failed)
    return;
  conn->failed = 1;
  h2e_conn_drop_all_output(conn);
  /* RFC 9113 §5.4.1: GOAWAY with the last stream we processed. */
  h2e_conn_queue_goaway(conn, conn->last_processed_id, code, reason);
  conn->goaway_sent = H2E_GOAWAY_FINAL;
  h2e_event *ev = h2e_conn_event_push(conn, H2E_EV_CONN_ERROR, 0);
  if (ev) {
    ev->u.conn_error.error_code = code;
    ev->u.conn_error.reason = reason;
    return;
  }
  /* Out of memory for the ring: h2e_conn_next_event reports it last. */
  conn->failure_unreported = 1;
  conn->failure_code = code;
  conn->failure_reason = reason;
}

static void reset(h2e_conn *conn, h2e_stream *stream, uint32_t code,
                  uint8_t retryable, const char *reason) {
  /* RFC 9113 §10.5: resets the peer makes us send are budgeted. */
  if (h2e_conn_spend(conn) < 0)
    return;
  h2e_conn_queue_rst(conn, stream, stream->id, code, 1);
  h2e_event *ev = h2e_conn_event_stream_end(conn, stream, H2E_EV_STREAM_RESET,
                                            code, 0, retryable);
  if (ev)
    ev->u.reset.reason = reason;
  h2e_conn_close_stream(conn, stream, H2E_SS_CLOSED_RESET_SENT);
}

void h2e_conn_reset_stream(h2e_conn *conn, h2e_stream *stream, uint32_t code,
                           uint8_t retryable) {
  reset(conn, stream, code, retryable, NULL);
}

void h2e_conn_malformed(h2e_conn *conn, h2e_stream *stream,
                        const char *reason) {
  reset(conn, stream, H2E_PROTOCOL_ERROR, 0, reason);
}

void h2e_conn_stream_error(h2e_conn *conn, uint32_t stream_id, uint32_t code,
                           const char *reason) {
  h2e_stream *stream = h2e_stream_find(&conn->streams, stream_id);
  if (stream) {
    reset(conn, stream, code, 0, reason);
    return;
  }
  if (h2e_conn_spend(conn) < 0)
    return;
  /* RFC 9113 §5.4.2: RST_STREAM, and frames in flight are ignored. */
  h2e_conn_queue_rst(conn, NULL, stream_id, code, 1);
  h2e_conn_remember_closed(conn, stream_id, H2E_SS_CLOSED_RESET_SENT);
}
