/* Received RST_STREAM (RFC 9113 §6.4), PRIORITY (§6.3), WINDOW_UPDATE
 * (§6.9) and the extension frames the engine reports. */
#include "conn.h"

void h2e_conn_recv_rst_stream(h2e_conn *conn, const h2e_frame *frame) {
  h2e_stream *stream;
  h2e_sstate state = h2e_conn_stream_state(conn, frame->hd.stream_id, &stream);
  h2e_transition t = h2e_stream_transition(state, H2E_SI_RECV_RST);
  if (t.outcome == H2E_SO_CONN_PROTOCOL_ERROR) {
    /* RFC 9113 §6.4: RST_STREAM on an idle stream. */
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §6.4: RST_STREAM on an idle stream");
    return;
  }
  if (t.outcome != H2E_SO_OK || stream == NULL)
    return;
  /* RFC 9113 §10.5: streams the peer opens and resets are budgeted. */
  if (stream->peer_initiated && h2e_conn_spend(conn) < 0)
    return;
  uint32_t code = frame->u.rst_stream.error_code;
  h2e_conn_withdraw_block(conn, stream);
  /* RFC 9113 §8.7: REFUSED_STREAM means not processed, safe to retry. */
  h2e_conn_event_stream_end(conn, stream, H2E_EV_STREAM_RESET, code, 1,
                            code == H2E_REFUSED_STREAM);
  h2e_conn_close_stream(conn, stream, (h2e_sstate)t.next);
}

void h2e_conn_recv_priority(h2e_conn *conn, const h2e_frame *frame) {
  /* RFC 9113 §5.3.2, §6.3: allowed in any state, and ignored (RFC 7540
   * priorities are deprecated; the codec checked self-dependency). */
  (void)conn;
  (void)frame;
}

int h2e_conn_send_window_changed(h2e_conn *conn, h2e_stream *stream,
                                 int64_t delta) {
  int64_t before = stream->send_window;
  if (h2e_flow_window_add(&stream->send_window, delta) < 0)
    return -1;
  if (stream->window_blocked && before <= 0 && stream->send_window > 0) {
    stream->window_blocked = 0;
    h2e_conn_schedule(conn, stream);
    if (!h2e_link_linked(&stream->window_link))
      h2e_list_push_back(&conn->windows_open, &stream->window_link);
  }
  return 0;
}

static void connection_window_update(h2e_conn *conn, uint32_t increment) {
  /* RFC 9113 §6.9.1: beyond 2^31-1, a connection FLOW_CONTROL_ERROR. */
  if (h2e_flow_window_add(&conn->send_window, increment) < 0)
    h2e_conn_fail(conn, H2E_FLOW_CONTROL_ERROR,
                  "RFC 9113 §6.9.1: connection window above 2^31-1");
}

void h2e_conn_recv_window_update(h2e_conn *conn, const h2e_frame *frame) {
  uint32_t id = frame->hd.stream_id;
  uint32_t increment = frame->u.window_update.increment;
  if (id == 0) {
    connection_window_update(conn, increment);
    return;
  }
  h2e_stream *stream;
  h2e_transition t = h2e_stream_transition(
      h2e_conn_stream_state(conn, id, &stream), H2E_SI_RECV_WINDOW_UPDATE);
  if (t.outcome == H2E_SO_CONN_PROTOCOL_ERROR) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §5.1: WINDOW_UPDATE on an idle stream");
    return;
  }
  if (t.outcome != H2E_SO_OK || stream == NULL)
    return;
  /* RFC 9113 §6.9.1: beyond 2^31-1, a stream FLOW_CONTROL_ERROR. */
  if (h2e_conn_send_window_changed(conn, stream, increment) < 0)
    h2e_conn_reset_stream(conn, stream, H2E_FLOW_CONTROL_ERROR, 0);
}

/* An event whose slices may point into the reader's buffer: reading
 * pauses until the application has pulled it. */
static h2e_event *slice_event(h2e_conn *conn, h2e_event_type type,
                              const h2e_frame *frame) {
  if (h2e_conn_in_reader_buffer(conn, frame->payload))
    conn->reader_pinned = 1;
  return h2e_conn_event_push(conn, type, frame->hd.stream_id);
}

void h2e_conn_recv_extension(h2e_conn *conn, const h2e_frame *frame) {
  h2e_event *ev;
  if (frame->hd.type == H2E_FRAME_PRIORITY_UPDATE) {
    /* RFC 9218 §7.1: only clients send PRIORITY_UPDATE. */
    if (!conn->is_server) {
      h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                    "RFC 9218 §7.1: PRIORITY_UPDATE from a server");
      return;
    }
    h2e_conn_recv_priority_update(
        conn, frame->u.priority_update.prioritized_stream_id,
        frame->u.priority_update.field_value,
        frame->u.priority_update.field_value_len);
    if (conn->failed)
      return;
    ev = slice_event(conn, H2E_EV_PRIORITY_UPDATE, frame);
    if (ev) {
      ev->u.priority_update.prioritized_stream_id =
          frame->u.priority_update.prioritized_stream_id;
      ev->u.priority_update.field_value = frame->u.priority_update.field_value;
      ev->u.priority_update.field_value_len =
          frame->u.priority_update.field_value_len;
    }
    return;
  }
  /* RFC 7838 §4, RFC 8336 §2: a server ignores ALTSVC and ORIGIN. */
  if (conn->is_server)
    return;
  if (frame->hd.type == H2E_FRAME_ALTSVC) {
    ev = slice_event(conn, H2E_EV_ALTSVC, frame);
    if (ev) {
      ev->u.altsvc.origin = frame->u.altsvc.origin;
      ev->u.altsvc.origin_len = frame->u.altsvc.origin_len;
      ev->u.altsvc.field_value = frame->u.altsvc.field_value;
      ev->u.altsvc.field_value_len = frame->u.altsvc.field_value_len;
    }
    return;
  }
  ev = slice_event(conn, H2E_EV_ORIGIN, frame);
  if (ev) {
    ev->u.origin.entries = frame->u.origin.entries;
    ev->u.origin.entries_len = frame->u.origin.entries_len;
  }
}
