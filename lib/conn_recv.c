/* Received frames: the rules that hold across frame types (first frame,
 * header block contiguity), then one handler per type from a table. */
#include "conn.h"
#include "conn_sizes.h"

typedef void (*frame_handler)(h2e_conn *conn, const h2e_frame *frame);

static void recv_continuation(h2e_conn *conn, const h2e_frame *frame) {
  h2e_conn_recv_continuation(conn, frame);
}

static const frame_handler handlers[] = {
    [H2E_FRAME_DATA] = h2e_conn_recv_data,
    [H2E_FRAME_HEADERS] = h2e_conn_recv_block_start,
    [H2E_FRAME_PRIORITY] = h2e_conn_recv_priority,
    [H2E_FRAME_RST_STREAM] = h2e_conn_recv_rst_stream,
    [H2E_FRAME_SETTINGS] = h2e_conn_recv_settings,
    [H2E_FRAME_PUSH_PROMISE] = h2e_conn_recv_block_start,
    [H2E_FRAME_PING] = h2e_conn_recv_ping,
    [H2E_FRAME_GOAWAY] = h2e_conn_recv_goaway,
    [H2E_FRAME_WINDOW_UPDATE] = h2e_conn_recv_window_update,
    [H2E_FRAME_CONTINUATION] = recv_continuation,
    [H2E_FRAME_ALTSVC] = h2e_conn_recv_extension,
    [H2E_FRAME_ORIGIN] = h2e_conn_recv_extension,
    [H2E_FRAME_PRIORITY_UPDATE] = h2e_conn_recv_extension,
};

#define HANDLER_COUNT (sizeof(handlers) / sizeof(handlers[0]))

/* Rules about where a frame may appear at all; 0 when it may. */
static int frame_misplaced(h2e_conn *conn, const h2e_frame *frame) {
  const h2e_frame_header *hd = &frame->hd;
  if (conn->block.active && (hd->type != H2E_FRAME_CONTINUATION ||
                             hd->stream_id != conn->block.stream_id)) {
    /* RFC 9113 §4.3, §6.10: a field block's frames are contiguous. */
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §6.10: frame inside a field block");
    return 1;
  }
  if (!conn->settings_seen &&
      (hd->type != H2E_FRAME_SETTINGS || (hd->flags & H2E_FLAG_ACK))) {
    /* RFC 9113 §3.4: the preface is followed by SETTINGS. */
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §3.4: first frame is not SETTINGS");
    return 1;
  }
  if (!conn->block.active && hd->type == H2E_FRAME_CONTINUATION) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §6.10: CONTINUATION without a field block");
    return 1;
  }
  return 0;
}

void h2e_conn_dispatch(h2e_conn *conn, const h2e_frame *frame) {
  if (frame_misplaced(conn, frame))
    return;
  /* RFC 9113 §5.5: frames of unknown types (and extension frames the
   * codec found unusable) are ignored. */
  if (frame->ignore != H2E_FRAME_USE || frame->hd.type >= HANDLER_COUNT ||
      handlers[frame->hd.type] == NULL)
    return;
  handlers[frame->hd.type](conn, frame);
}

void h2e_conn_frame_error(h2e_conn *conn, const h2e_frame_error *err,
                          const h2e_frame *frame) {
  (void)frame;
  if (err->scope == H2E_SCOPE_CONNECTION) {
    h2e_conn_fail(conn, err->code, err->reason);
    return;
  }
  /* A stream-level rule broken by a frame that carries no field block
   * (PRIORITY, WINDOW_UPDATE): the frame was skipped whole. Between a
   * field block's frames it is still an interloper (§6.10). */
  if (conn->block.active || !conn->settings_seen) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  conn->block.active
                      ? "RFC 9113 §6.10: frame inside a field block"
                      : "RFC 9113 §3.4: first frame is not SETTINGS");
    return;
  } /* RFC 9113 §6.4: no RST_STREAM on an idle stream; the idle state's
     * rule (§5.1) makes it a connection error of the same code. */
  h2e_stream *stream;
  h2e_sstate state = h2e_conn_stream_state(conn, err->stream_id, &stream);
  if (state == H2E_SS_IDLE) {
    h2e_conn_fail(conn, err->code, err->reason);
    return;
  }
  /* RFC 9113 §5.1: late WINDOW_UPDATE and PRIORITY frames (the only ones
   * with stream-level frame errors) on a closed stream are ignored; a
   * second RST_STREAM would only feed a reset flood. */
  if (h2e_sstate_is_closed(state))
    return;
  h2e_conn_stream_error(conn, err->stream_id, err->code, err->reason);
}

/* Room in the arena for one more worst-case block. */
static int arena_fits_block(const h2e_conn *conn) {
  const h2e_arena *a = &conn->arena;
  return (a->bytes_used == 0 && a->fields_used == 0) ||
         (a->bytes_cap - a->bytes_used >= a->block_bytes &&
          a->fields_cap - a->fields_used >= a->block_fields);
}

/* Decoded fields and a pinned reader buffer are given back at the next
 * recv once every event is pulled, so they hold input back only while
 * events still point into them. */
static int event_memory_blocked(const h2e_conn *conn) {
  return conn->events.count > 0 &&
         ((!conn->block.active && !arena_fits_block(conn)) ||
          conn->reader_pinned);
}

int h2e_conn_input_blocked(const h2e_conn *conn) {
  /* Backpressure: stop reading rather than queue more than the bounds
   * allow (answers to the peer, events, decoded fields), and while an
   * event points into the reader's buffer. */
  return conn->events.count >= conn->config.max_events ||
         conn->answers_queued >= conn->config.max_queued_control ||
         h2e_fifo_room(&conn->ctrl) < H2E_ANSWER_MAX + H2E_GOAWAY_FRAME_MAX ||
         event_memory_blocked(conn) ||
         /* room for a SETTINGS ACK behind queued header blocks */
         (h2e_fifo_unstaged(&conn->blocks) > 0 &&
          h2e_fifo_room(&conn->blocks) < H2E_FRAME_HEADER_LEN);
}
