/* Received DATA (RFC 9113 §6.1), delivered as slices of the caller's
 * input, piece by piece as the frame reader streams it. Flow control is
 * settled on the first piece for the whole frame (§6.9): the connection
 * window counts every DATA frame, even one that is discarded or in error
 * (§6.9, §6.8), and what the application will never see is credited
 * back at once, padding included. */
#include "conn.h"

static uint32_t data_octets(const h2e_frame *frame) {
  uint32_t overhead = 0;
  if (frame->hd.flags & H2E_FLAG_PADDED)
    overhead = 1u + frame->u.data.pad_len;
  return frame->hd.length - overhead;
}

void h2e_conn_give_credit(h2e_conn *conn, h2e_stream *stream, uint64_t len) {
  h2e_flow_recv_credit(&conn->recv_flow, len);
  if (stream)
    h2e_flow_recv_credit(&stream->recv, len);
  h2e_conn_update_due(conn, stream);
}

/* The frame is not for the application: its octets go back at once. */
static void discard(h2e_conn *conn, uint32_t length) {
  h2e_conn_give_credit(conn, NULL, length);
  conn->rx_data.deliver = 0;
}

/* RFC 9113 §8.1.1: the message is malformed; the frame goes back. */
static void malformed(h2e_conn *conn, h2e_stream *stream, uint32_t length,
                      const char *why) {
  h2e_flow_recv_credit(&stream->recv, length);
  discard(conn, length);
  h2e_conn_malformed(conn, stream, why);
}

/* Flow control and checks for a frame on a stream that may take DATA. */
static void accept_frame(h2e_conn *conn, h2e_stream *stream,
                         const h2e_frame *frame) {
  uint32_t length = frame->hd.length;
  if (h2e_flow_recv_take(&stream->recv, length) < 0) {
    /* RFC 9113 §6.9.1: beyond the stream window, a stream error. */
    discard(conn, length);
    h2e_conn_reset_stream(conn, stream, H2E_FLOW_CONTROL_ERROR, 0);
    return;
  }
  if (!stream->head_received) {
    malformed(conn, stream, length,
              "RFC 9113 §8.1: DATA before the final response head");
    return;
  }
  const char *why =
      h2e_http_body_data(&stream->body, data_octets(frame),
                         (frame->hd.flags & H2E_FLAG_END_STREAM) != 0);
  if (why) {
    malformed(conn, stream, length, why);
    return;
  }
  conn->rx_data.deliver = 1;
  uint32_t padding = length - data_octets(frame);
  if (padding)
    h2e_conn_give_credit(conn, stream, padding);
}

static void begin_frame(h2e_conn *conn, const h2e_frame *frame) {
  uint32_t id = frame->hd.stream_id;
  conn->rx_data.stream_id = id;
  conn->rx_data.deliver = 0;
  /* RFC 9113 §10.5: an empty DATA frame that ends nothing only costs. */
  if (frame->hd.length == 0 && !(frame->hd.flags & H2E_FLAG_END_STREAM) &&
      h2e_conn_spend(conn) < 0)
    return;
  h2e_stream *stream;
  h2e_transition t = h2e_stream_transition(
      h2e_conn_stream_state(conn, id, &stream), H2E_SI_RECV_DATA);
  if (t.outcome == H2E_SO_CONN_PROTOCOL_ERROR) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §5.1: DATA on an idle or reserved stream");
    return;
  }
  /* RFC 9113 §6.9.1: beyond the connection window, a connection error. */
  if (h2e_flow_recv_take(&conn->recv_flow, frame->hd.length) < 0) {
    h2e_conn_fail(conn, H2E_FLOW_CONTROL_ERROR,
                  "RFC 9113 §6.9.1: DATA beyond the connection window");
    return;
  }
  if (t.outcome == H2E_SO_OK) {
    accept_frame(conn, stream, frame);
    return;
  }
  discard(conn, frame->hd.length);
  /* RFC 9113 §6.1: DATA on a stream not open or half-closed (local). */
  if (t.outcome == H2E_SO_STREAM_CLOSED)
    h2e_conn_stream_error(conn, id, H2E_STREAM_CLOSED,
                          "RFC 9113 §6.1: DATA on a closed stream");
}

static void deliver_piece(h2e_conn *conn, h2e_stream *stream,
                          const h2e_frame *frame, int end_stream) {
  size_t len = frame->u.data.data_len;
  if (len == 0 && !end_stream)
    return;
  h2e_event *ev = h2e_conn_event_push(conn, H2E_EV_DATA, stream->id);
  if (ev) {
    ev->u.data.data = frame->u.data.data;
    ev->u.data.len = len;
    ev->u.data.end_stream = (uint8_t)end_stream;
  }
  if (conn->config.auto_consume) {
    h2e_conn_give_credit(conn, stream, len);
    return;
  }
  stream->unconsumed += len;
  conn->unconsumed += len;
}

void h2e_conn_recv_data(h2e_conn *conn, const h2e_frame *frame) {
  /* Only the first piece of a frame has offset 0 (an empty piece can
   * only end a frame). */
  if (frame->u.data.offset == 0)
    begin_frame(conn, frame);
  if (conn->failed || !conn->rx_data.deliver)
    return;
  h2e_stream *stream = h2e_stream_find(&conn->streams, frame->hd.stream_id);
  if (stream == NULL) { /* reset by the application between pieces */
    h2e_conn_give_credit(conn, NULL, frame->u.data.data_len);
    return;
  }
  int end_stream =
      frame->u.data.last && (frame->hd.flags & H2E_FLAG_END_STREAM);
  deliver_piece(conn, stream, frame, end_stream);
  if (end_stream)
    h2e_conn_end_stream_received(conn, stream);
}

int h2e_consume(h2e_conn *conn, uint32_t stream_id, size_t len) {
  if (conn == NULL)
    return H2E_ERR_INVALID_ARG;
  h2e_stream *stream = h2e_stream_find(&conn->streams, stream_id);
  uint64_t held = stream ? stream->unconsumed : conn->unconsumed;
  if (len > held)
    return H2E_ERR_INVALID_ARG;
  /* A stream that is over needs no window: the connection gets the
   * credit alone (RFC 9113 §6.9: it counted every DATA octet). */
  if (stream)
    stream->unconsumed -= len;
  conn->unconsumed -= len;
  h2e_conn_give_credit(conn, stream, len);
  return H2E_OK;
}
