/* SETTINGS (RFC 9113 §6.5): ours, sent at the start and on request and
 * tracked until acknowledged; the peer's, applied in order and
 * acknowledged. Limits we impose take the loosest of the acknowledged
 * and the pending values, since the peer may act on a new value before
 * its ACK reaches us (§6.5.3). */
#include "conn.h"
#include "conn_sizes.h"

#include <string.h>

#define HEADER_TABLE_SIZE      H2E_SETTINGS_HEADER_TABLE_SIZE
#define ENABLE_PUSH            H2E_SETTINGS_ENABLE_PUSH
#define MAX_CONCURRENT_STREAMS H2E_SETTINGS_MAX_CONCURRENT_STREAMS
#define INITIAL_WINDOW_SIZE    H2E_SETTINGS_INITIAL_WINDOW_SIZE
#define MAX_FRAME_SIZE         H2E_SETTINGS_MAX_FRAME_SIZE
#define MAX_HEADER_LIST_SIZE   H2E_SETTINGS_MAX_HEADER_LIST_SIZE

/* RFC 9113 §6.5.2 initial values (MAX_CONCURRENT_STREAMS and
 * MAX_HEADER_LIST_SIZE: unlimited). */
static const uint32_t initial_values[H2E_SETTINGS_SLOTS] = {
    [HEADER_TABLE_SIZE] = 4096,
    [ENABLE_PUSH] = 1,
    [MAX_CONCURRENT_STREAMS] = UINT32_MAX,
    [INITIAL_WINDOW_SIZE] = 65535,
    [MAX_FRAME_SIZE] = H2E_MAX_FRAME_SIZE_MIN,
    [MAX_HEADER_LIST_SIZE] = UINT32_MAX,
};

/* Appends a setting when there is room; counts it either way. */
static size_t add(h2e_setting *out, size_t cap, size_t n, uint16_t id,
                  uint32_t value) {
  if (n < cap)
    out[n] = (h2e_setting){id, value};
  return n + 1;
}

/* Our opening SETTINGS: exactly these, in ascending id order. */
size_t h2e_config_settings(const h2e_config *c, h2e_setting *out, size_t cap) {
  if (c == NULL || (out == NULL && cap != 0))
    return 0;
  size_t n = 0;
  if (c->header_table_size != 4096)
    n = add(out, cap, n, HEADER_TABLE_SIZE, c->header_table_size);
  if (c->role == H2E_CLIENT && c->enable_push != 1)
    n = add(out, cap, n, ENABLE_PUSH, c->enable_push);
  n = add(out, cap, n, MAX_CONCURRENT_STREAMS, c->max_concurrent_streams);
  if (c->initial_window_size != 65535)
    n = add(out, cap, n, INITIAL_WINDOW_SIZE, c->initial_window_size);
  if (c->max_frame_size != H2E_MAX_FRAME_SIZE_MIN)
    n = add(out, cap, n, MAX_FRAME_SIZE, c->max_frame_size);
  n = add(out, cap, n, MAX_HEADER_LIST_SIZE, c->max_header_list_size);
  if (c->enable_connect_protocol != 0)
    n = add(out, cap, n, H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1);
  if (c->no_rfc7540_priorities != 0)
    n = add(out, cap, n, H2E_SETTINGS_NO_RFC7540_PRIORITIES, 1);
  return n;
}

uint32_t h2e_conn_local_limit(const h2e_conn *conn, uint16_t id) {
  uint32_t value = conn->local_settings[id];
  for (uint32_t i = 0; i < conn->pending_count; i++) {
    const h2e_local_settings *p =
        &conn->awaited
             ->pending[(conn->pending_head + i) % H2E_PENDING_SETTINGS_MAX];
    if ((p->present & (1u << id)) && p->values[id] > value)
      value = p->values[id];
  }
  return value;
}

static void resize_recv_windows(h2e_conn *conn, uint32_t size) {
  for (uint32_t i = 0; i < conn->streams.slots.grown; i++) {
    h2e_stream *stream = h2e_stream_at(&conn->streams, i);
    if (stream)
      h2e_flow_recv_resize(&stream->recv, size);
  }
}

/* Applies the effective values of our settings to the parts that hold
 * them: the frame reader, the HPACK decoder, stream receive windows. */
void h2e_conn_apply_local_limits(h2e_conn *conn) {
  h2e_frame_reader_set_max_frame_size(
      &conn->reader, h2e_conn_local_limit(conn, MAX_FRAME_SIZE));
  h2e_hpack_decoder_set_max_table_size(
      conn->decoder,
      h2e_conn_local_limit(
          conn, HEADER_TABLE_SIZE)); /* Limits the peer is held to, within what
                                        memory was sized for. */
  uint32_t streams = h2e_conn_local_limit(conn, MAX_CONCURRENT_STREAMS);
  conn->peer_stream_limit = streams < conn->config.max_concurrent_streams
                                ? streams
                                : conn->config.max_concurrent_streams;
  conn->header_list_limit = h2e_conn_local_limit(conn, MAX_HEADER_LIST_SIZE);
  uint32_t window = h2e_conn_local_limit(conn, INITIAL_WINDOW_SIZE);
  if (window != conn->recv_initial_window) {
    /* RFC 9113 §6.9.2: the change applies to every stream's window. */
    resize_recv_windows(conn, window);
    conn->recv_initial_window = window;
  }
}

