/* Staging: deciding what goes out next, in RFC 9113 order of urgency.
 * Control frames first (ACKs, RST_STREAM, GOAWAY, WINDOW_UPDATE), then
 * header blocks in the order they were encoded (HPACK state follows wire
 * order), then DATA frames in the scheduler's order (RFC 9218, sched.h),
 * each within the stream window, the connection window and the peer's
 * MAX_FRAME_SIZE. */
#include "conn.h"

#include <string.h>

/* Callers take the segment ring (h2e_conn_segs_take) once a segment is
 * certain to be made: a connection asked for output with nothing to send
 * keeps none. */
static h2e_out_seg *new_seg(h2e_conn *conn, uint8_t source) {
  h2e_out_seg *seg =
      &conn->segs[(conn->seg_head + conn->seg_count++) % H2E_SEGMENTS_MAX];
  memset(seg, 0, sizeof *seg);
  seg->source = source;
  seg->fd = -1;
  return seg;
}

static int segs_full(const h2e_conn *conn) {
  return conn->seg_count == H2E_SEGMENTS_MAX;
}

/* Everything queued in a FIFO as one segment (one vec). */
static size_t stage_fifo(h2e_conn *conn, h2e_fifo *fifo, uint8_t source,
                         size_t budget) {
  if (budget == 0 || segs_full(conn) || h2e_fifo_unstaged(fifo) == 0 ||
      h2e_conn_segs_take(conn) != 0)
    return 0;
  size_t len = h2e_fifo_unstaged(fifo);
  h2e_out_seg *seg = new_seg(conn, source);
  seg->base = h2e_fifo_stage(fifo);
  seg->len = len;
  return 1;
}

static void encode_ready_trailers(h2e_conn *conn) {
  while (!h2e_list_empty(&conn->trailers_ready)) {
    h2e_stream *stream =
        H2E_CONTAINER_OF(conn->trailers_ready.next, h2e_stream, trailers_link);
    if (h2e_conn_encode_held(conn, stream) != H2E_OK)
      return;
  }
}

/* One DATA frame of the stream's first entry; 0 when none may go. */
static size_t stage_frame(h2e_conn *conn, h2e_stream *stream,
                          h2e_data_entry *entry) {
  uint64_t remaining = entry->len - entry->staged;
  uint32_t n = h2e_flow_send_allowance(
      stream->send_window, conn->send_window,
      conn->peer_settings[H2E_SETTINGS_MAX_FRAME_SIZE], remaining);
  /* RFC 9113 §6.9.1: an empty END_STREAM frame needs no window. */
  if ((n == 0 && remaining > 0) || h2e_conn_segs_take(conn) != 0)
    return 0;
  uint8_t last = n == remaining;
  uint8_t flags = last && entry->end_stream ? H2E_FLAG_END_STREAM : 0;
  h2e_out_seg *seg = new_seg(conn, H2E_SEG_DATA);
  seg->header_len = H2E_FRAME_HEADER_LEN;
  h2e_frame_write_header(seg->header, n, H2E_FRAME_DATA, flags, stream->id);
  seg->base = entry->data ? entry->data + entry->staged : NULL;
  seg->fd = entry->fd;
  seg->file_offset = entry->file_offset + entry->staged;
  seg->len = n;
  seg->entry = entry->index + 1;
  entry->staged += n;
  entry->in_flight++;
  stream->send_window -= n;
  conn->send_window -= n;
  return n > 0 ? 2 : 1;
}

/* After a frame: the entry may be done, the stream may have ended. */
static void after_frame(h2e_conn *conn, h2e_stream *stream,
                        h2e_data_entry *entry) {
  if (entry->staged < entry->len)
    return;
  int end_stream = entry->end_stream;
  h2e_conn_pop_entry(conn, stream);
  if (end_stream)
    h2e_conn_sent_end_stream(conn, stream);
  else if (stream->data_head == 0 && stream->held)
    h2e_list_push_back(&conn->trailers_ready, &stream->trailers_link);
}

/* Next stream's turn: stage one frame, requeue it if it has more. A
 * stream that cannot send yet is deferred to the end of the pass. */
static size_t stage_turn(h2e_conn *conn, h2e_stream *stream) {
  if (stream->blocks_end > h2e_fifo_staged_pos(&conn->blocks)) {
    h2e_sched_defer(&conn->sched, &stream->sched);
    return 0; /* its HEADERS is not out yet */
  }
  h2e_data_entry *entry = h2e_slab_item(&conn->entries, stream->data_head - 1);
  size_t vecs = stage_frame(conn, stream, entry);
  if (vecs == 0) {
    if (stream->send_window <= 0)
      stream->window_blocked = 1; /* RFC 9113 §6.9.2: wait for credit */
    else
      h2e_sched_defer(&conn->sched, &stream->sched);
    return 0;
  }
  uint32_t id = stream->id;
  after_frame(conn, stream, entry);
  stream = h2e_stream_find(&conn->streams, id);
  if (stream && stream->data_head && stream->send_window > 0)
    h2e_sched_push(&conn->sched, &stream->sched);
  else if (stream && stream->data_head)
    stream->window_blocked = 1;
  return vecs;
}

static int may_send_data(const h2e_conn *conn) {
  return conn->send_window > 0 || conn->empty_ends_queued > 0;
}

/* The ready streams in scheduler order (RFC 9218); returns the vecs
 * used. */
static size_t stage_data(h2e_conn *conn, size_t budget) {
  size_t used = 0;
  h2e_sched_node *node;
  /* A frame whose vecs do not all fit goes out over several calls. */
  while (used < budget && !segs_full(conn) && may_send_data(conn) &&
         (node = h2e_sched_pop(&conn->sched)) != NULL)
    used += stage_turn(conn, H2E_CONTAINER_OF(node, h2e_stream, sched));
  h2e_sched_restore(&conn->sched);
  return used;
}

void h2e_conn_stage(h2e_conn *conn, size_t budget) {
  h2e_conn_flush_window_updates(conn);
  budget -= stage_fifo(conn, &conn->ctrl, H2E_SEG_CTRL, budget);
  encode_ready_trailers(conn);
  budget -= stage_fifo(conn, &conn->blocks, H2E_SEG_BLOCKS, budget);
  /* One vec stays for the trailers this round's DATA may free: they
   * follow it at once. */
  size_t kept = budget >= 3 ? 1 : 0;
  size_t used = stage_data(conn, budget - kept);
  budget = used < budget ? budget - used : 0;
  encode_ready_trailers(conn);
  stage_fifo(conn, &conn->blocks, H2E_SEG_BLOCKS, budget);
}
