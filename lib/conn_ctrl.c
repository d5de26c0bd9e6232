/* Control frames of ours, queued in the control FIFO, which goes out
 * before header blocks and DATA. The FIFO is bounded: answers to the peer
 * (PING and SETTINGS ACKs, RST_STREAM) may use all but the room kept for
 * one GOAWAY; other frames also leave room for the answers still allowed,
 * so the peer's traffic is always answerable. */
#include "conn.h"
#include "conn_sizes.h"

#include "frame.h"

#include <string.h>

/* Room that must stay free after a frame of this kind. */
static size_t room_kept(const h2e_conn *conn, int answer) {
  if (answer)
    return H2E_GOAWAY_FRAME_MAX;
  uint32_t answers_left =
      conn->config.max_queued_control > conn->answers_queued
          ? conn->config.max_queued_control - conn->answers_queued
          : 0;
  return H2E_GOAWAY_FRAME_MAX + (size_t)answers_left * H2E_ANSWER_MAX;
}

/* The FIFO takes its buffer at the first frame after an idle spell. */
static uint8_t *ctrl_room(h2e_conn *conn, size_t n) {
  uint8_t *p = h2e_fifo_reserve(&conn->ctrl, n);
  if (p == NULL && conn->ctrl.buf == NULL)
    h2e_conn_fail(conn, H2E_INTERNAL_ERROR, "h2e: out of memory");
  return p;
}

uint8_t *h2e_conn_ctrl_reserve(h2e_conn *conn, size_t n, int answer) {
  if (h2e_fifo_room(&conn->ctrl) < n + room_kept(conn, answer))
    return NULL;
  return ctrl_room(conn, n);
}

void h2e_conn_ctrl_commit(h2e_conn *conn, size_t n, int answer) {
  h2e_fifo_commit(&conn->ctrl, n);
  if (answer)
    conn->answers_queued++;
}

/* GOAWAY may use the room kept for it. */
uint8_t *h2e_conn_ctrl_reserve_goaway(h2e_conn *conn, size_t n) {
  return ctrl_room(conn, n);
}

int h2e_conn_queue_rst(h2e_conn *conn, const h2e_stream *stream, uint32_t id,
                       uint32_t code, int answer) {
  uint8_t frame[13];
  h2e_frame_write_header(frame, 4, H2E_FRAME_RST_STREAM, 0, id);
  h2e_put_u32(frame + H2E_FRAME_HEADER_LEN, code);
  /* A stream whose HEADERS is not staged yet must not see its RST_STREAM
   * first (RFC 9113 §6.4: no RST_STREAM on an idle stream): queue it
   * behind the header block. */
  if (stream && stream->blocks_end > h2e_fifo_staged_pos(&conn->blocks)) {
    uint8_t *p = h2e_fifo_reserve(&conn->blocks, sizeof frame);
    if (p == NULL)
      return H2E_ERR_WOULDBLOCK;
    memcpy(p, frame, sizeof frame);
    h2e_fifo_commit(&conn->blocks, sizeof frame);
    return H2E_OK;
  }
  uint8_t *p = h2e_conn_ctrl_reserve(conn, sizeof frame, answer);
  if (p == NULL)
    return H2E_ERR_WOULDBLOCK;
  memcpy(p, frame, sizeof frame);
  h2e_conn_ctrl_commit(conn, sizeof frame, answer);
  return H2E_OK;
}

int h2e_conn_queue_window_update(h2e_conn *conn, uint32_t stream_id,
                                 uint32_t increment) {
  uint8_t *p = h2e_conn_ctrl_reserve(conn, 13, 0);
  if (p == NULL)
    return H2E_ERR_WOULDBLOCK;
  h2e_frame_write_header(p, 4, H2E_FRAME_WINDOW_UPDATE, 0, stream_id);
  h2e_put_u32(p + H2E_FRAME_HEADER_LEN, increment);
  h2e_conn_ctrl_commit(conn, 13, 0);
  return H2E_OK;
}

/* RFC 9113 §6.9: WINDOW_UPDATE frames for the credit returned, once it
 * crosses the batching threshold; those that do not fit wait. */
void h2e_conn_flush_window_updates(h2e_conn *conn) {
  /* RFC 9113 §5.4.1: nothing follows the GOAWAY of an error. */
  if (conn->failed)
    return;
  uint32_t percent = conn->config.window_update_percent;
  if (conn->conn_update_due) {
    uint32_t inc = h2e_flow_recv_update_due(&conn->recv_flow, percent);
    if (inc == 0 || h2e_conn_queue_window_update(conn, 0, inc) == H2E_OK) {
      h2e_flow_recv_announce(&conn->recv_flow, inc);
      conn->conn_update_due = 0;
    }
  }
  while (!h2e_list_empty(&conn->updates)) {
    h2e_stream *stream =
        H2E_CONTAINER_OF(conn->updates.next, h2e_stream, update_link);
    uint32_t inc = h2e_flow_recv_update_due(&stream->recv, percent);
    if (inc && h2e_conn_queue_window_update(conn, stream->id, inc) != H2E_OK)
      return;
    h2e_flow_recv_announce(&stream->recv, inc);
    h2e_list_remove(&stream->update_link);
  }
}

void h2e_conn_update_due(h2e_conn *conn, h2e_stream *stream) {
  uint32_t percent = conn->config.window_update_percent;
  if (h2e_flow_recv_update_due(&conn->recv_flow, percent))
    conn->conn_update_due = 1;
  /* RFC 9113 §5.1: once the peer has ended its side, the stream's
   * receive window needs no upkeep. */
  if (stream == NULL || stream->state == H2E_SS_HALF_CLOSED_REMOTE)
    return;
  if (h2e_flow_recv_update_due(&stream->recv, percent) &&
      !h2e_link_linked(&stream->update_link))
    h2e_list_push_back(&conn->updates, &stream->update_link);
}