/* Queues a SETTINGS frame of ours and tracks it until its ACK. */
static int send_settings(h2e_conn *conn, const h2e_setting *settings,
                         size_t count) {
  size_t size = H2E_FRAME_HEADER_LEN + 6 * count;
  uint8_t *p = h2e_conn_ctrl_reserve(conn, size, 0);
  if (p == NULL || conn->pending_count == H2E_PENDING_SETTINGS_MAX)
    return H2E_ERR_WOULDBLOCK;
  if (h2e_conn_awaited_take(conn) != 0)
    return H2E_ERR_NOMEM;
  h2e_frame_write_settings(settings, count, 0, p, size, NULL);
  h2e_conn_ctrl_commit(conn, size, 0);
  h2e_local_settings *pending =
      &conn->awaited->pending[(conn->pending_head + conn->pending_count++) %
                              H2E_PENDING_SETTINGS_MAX];
  memset(pending, 0, sizeof *pending);
  pending->sent_ms = conn->now_ms;
  for (size_t i = 0; i < count; i++) {
    if (settings[i].id < H2E_SETTINGS_SLOTS) {
      pending->values[settings[i].id] = settings[i].value;
      pending->present |= (uint16_t)(1u << settings[i].id);
    }
  }
  h2e_conn_apply_local_limits(conn);
  return H2E_OK;
}

static int queue_preface(h2e_conn *conn) {
  if (conn->is_server)
    return H2E_OK;
  /* RFC 9113 §3.4: the client preface, then SETTINGS. */
  uint8_t *p = h2e_conn_ctrl_reserve(conn, H2E_PREFACE_LEN, 0);
  if (p == NULL)
    return H2E_ERR_INTERNAL;
  memcpy(p, h2e_client_preface, H2E_PREFACE_LEN);
  h2e_conn_ctrl_commit(conn, H2E_PREFACE_LEN, 0);
  return H2E_OK;
}

int h2e_conn_settings_init(h2e_conn *conn) {
  memcpy(conn->peer_settings, initial_values, sizeof initial_values);
  memcpy(conn->local_settings, initial_values, sizeof initial_values);
  conn->recv_initial_window = 65535;
  conn->send_window = 65535;
  h2e_flow_recv_init(&conn->recv_flow, 65535);
  h2e_setting settings[H2E_OPENING_SETTINGS_MAX];
  size_t count =
      h2e_config_settings(&conn->config, settings, H2E_OPENING_SETTINGS_MAX);
  if (queue_preface(conn) != H2E_OK ||
      send_settings(conn, settings, count) != H2E_OK)
    return H2E_ERR_INTERNAL;
  /* RFC 9113 §6.9.2: only WINDOW_UPDATE opens the connection window. */
  uint32_t extra = conn->config.connection_window - 65535;
  conn->recv_flow.size = conn->config.connection_window;
  if (extra > 0) {
    h2e_conn_queue_window_update(conn, 0, extra);
    conn->recv_flow.window += extra;
  }
  return H2E_OK;
}

/* ---- h2e_submit_settings -------------------------------------------- */

/* A value this connection's memory was not sized for. */
static int beyond_config(const h2e_conn *conn, h2e_setting s) {
  const h2e_config *c = &conn->config;
  switch (s.id) {
  case HEADER_TABLE_SIZE:
    return s.value > conn->decoder_table_cap;
  case ENABLE_PUSH: /* RFC 9113 §6.5.2: a server MUST NOT send 1 */
    return conn->is_server && s.value != 0;
  case MAX_CONCURRENT_STREAMS:
    return s.value > c->max_concurrent_streams;
  case MAX_FRAME_SIZE:
    return s.value > c->max_frame_size;
  case MAX_HEADER_LIST_SIZE:
    return s.value > c->max_header_list_size;
  default:
    return 0;
  }
}

int h2e_submit_settings(h2e_conn *conn, const h2e_setting *settings,
                        size_t count, uint64_t now_ms) {
  if (conn == NULL || (settings == NULL && count != 0) || count > 8)
    return H2E_ERR_INVALID_ARG;
  if (h2e_conn_terminal(conn))
    return H2E_ERR_CONN_CLOSED;
  for (size_t i = 0; i < count; i++)
    if (h2e_setting_check(settings[i], NULL) ||
        beyond_config(conn, settings[i]))
      return H2E_ERR_INVALID_ARG;
  conn->now_ms = now_ms;
  return send_settings(conn, settings, count);
}
