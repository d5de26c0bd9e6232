/* A connection that starts from an HTTP/1.1 Upgrade to h2c (RFC 7540
 * §3.2; RFC 9113 §3.1 deprecates it, it is still in use). The HTTP/1.1
 * exchange stays outside the engine: the application hands over the
 * decoded HTTP2-Settings and the request. Stream 1 then carries the
 * upgraded request: half-closed (remote) on the server, half-closed
 * (local) on the client (RFC 7540 §3.2: the request was sent whole,
 * body included, before the 101). Both sides still exchange the
 * connection preface (§3.5). */
#include "conn.h"

#include "frame.h"

#include <string.h>

/* RFC 7540 §3.2.1: the server applies HTTP2-Settings as if received in
 * a SETTINGS frame; the 101 response acknowledges them, so no ACK. */
static int apply_upgrade_settings(h2e_conn *conn, const h2e_setting *settings,
                                  size_t count) {
  for (size_t i = 0; i < count; i++) {
    uint8_t entry[6];
    h2e_put_u16(entry, settings[i].id);
    h2e_put_u32(entry + 2, settings[i].value);
    h2e_frame frame;
    memset(&frame, 0, sizeof frame);
    frame.hd.type = H2E_FRAME_SETTINGS;
    frame.u.settings.entries = entry;
    frame.u.settings.count = 1;
    if (h2e_setting_check(settings[i], NULL) != 0 ||
        h2e_conn_apply_peer_settings(conn, &frame) < 0)
      return -1;
  }
  return 0;
}

/* The request's fields copied into the arena, where decoded fields live:
 * the H2E_EV_HEADERS event holds them until the next recv. */
static const h2e_field *copy_fields(h2e_conn *conn, const h2e_field *fields,
                                    size_t count) {
  h2e_arena *a = &conn->arena;
  if (h2e_conn_arena_take(conn) != H2E_OK) /* taken at first use */
    return NULL;
  size_t bytes = 0;
  for (size_t i = 0; i < count; i++)
    bytes += (size_t)fields[i].name_len + fields[i].value_len;
  if (count > a->fields_cap || bytes > a->bytes_cap)
    return NULL;
  for (size_t i = 0; i < count; i++) {
    h2e_field *f = &a->fields[i];
    *f = fields[i];
    uint8_t *name = a->bytes + a->bytes_used;
    memcpy(name, fields[i].name, fields[i].name_len);
    a->bytes_used += fields[i].name_len;
    uint8_t *value = a->bytes + a->bytes_used;
    memcpy(value, fields[i].value, fields[i].value_len);
    a->bytes_used += fields[i].value_len;
    f->name = name;
    f->value = value;
  }
  a->fields_used = count;
  return a->fields;
}

static int open_server_stream(h2e_conn *conn, const h2e_field *request,
                              size_t count) {
  const h2e_field *fields = copy_fields(conn, request, count);
  h2e_stream *stream = fields ? h2e_conn_create_peer_stream(conn, 1) : NULL;
  if (stream == NULL)
    return -1;
  conn->last_peer_id = conn->last_processed_id = 1;
  stream->head_received = 1;
  stream->app_knows = 1;
  h2e_conn_stream_enter(conn, stream, H2E_SS_HALF_CLOSED_REMOTE);
  h2e_event *ev = h2e_conn_event_push(conn, H2E_EV_HEADERS, 1);
  if (ev == NULL)
    return -1;
  ev->u.headers.fields = fields;
  ev->u.headers.count = count;
  ev->u.headers.kind = H2E_HEADERS_REQUEST;
  ev->u.headers.end_stream = 1;
  return 0;
}

static int open_client_stream(h2e_conn *conn) {
  int err;
  h2e_stream *stream =
      h2e_stream_create(&conn->streams, &conn->allocator, 1, &err);
  if (stream == NULL)
    return -1;
  stream->send_window = conn->peer_settings[H2E_SETTINGS_INITIAL_WINDOW_SIZE];
  h2e_flow_recv_init(&stream->recv, conn->recv_initial_window);
  stream->app_knows = 1;
  stream->head_sent = 1;
  stream->local_end_submitted = 1;
  conn->next_local_id = 3;
  h2e_conn_stream_enter(conn, stream, H2E_SS_HALF_CLOSED_LOCAL);
  return 0;
}

h2e_conn *h2e_conn_new_upgraded(const h2e_config *config,
                                const h2e_allocator *allocator, uint64_t now_ms,
                                const h2e_setting *settings,
                                size_t settings_count, const h2e_field *request,
                                size_t request_count) {
  if (config == NULL || (settings == NULL && settings_count != 0) ||
      (request == NULL && request_count != 0))
    return NULL;
  h2e_conn *conn = h2e_conn_new(config, allocator, now_ms);
  if (conn == NULL)
    return NULL;
  int failed =
      conn->is_server
          ? apply_upgrade_settings(conn, settings, settings_count) < 0 ||
                open_server_stream(conn, request, request_count) < 0
          : open_client_stream(conn) < 0;
  if (failed) {
    h2e_conn_free(conn);
    return NULL;
  }
  return conn;
}
