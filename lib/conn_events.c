/* The events the application pulls. Most wait in a bounded ring; body
 * releases (DATA_SENT) and reopened windows (WINDOW_OPEN) wait in lists
 * threaded through the entries and streams themselves, so they need no
 * room of their own. */
#include "conn.h"

#include <string.h>

void h2e_conn_events_init(h2e_conn *conn, uint32_t cap) {
  conn->events.cap = cap; /* the ring is taken at the first event */
}

h2e_event *h2e_conn_event_push(h2e_conn *conn, h2e_event_type type,
                               uint32_t stream_id) {
  h2e_event_queue *q = &conn->events;
  if (q->count == q->cap || h2e_conn_events_take(conn) != 0)
    return NULL;
  uint32_t at = q->head + q->count++; /* < 2 * cap: no division */
  h2e_event *ev = &q->items[at < q->cap ? at : at - q->cap];
  memset(ev, 0, sizeof *ev);
  ev->type = type;
  ev->stream_id = stream_id;
  return ev;
}

h2e_event *h2e_conn_event_stream_end(h2e_conn *conn, h2e_stream *stream,
                                     h2e_event_type type, uint32_t code,
                                     uint8_t by_peer, uint8_t retryable) {
  /* Every stream the application knows ends with exactly one
   * STREAM_CLOSED or STREAM_RESET. */
  if (!stream->app_knows)
    return NULL;
  h2e_event *ev = h2e_conn_event_push(conn, type, stream->id);
  if (ev && type == H2E_EV_STREAM_RESET) {
    ev->u.reset.error_code = code;
    ev->u.reset.by_peer = by_peer;
    ev->u.reset.retryable = retryable;
  }
  return ev;
}

static int next_released(h2e_conn *conn, h2e_event *ev) {
  uint32_t index = conn->released_head - 1;
  h2e_data_entry *entry = h2e_slab_item(&conn->entries, index);
  conn->released_head = entry->next;
  if (conn->released_head == 0)
    conn->released_tail = 0;
  memset(ev, 0, sizeof *ev);
  ev->type = H2E_EV_DATA_SENT;
  ev->stream_id = entry->stream_id;
  ev->u.data_sent.cookie = entry->cookie;
  h2e_slab_put(&conn->entries, index);
  return 1;
}

static int next_window_open(h2e_conn *conn, h2e_event *ev) {
  h2e_link *link = h2e_list_pop_front(&conn->windows_open);
  h2e_stream *stream = H2E_CONTAINER_OF(link, h2e_stream, window_link);
  memset(ev, 0, sizeof *ev);
  ev->type = H2E_EV_WINDOW_OPEN;
  ev->stream_id = stream->id;
  return 1;
}

static int next_failure(h2e_conn *conn, h2e_event *ev) {
  conn->failure_unreported = 0;
  memset(ev, 0, sizeof *ev);
  ev->type = H2E_EV_CONN_ERROR;
  ev->u.conn_error.error_code = conn->failure_code;
  ev->u.conn_error.reason = conn->failure_reason;
  return 1;
}

int h2e_conn_next_event(h2e_conn *conn, h2e_event *ev) {
  if (conn == NULL || ev == NULL)
    return 0;
  h2e_event_queue *q = &conn->events;
  if (q->count > 0) {
    *ev = q->items[q->head];
    q->head = q->head + 1 < q->cap ? q->head + 1 : 0;
    q->count--;
    return 1;
  }
  if (conn->released_head != 0)
    return next_released(conn, ev);
  if (!h2e_list_empty(&conn->windows_open))
    return next_window_open(conn, ev);
  if (conn->failure_unreported)
    return next_failure(conn, ev);
  return 0;
}
