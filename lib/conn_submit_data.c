/* Submitting bodies (referenced, never copied) and stream resets. */
#include "conn.h"

static int submit_entry(h2e_conn *conn, uint32_t stream_id,
                        const h2e_data_entry *proto) {
  int err;
  h2e_stream *stream =
      h2e_conn_sending_stream(conn, stream_id, H2E_SI_SEND_DATA, &err);
  if (stream == NULL)
    return err;
  if (stream->held)
    return H2E_ERR_STREAM_CLOSED; /* trailers already ended it */
  if (!stream->head_sent)
    return H2E_ERR_INVALID_ARG; /* RFC 9113 §8.1: the head comes first */
  int64_t index = h2e_slab_take(&conn->entries, &conn->allocator);
  if (index < 0)
    return (int)index;
  h2e_data_entry *entry = h2e_slab_item(&conn->entries, (uint32_t)index);
  *entry = *proto;
  entry->index = (uint32_t)index;
  entry->stream_id = stream_id;
  if (entry->end_stream)
    stream->local_end_submitted = 1;
  if (entry->len == 0 && !entry->end_stream) {
    entry->detached = 1; /* nothing to send: released at once */
    h2e_conn_release_entry(conn, entry->index);
    return H2E_OK;
  }
  h2e_conn_push_entry(conn, stream, entry->index);
  return H2E_OK;
}

int h2e_submit_data(h2e_conn *conn, uint32_t stream_id, const void *data,
                    size_t len, unsigned flags, uint64_t cookie) {
  if (conn == NULL || (data == NULL && len != 0))
    return H2E_ERR_INVALID_ARG;
  h2e_data_entry entry = {0};
  entry.data = data;
  entry.fd = -1;
  entry.len = len;
  entry.cookie = cookie;
  entry.end_stream = (flags & H2E_END_STREAM) != 0;
  return submit_entry(conn, stream_id, &entry);
}

int h2e_submit_file(h2e_conn *conn, uint32_t stream_id, int fd, uint64_t offset,
                    uint64_t len, unsigned flags, uint64_t cookie) {
  if (conn == NULL || fd < 0)
    return H2E_ERR_INVALID_ARG;
  h2e_data_entry entry = {0};
  entry.fd = fd;
  entry.file_offset = offset;
  entry.len = len;
  entry.cookie = cookie;
  entry.end_stream = (flags & H2E_END_STREAM) != 0;
  return submit_entry(conn, stream_id, &entry);
}

int h2e_submit_rst_stream(h2e_conn *conn, uint32_t stream_id,
                          uint32_t error_code) {
  if (conn == NULL || stream_id == 0)
    return H2E_ERR_INVALID_ARG;
  if (conn->failed)
    return H2E_ERR_CONN_CLOSED;
  h2e_stream *stream;
  h2e_sstate state = h2e_conn_stream_state(conn, stream_id, &stream);
  if (stream == NULL) /* RFC 9113 §6.4: never on an idle stream */
    return state == H2E_SS_IDLE ? H2E_ERR_INVALID_ARG : H2E_ERR_STREAM_CLOSED;
  if (h2e_conn_queue_rst(conn, stream, stream_id, error_code, 0) != H2E_OK)
    return H2E_ERR_WOULDBLOCK;
  /* The application knows: no H2E_EV_STREAM_RESET for its own reset. */
  h2e_conn_close_stream(conn, stream, H2E_SS_CLOSED_RESET_SENT);
  return H2E_OK;
}
