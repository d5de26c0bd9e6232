/* A received HEADERS field block, once decoded: the stream it opens or
 * continues (RFC 9113 §5.1, §5.1.1, §5.1.2), what it is in the message
 * (§8.1, checked in conn_http.c) and the event that hands it to the
 * application. */
#include "conn.h"

#include <string.h>

/* RFC 9110 §15.2: a 1xx status code. */
int h2e_fields_informational(const h2e_field *fields, size_t count) {
  for (size_t i = 0; i < count; i++) {
    const h2e_field *f = &fields[i];
    if (f->name_len == 7 && memcmp(f->name, ":status", 7) == 0)
      return f->value_len == 3 && f->value[0] == '1';
  }
  return 0;
}

static void end_stream_received(h2e_conn *conn, h2e_stream *stream) {
  h2e_transition t =
      h2e_stream_transition((h2e_sstate)stream->state, H2E_SI_RECV_END_STREAM);
  h2e_conn_stream_enter(conn, stream, (h2e_sstate)t.next);
  if (t.next == H2E_SS_CLOSED) {
    h2e_conn_event_stream_end(conn, stream, H2E_EV_STREAM_CLOSED, 0, 1, 0);
    h2e_conn_close_stream(conn, stream, H2E_SS_CLOSED);
  }
}

void h2e_conn_end_stream_received(h2e_conn *conn, h2e_stream *stream) {
  end_stream_received(conn, stream);
}

/* Hands a block on a live stream to the application. */
static void deliver(h2e_conn *conn, h2e_stream *stream, h2e_sstate next,
                    const h2e_field_list *list) {
  int end_stream = (conn->block.flags & H2E_FLAG_END_STREAM) != 0;
  const char *why = "RFC 9113 §10.5.1: field section over our "
                    "MAX_HEADER_LIST_SIZE";
  int kind = list->too_large
                 ? -1
                 : h2e_conn_http_classify(conn, stream, list, end_stream, &why);
  if (kind < 0) {
    /* RFC 9113 §8.1.1 (malformed), §10.5.1 (too large): stream error
     * PROTOCOL_ERROR; the block was decoded, so the connection is fine. */
    h2e_conn_malformed(conn, stream, why);
    return;
  }
  h2e_conn_stream_enter(conn, stream, next);
  h2e_event *ev = h2e_conn_event_push(conn, H2E_EV_HEADERS, stream->id);
  if (ev) {
    ev->u.headers.fields = list->fields;
    ev->u.headers.count = list->count;
    ev->u.headers.kind = (h2e_headers_kind)kind;
    ev->u.headers.end_stream = (uint8_t)end_stream;
  }
  stream->app_knows = 1;
  if (end_stream)
    end_stream_received(conn, stream);
}

/* RFC 9113 §5.1.2: a stream that would exceed our advertised limit. */
static int over_limit(const h2e_conn *conn) {
  return conn->peer_active >= conn->peer_stream_limit;
}

/* Refuses a new peer stream: it never reaches the application. */
static void refuse(h2e_conn *conn, uint32_t id, uint32_t code) {
  if (h2e_conn_spend(conn) < 0)
    return;
  h2e_conn_queue_rst(conn, NULL, id, code, 1);
  h2e_conn_remember_closed(conn, id, H2E_SS_CLOSED_RESET_SENT);
}

h2e_stream *h2e_conn_create_peer_stream(h2e_conn *conn, uint32_t id) {
  int err;
  h2e_stream *stream =
      h2e_stream_create(&conn->streams, &conn->allocator, id, &err);
  if (stream == NULL)
    return NULL;
  stream->peer_initiated = 1;
  stream->send_window = conn->peer_settings[H2E_SETTINGS_INITIAL_WINDOW_SIZE];
  h2e_flow_recv_init(&stream->recv, conn->recv_initial_window);
  return stream;
}

/* HEADERS on an idle stream: only a client may open one, with an odd id
 * (RFC 9113 §5.1, §5.1.1), which also closes every lower idle id. */
static void open_peer_stream(h2e_conn *conn, uint32_t id,
                             const h2e_field_list *list) {
  if (!conn->is_server || h2e_conn_is_local_id(conn, id)) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §5.1.1: HEADERS opens a stream the peer may "
                  "not open");
    return;
  }
  conn->last_peer_id = id;
  /* RFC 9113 §6.8: streams above our final GOAWAY are discarded. */
  if (conn->goaway_sent == H2E_GOAWAY_FINAL && id > conn->goaway_sent_last_id) {
    h2e_conn_remember_closed(conn, id, H2E_SS_CLOSED_RESET_SENT);
    return;
  }
  h2e_stream *stream = NULL;
  if (over_limit(conn) ||
      (stream = h2e_conn_create_peer_stream(conn, id)) == NULL) {
    /* RFC 9113 §5.1.2, §8.7: REFUSED_STREAM, so the client may retry. */
    refuse(conn, id, H2E_REFUSED_STREAM);
    return;
  }
  if (conn->last_processed_id < id && !list->too_large)
    conn->last_processed_id = id;
  h2e_conn_priority_request(conn, stream, list); /* RFC 9218 §5, §7 */
  deliver(conn, stream, H2E_SS_OPEN, list);
}

void h2e_conn_headers_received(h2e_conn *conn, const h2e_field_list *list) {
  uint32_t id = conn->block.stream_id;
  h2e_stream *stream;
  h2e_sstate state = h2e_conn_stream_state(conn, id, &stream);
  if (state == H2E_SS_IDLE) {
    open_peer_stream(conn, id, list);
    return;
  }
  h2e_transition t = h2e_stream_transition(state, H2E_SI_RECV_HEADERS);
  switch (t.outcome) {
  case H2E_SO_OK:
    if (state == H2E_SS_RESERVED_REMOTE && over_limit(conn)) {
      h2e_conn_reset_stream(conn, stream, H2E_REFUSED_STREAM, 1);
      return;
    }
    if (stream->reserved) {
      stream->reserved = 0;
      conn->peer_reserved--;
    }
    deliver(conn, stream, (h2e_sstate)t.next, list);
    return;
  case H2E_SO_IGNORE:
    return;
  case H2E_SO_STREAM_CLOSED:
    h2e_conn_stream_error(conn, id, H2E_STREAM_CLOSED,
                          "RFC 9113 §5.1: HEADERS on a closed stream");
    return;
  case H2E_SO_CONN_STREAM_CLOSED:
    h2e_conn_fail(conn, H2E_STREAM_CLOSED,
                  "RFC 9113 §5.1: HEADERS on a closed stream");
    return;
  default:
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9113 §5.1: HEADERS not allowed in this stream state");
  }
}
