/* The peer's SETTINGS frames and its ACKs of ours (RFC 9113 §6.5). */
#include "conn.h"

/* What applying one received setting does; 0, or the connection failed. */
typedef int (*setting_apply)(h2e_conn *conn, uint32_t value);

static int apply_header_table_size(h2e_conn *conn, uint32_t value) {
  /* RFC 7541 §4.2: the encoder signals the new size in its next block. */
  h2e_hpack_encoder_set_peer_table_size(conn->encoder, value);
  return 0;
}

static int apply_enable_push(h2e_conn *conn, uint32_t value) {
  /* RFC 9113 §6.5.2: a client MUST treat ENABLE_PUSH=1 from a server as a
   * connection error PROTOCOL_ERROR. */
  if (!conn->is_server && value == 1) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §6.5.2: server sent SETTINGS_ENABLE_PUSH=1");
    return -1;
  }
  return 0;
}

static int apply_initial_window_size(h2e_conn *conn, uint32_t value) {
  /* RFC 9113 §6.9.2: every stream window moves by the difference; a
   * window above 2^31-1 is a connection error FLOW_CONTROL_ERROR. */
  int64_t delta =
      (int64_t)value -
      (int64_t)conn->peer_settings[H2E_SETTINGS_INITIAL_WINDOW_SIZE];
  for (uint32_t i = 0; i < conn->streams.slots.grown; i++) {
    h2e_stream *stream = h2e_stream_at(&conn->streams, i);
    if (stream && h2e_conn_send_window_changed(conn, stream, delta) < 0) {
      h2e_conn_fail(conn, H2E_FLOW_CONTROL_ERROR,
                    "RFC 9113 §6.9.2: INITIAL_WINDOW_SIZE overflows a "
                    "stream window");
      return -1;
    }
  }
  return 0;
}

static const setting_apply appliers[H2E_SETTINGS_SLOTS] = {
    [H2E_SETTINGS_HEADER_TABLE_SIZE] = apply_header_table_size,
    [H2E_SETTINGS_ENABLE_PUSH] = apply_enable_push,
    [H2E_SETTINGS_INITIAL_WINDOW_SIZE] = apply_initial_window_size,
};

/* RFC 9113 §6.5.3: values in order, nothing in between; unknown ids are
 * ignored (§6.5.2). The codec has checked every value's range. */
/* Whether a setting makes header blocks encoded before it wrong once it
 * is acknowledged: a smaller table (the next block must open with a size
 * update, §4.3.1), a smaller frame size (§4.2), or fewer concurrent
 * streams (a request opened under the old limit, §5.1.2). */
static int shrinks_blocks(const h2e_conn *conn, h2e_setting s) {
  return (s.id == H2E_SETTINGS_HEADER_TABLE_SIZE ||
          s.id == H2E_SETTINGS_MAX_FRAME_SIZE ||
          s.id == H2E_SETTINGS_MAX_CONCURRENT_STREAMS) &&
         s.value < conn->peer_settings[s.id];
}

/* Returns -1 after a connection error, else whether blocks shrank. */
int h2e_conn_apply_peer_settings(h2e_conn *conn, const h2e_frame *frame) {
  int shrinks = 0;
  for (size_t i = 0; i < frame->u.settings.count; i++) {
    h2e_setting s = h2e_frame_setting(frame, i);
    if (s.id == 0 || s.id >= H2E_SETTINGS_SLOTS)
      continue;
    if (appliers[s.id] && appliers[s.id](conn, s.value) < 0)
      return -1;
    shrinks |= shrinks_blocks(conn, s);
    conn->peer_settings[s.id] = s.value;
  }
  return shrinks;
}

static void recv_ack(h2e_conn *conn) {
  if (conn->pending_count == 0) {
    /* RFC 9113 §6.5.3: an ACK acknowledges a SETTINGS frame we sent. */
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §6.5.3: SETTINGS ACK without SETTINGS");
    return;
  }
  h2e_local_settings *acked = &conn->awaited->pending[conn->pending_head];
  for (uint16_t id = 1; id < H2E_SETTINGS_SLOTS; id++)
    if (acked->present & (1u << id))
      conn->local_settings[id] = acked->values[id];
  conn->pending_head = (conn->pending_head + 1) % H2E_PENDING_SETTINGS_MAX;
  conn->pending_count--;
  h2e_conn_apply_local_limits(conn);
  h2e_conn_event_push(conn, H2E_EV_SETTINGS_ACK, 0);
}

/* RFC 9113 §6.5.3: once applied, acknowledged at once, ahead of queued
 * output. But header blocks already encoded were made for the old values,
 * and the peer holds us to smaller ones from our ACK on: then the ACK
 * queues behind them. */
static int queue_ack(h2e_conn *conn, int behind_blocks) {
  uint8_t *p;
  /* ACKs keep their order: one behind blocks holds back the next. */
  if (conn->ack_behind_pos > h2e_fifo_staged_pos(&conn->blocks))
    behind_blocks = 1;
  if (behind_blocks && h2e_fifo_unstaged(&conn->blocks) > 0) {
    p = h2e_fifo_reserve(&conn->blocks, H2E_FRAME_HEADER_LEN);
    if (p == NULL)
      return H2E_ERR_WOULDBLOCK;
    h2e_frame_write_header(p, 0, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0);
    h2e_fifo_commit(&conn->blocks, H2E_FRAME_HEADER_LEN);
    conn->ack_behind_pos = h2e_fifo_tail_pos(&conn->blocks);
    return H2E_OK;
  }
  p = h2e_conn_ctrl_reserve(conn, H2E_FRAME_HEADER_LEN, 1);
  if (p == NULL)
    return H2E_ERR_WOULDBLOCK;
  h2e_frame_write_header(p, 0, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0);
  h2e_conn_ctrl_commit(conn, H2E_FRAME_HEADER_LEN, 1);
  return H2E_OK;
}

void h2e_conn_recv_settings(h2e_conn *conn, const h2e_frame *frame) {
  if (frame->hd.flags & H2E_FLAG_ACK) {
    recv_ack(conn);
    return;
  }
  /* RFC 9113 §10.5: SETTINGS after the first cost an answer and their
   * application; floods of them draw on the budget (CVE-2019-9515). */
  if (conn->settings_seen && h2e_conn_spend(conn) < 0)
    return;
  conn->settings_seen = 1;
  int shrinks = h2e_conn_apply_peer_settings(conn, frame);
  if (shrinks < 0)
    return;
  if (queue_ack(conn, shrinks) != H2E_OK) {
    h2e_conn_fail(conn, H2E_INTERNAL_ERROR, "h2e: no room for SETTINGS ACK");
    return;
  }
  h2e_conn_event_push(conn, H2E_EV_SETTINGS, 0);
}

uint64_t h2e_conn_settings_deadline(const h2e_conn *conn) {
  if (conn->pending_count == 0 || conn->config.settings_timeout_ms == 0)
    return UINT64_MAX;
  return conn->awaited->pending[conn->pending_head].sent_ms +
         conn->config.settings_timeout_ms;
}
