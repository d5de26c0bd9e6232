/* GOAWAY (RFC 9113 §6.8): received, it ends new streams and fails ours
 * above its last stream id as safe to retry; sent, either at once or
 * gracefully (2^31-1, a PING round trip, then the real last id). */
#include "conn.h"
#include "conn_sizes.h"

#include "frame.h"

#include <string.h>

/* Octets of debug text a GOAWAY carries: the text up to its NUL, at most
 * H2E_GOAWAY_DEBUG_MAX (never read further than that). */
static size_t debug_text_len(const char *debug) {
  size_t len = 0;
  while (debug && len < H2E_GOAWAY_DEBUG_MAX && debug[len] != '\0')
    len++;
  return len;
}

int h2e_conn_queue_goaway(h2e_conn *conn, uint32_t last_id, uint32_t code,
                          const char *debug) {
  /* RFC 9113 §6.8: the last stream id never grows from one GOAWAY to the
   * next (streams the peer opened after ours were ignored). */
  if (conn->goaway_sent && last_id > conn->goaway_sent_last_id)
    last_id = conn->goaway_sent_last_id;
  size_t debug_len = debug_text_len(debug);
  size_t size = H2E_FRAME_HEADER_LEN + 8 + debug_len;
  /* A connection error's GOAWAY may use the room kept for it. */
  uint8_t *p = conn->failed ? h2e_conn_ctrl_reserve_goaway(conn, size)
                            : h2e_conn_ctrl_reserve(conn, size, 0);
  if (p == NULL)
    return H2E_ERR_WOULDBLOCK;
  h2e_frame_write_header(p, (uint32_t)(8 + debug_len), H2E_FRAME_GOAWAY, 0, 0);
  h2e_put_u32(p + 9, last_id & H2E_MAX_STREAM_ID);
  h2e_put_u32(p + 13, code);
  if (debug_len)
    memcpy(p + 17, debug, debug_len);
  h2e_conn_ctrl_commit(conn, size, 0);
  conn->goaway_sent_last_id = last_id;
  return H2E_OK;
}

/* Our streams above the peer's last stream id were not processed
 * (RFC 9113 §6.8, §8.7): they end, safe to retry elsewhere. */
static void fail_unprocessed(h2e_conn *conn, uint32_t last_id) {
  for (uint32_t i = 0; i < conn->streams.slots.grown; i++) {
    h2e_stream *stream = h2e_stream_at(&conn->streams, i);
    if (stream && !stream->peer_initiated && stream->id > last_id) {
      h2e_conn_event_stream_end(conn, stream, H2E_EV_STREAM_RESET,
                                H2E_REFUSED_STREAM, 1, 1);
      h2e_conn_close_stream(conn, stream, H2E_SS_CLOSED_RESET_RECV);
    }
  }
}

void h2e_conn_recv_goaway(h2e_conn *conn, const h2e_frame *frame) {
  uint32_t last_id = frame->u.goaway.last_stream_id;
  uint32_t code = frame->u.goaway.error_code;
  conn->goaway_received = 1;
  conn->goaway_received_last_id = last_id;
  if (h2e_conn_in_reader_buffer(conn, frame->payload))
    conn->reader_pinned = 1; /* the debug data is in the reader's buffer */
  h2e_event *ev = h2e_conn_event_push(conn, H2E_EV_GOAWAY, 0);
  if (ev) {
    ev->u.goaway.last_stream_id = last_id;
    ev->u.goaway.error_code = code;
    ev->u.goaway.debug_data = frame->u.goaway.debug_data;
    ev->u.goaway.debug_len = frame->u.goaway.debug_len;
  }
  fail_unprocessed(conn, last_id);
  /* RFC 9113 §5.4.1: after a GOAWAY for an error the peer closes the
   * connection. §7: unknown codes trigger nothing special, so they end
   * nothing more than NO_ERROR does. */
  if (code == H2E_NO_ERROR || code > H2E_HTTP_1_1_REQUIRED)
    return;
  conn->failed = 1;
  h2e_conn_drop_all_output(conn);
  ev = h2e_conn_event_push(conn, H2E_EV_CONN_ERROR, 0);
  if (ev) {
    ev->u.conn_error.error_code = code;
    ev->u.conn_error.by_peer = 1;
    ev->u.conn_error.reason = "RFC 9113 §6.8: GOAWAY with an error code";
  }
}

void h2e_conn_goaway_ping_acked(h2e_conn *conn) {
  if (conn->goaway_sent != H2E_GOAWAY_GRACEFUL || conn->failed)
    return;
  /* RFC 9113 §6.8: a round trip later, the real last stream id. */
  if (h2e_conn_queue_goaway(conn, conn->last_peer_id, H2E_NO_ERROR, NULL) ==
      H2E_OK)
    conn->goaway_sent = H2E_GOAWAY_FINAL;
}

static int goaway_now(h2e_conn *conn, uint32_t code, const char *debug) {
  int rc = h2e_conn_queue_goaway(conn, conn->last_peer_id, code, debug);
  if (rc != H2E_OK)
    return rc;
  conn->goaway_sent = H2E_GOAWAY_FINAL;
  if (code != H2E_NO_ERROR) {
    conn->failed = 1; /* an error ends the connection at once */
    h2e_conn_drop_all_output(conn);
  }
  return H2E_OK;
}

int h2e_submit_goaway(h2e_conn *conn, uint32_t error_code,
                      const char *debug_text, uint64_t now_ms) {
  if (conn == NULL)
    return H2E_ERR_INVALID_ARG;
  if (conn->failed)
    return H2E_ERR_CONN_CLOSED;
  conn->now_ms = now_ms;
  if (error_code != H2E_NO_ERROR)
    return goaway_now(conn, error_code, debug_text);
  if (conn->goaway_sent)
    return H2E_OK;
  /* RFC 9113 §6.8: the two-step shutdown is the server's (the last id
   * names streams the peer initiated: 2^31-1 is a client's id); a client
   * names the last pushed stream at once. */
  if (!conn->is_server)
    return goaway_now(conn, H2E_NO_ERROR, debug_text);
  /* RFC 9113 §6.8: 2^31-1 first, so streams in flight are not lost. */
  int rc =
      h2e_conn_queue_goaway(conn, H2E_MAX_STREAM_ID, H2E_NO_ERROR, debug_text);
  if (rc != H2E_OK)
    return rc;
  conn->goaway_sent = H2E_GOAWAY_GRACEFUL;
  if (h2e_conn_send_engine_ping(conn, H2E_PING_GOAWAY) != H2E_OK)
    h2e_conn_goaway_ping_acked(conn);
  return H2E_OK;
}
