/* RFC 9218 priority signals on a connection. Server: a request's Priority
 * header field (§5) sets its stream's priority; PRIORITY_UPDATE (§7.1)
 * changes it, or waits in a small memo for a stream not open yet; the
 * application may override either (§8, the last signal wins). Client:
 * PRIORITY_UPDATE frames out. The priority orders our DATA (sched.h). */
#include "conn.h"

#include "frame.h"

#include <string.h>

static void apply(h2e_conn *conn, h2e_stream *stream,
                  const h2e_priority *priority) {
  h2e_sched_set_priority(&conn->sched, &stream->sched, priority);
}

void h2e_conn_priority_request(h2e_conn *conn, h2e_stream *stream,
                               const h2e_field_list *list) {
  h2e_priority_scan scan;
  h2e_priority_scan_init(&scan);
  for (size_t k = 0; k < list->count; k++) {
    const h2e_field *f = &list->fields[k];
    if (f->name_len == 8 && memcmp(f->name, "priority", 8) == 0)
      h2e_priority_scan_line(&scan, f->value, f->value_len);
  }
  h2e_priority priority;
  h2e_priority_scan_result(&scan, &priority);
  /* RFC 9218 §7: an update received before the stream opened is the
   * most recent signal; it overrides the header field. */
  h2e_priority_memo_take(&conn->early_priorities, stream->id, &priority);
  apply(conn, stream, &priority);
}

/* RFC 9218 §7.1: an idle request stream. Prioritized idle streams plus
 * active ones may not exceed our SETTINGS_MAX_CONCURRENT_STREAMS (counted
 * as far as the memo holds them). */
static void remember(h2e_conn *conn, uint32_t id,
                     const h2e_priority *priority) {
  h2e_priority_memo *memo = &conn->early_priorities;
  h2e_priority_memo_forget(memo, conn->last_peer_id);
  uint32_t idle = memo->count + (h2e_priority_memo_has(memo, id) ? 0 : 1);
  if ((uint64_t)conn->peer_active + idle > conn->peer_stream_limit) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9218 §7.1: prioritized idle streams exceed "
                  "MAX_CONCURRENT_STREAMS");
    return;
  }
  h2e_priority_memo_put(memo, id, priority);
}

void h2e_conn_recv_priority_update(h2e_conn *conn, uint32_t id,
                                   const uint8_t *value, size_t len) {
  h2e_stream *stream;
  h2e_sstate state = h2e_conn_stream_state(conn, id, &stream);
  /* RFC 9218 §7.1: a push stream not promised is a PROTOCOL_ERROR. */
  if (state == H2E_SS_IDLE && h2e_conn_is_local_id(conn, id)) {
    h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                  "RFC 9218 §7.1: PRIORITY_UPDATE for a push stream not "
                  "promised");
    return;
  }
  /* RFC 9218 §7: a value that does not parse MAY be a connection error;
   * it is ignored here, as RFC 8941 §4.2 ignores a field. */
  h2e_priority priority;
  if (h2e_priority_parse(value, len, &priority) != H2E_OK)
    return;
  if (stream)
    apply(conn, stream, &priority);
  else if (state == H2E_SS_IDLE)
    remember(conn, id, &priority);
  /* RFC 9218 §7.1: closed streams: "Servers can discard" the frame. */
}

int h2e_stream_set_priority(h2e_conn *conn, uint32_t stream_id,
                            const h2e_priority *priority) {
  if (conn == NULL || priority == NULL ||
      priority->urgency >= H2E_URGENCY_LEVELS || priority->incremental > 1)
    return H2E_ERR_INVALID_ARG;
  h2e_stream *stream = h2e_stream_find(&conn->streams, stream_id);
  if (stream == NULL)
    return H2E_ERR_STREAM_CLOSED;
  apply(conn, stream, priority);
  return H2E_OK;
}

int h2e_stream_get_priority(const h2e_conn *conn, uint32_t stream_id,
                            h2e_priority *priority) {
  if (conn == NULL || priority == NULL)
    return H2E_ERR_INVALID_ARG;
  const h2e_stream *stream = h2e_stream_find(&conn->streams, stream_id);
  if (stream == NULL)
    return H2E_ERR_STREAM_CLOSED;
  priority->urgency = stream->sched.urgency;
  priority->incremental = stream->sched.incremental;
  return H2E_OK;
}

int h2e_submit_priority_update(h2e_conn *conn, uint32_t stream_id,
                               const h2e_priority *priority) {
  if (conn == NULL || priority == NULL || conn->is_server)
    return H2E_ERR_INVALID_ARG; /* RFC 9218 §7.1: servers never send it */
  uint8_t value[H2E_PRIORITY_FORMAT_MAX];
  ptrdiff_t len = h2e_priority_format(priority, value, sizeof value);
  if (len < 0)
    return (int)len;
  if (conn->failed)
    return H2E_ERR_CONN_CLOSED;
  /* RFC 9218 §7.1: for a request or push stream that may still receive
   * data: one of ours, or a promised one, not closed. */
  if (h2e_stream_find(&conn->streams, stream_id) == NULL)
    return H2E_ERR_STREAM_CLOSED;
  size_t payload = 4 + (size_t)len;
  uint8_t *p = h2e_conn_ctrl_reserve(conn, H2E_FRAME_HEADER_LEN + payload, 0);
  if (p == NULL)
    return H2E_ERR_WOULDBLOCK;
  /* RFC 9218 §7.1: on stream 0, the prioritized stream id first. */
  h2e_frame_write_header(p, (uint32_t)payload, H2E_FRAME_PRIORITY_UPDATE, 0, 0);
  h2e_put_u32(p + H2E_FRAME_HEADER_LEN, stream_id);
  memcpy(p + H2E_FRAME_HEADER_LEN + 4, value, (size_t)len);
  h2e_conn_ctrl_commit(conn, H2E_FRAME_HEADER_LEN + payload, 0);
  return H2E_OK;
}
