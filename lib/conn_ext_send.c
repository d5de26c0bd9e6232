/* Extension frames a server sends: ALTSVC (RFC 7838 §4) and ORIGIN
 * (RFC 8336 §2). They queue with the header blocks, so one on a stream
 * goes out after the stream's HEADERS. */
#include "conn.h"

#include "frame.h"

#include <string.h>

/* Room for a frame of `payload` octets in the blocks FIFO, or an error
 * code in *err. */
static uint8_t *reserve_frame(h2e_conn *conn, size_t payload, int *err) {
  *err = H2E_OK;
  if (!conn->is_server) /* RFC 7838 §4, RFC 8336 §2: from servers */
    *err = H2E_ERR_INVALID_ARG;
  else if (h2e_conn_terminal(conn) || conn->goaway_sent == H2E_GOAWAY_FINAL)
    *err = H2E_ERR_CONN_CLOSED;
  /* RFC 9113 §4.2: within the peer's SETTINGS_MAX_FRAME_SIZE. */
  else if (payload > conn->peer_settings[H2E_SETTINGS_MAX_FRAME_SIZE] ||
           payload + H2E_FRAME_HEADER_LEN > conn->blocks.cap)
    *err = H2E_ERR_BUFFER_TOO_SMALL;
  else if (h2e_fifo_room(&conn->blocks) < payload + H2E_FRAME_HEADER_LEN)
    *err = H2E_ERR_WOULDBLOCK;
  return *err == H2E_OK
             ? h2e_fifo_reserve(&conn->blocks, payload + H2E_FRAME_HEADER_LEN)
             : NULL;
}

int h2e_submit_altsvc(h2e_conn *conn, uint32_t stream_id, const char *origin,
                      size_t origin_len, const char *value, size_t value_len) {
  if (conn == NULL || (origin == NULL && origin_len != 0) ||
      (value == NULL && value_len != 0) || origin_len > 0xffff)
    return H2E_ERR_INVALID_ARG;
  /* RFC 7838 §4: on stream 0 the origin is named; on a stream it is the
   * stream's own, and the Origin field is empty. */
  if ((stream_id == 0) != (origin_len != 0))
    return H2E_ERR_INVALID_ARG;
  if (stream_id != 0 && h2e_stream_find(&conn->streams, stream_id) == NULL)
    return H2E_ERR_STREAM_CLOSED;
  int err;
  size_t payload = 2 + origin_len + value_len;
  uint8_t *p = reserve_frame(conn, payload, &err);
  if (p == NULL)
    return err;
  h2e_frame_write_header(p, (uint32_t)payload, H2E_FRAME_ALTSVC, 0, stream_id);
  h2e_put_u16(p + H2E_FRAME_HEADER_LEN, (uint16_t)origin_len);
  if (origin_len)
    memcpy(p + H2E_FRAME_HEADER_LEN + 2, origin, origin_len);
  if (value_len)
    memcpy(p + H2E_FRAME_HEADER_LEN + 2 + origin_len, value, value_len);
  h2e_fifo_commit(&conn->blocks, payload + H2E_FRAME_HEADER_LEN);
  return H2E_OK;
}

int h2e_submit_origin(h2e_conn *conn, const h2e_origin_entry *entries,
                      size_t count) {
  if (conn == NULL || (entries == NULL && count != 0))
    return H2E_ERR_INVALID_ARG;
  size_t payload = 0;
  for (size_t i = 0; i < count; i++) {
    /* RFC 8336 §2: each ASCII-Origin follows its 2-octet length. */
    if (entries[i].origin_len > 0xffff ||
        (entries[i].origin == NULL && entries[i].origin_len != 0))
      return H2E_ERR_INVALID_ARG;
    payload += 2 + entries[i].origin_len;
    if (payload > H2E_MAX_FRAME_SIZE_MAX)
      return H2E_ERR_BUFFER_TOO_SMALL;
  }
  int err;
  uint8_t *p = reserve_frame(conn, payload, &err);
  if (p == NULL)
    return err;
  /* RFC 8336 §2.1: ORIGIN goes on stream 0. */
  h2e_frame_write_header(p, (uint32_t)payload, H2E_FRAME_ORIGIN, 0, 0);
  uint8_t *at = p + H2E_FRAME_HEADER_LEN;
  for (size_t i = 0; i < count; i++) {
    at = h2e_put_u16(at, (uint16_t)entries[i].origin_len);
    if (entries[i].origin_len)
      memcpy(at, entries[i].origin, entries[i].origin_len);
    at += entries[i].origin_len;
  }
  h2e_fifo_commit(&conn->blocks, payload + H2E_FRAME_HEADER_LEN);
  return H2E_OK;
}
