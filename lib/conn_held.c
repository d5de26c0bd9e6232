/* Header blocks held back: trailers submitted while the stream's DATA is
 * still queued. Encoding them at once would put them on the wire before
 * that DATA, or (held in the FIFO) stall every block behind them, since
 * HPACK state follows wire order. So their fields are copied here and
 * encoded when the stream's last DATA frame is staged. Records sit one
 * after another in a bounded area, compacted when it runs out. */
#include "conn.h"

#include "mem.h"

#include <string.h>

typedef struct held_record {
  uint32_t stream_id; /* 0: free */
  uint32_t count;
  size_t size; /* of the whole record, aligned */
} held_record;

static size_t align_up(size_t n) {
  size_t a = sizeof(max_align_t);
  return (n + a - 1) / a * a;
}

static size_t header_size(void) {
  return align_up(sizeof(held_record));
}

static held_record *record_at(const h2e_conn *conn, size_t offset) {
  return (held_record *)(void *)(conn->held + offset);
}

static h2e_field *record_fields(held_record *record) {
  return (h2e_field *)(void *)((uint8_t *)record + header_size());
}

/* Moves a record down by delta octets, fixing its field pointers. */
static void move_record(h2e_conn *conn, size_t from, size_t to) {
  held_record *src = record_at(conn, from);
  size_t size = src->size;
  memmove(conn->held + to, src, size);
  held_record *dst = record_at(conn, to);
  h2e_field *fields = record_fields(dst);
  for (uint32_t i = 0; i < dst->count; i++) {
    fields[i].name -= from - to;
    fields[i].value -= from - to;
  }
  h2e_stream *stream = h2e_stream_find(&conn->streams, dst->stream_id);
  if (stream)
    stream->held = (uint32_t)to + 1;
}

static void compact(h2e_conn *conn) {
  size_t to = 0;
  for (size_t from = 0; from < conn->held_used;) {
    size_t size = record_at(conn, from)->size;
    if (record_at(conn, from)->stream_id != 0) {
      if (from != to)
        move_record(conn, from, to);
      to += size;
    }
    from += size;
  }
  conn->held_used = to;
}

static size_t record_size(const h2e_field *fields, size_t count) {
  size_t size = header_size() + count * sizeof(h2e_field);
  for (size_t i = 0; i < count; i++)
    size += (size_t)fields[i].name_len + fields[i].value_len;
  return align_up(size);
}

static void copy_fields(held_record *record, const h2e_field *fields,
                        size_t count) {
  h2e_field *copy = record_fields(record);
  uint8_t *strings = (uint8_t *)(copy + count);
  for (size_t i = 0; i < count; i++) {
    copy[i] = fields[i];
    copy[i].name = strings;
    if (fields[i].name_len)
      memcpy(strings, fields[i].name, fields[i].name_len);
    strings += fields[i].name_len;
    copy[i].value = strings;
    if (fields[i].value_len)
      memcpy(strings, fields[i].value, fields[i].value_len);
    strings += fields[i].value_len;
  }
}

int h2e_conn_hold_block(h2e_conn *conn, h2e_stream *stream,
                        const h2e_field *fields, size_t count) {
  size_t size = record_size(fields, count);
  if (size > conn->held_cap)
    return H2E_ERR_BUFFER_TOO_SMALL;
  if (conn->held == NULL &&
      (conn->held = h2e_mem_alloc(&conn->allocator, conn->held_cap)) == NULL)
    return H2E_ERR_NOMEM;
  if (conn->held_cap - conn->held_used < size)
    compact(conn);
  if (conn->held_cap - conn->held_used < size)
    return H2E_ERR_WOULDBLOCK;
  held_record *record = record_at(conn, conn->held_used);
  record->stream_id = stream->id;
  record->count = (uint32_t)count;
  record->size = size;
  copy_fields(record, fields, count);
  stream->held = (uint32_t)conn->held_used + 1;
  conn->held_used += size;
  return H2E_OK;
}

void h2e_conn_drop_held(h2e_conn *conn, h2e_stream *stream) {
  h2e_list_remove(&stream->trailers_link);
  if (stream->held == 0)
    return;
  size_t offset = stream->held - 1;
  held_record *record = record_at(conn, offset);
  record->stream_id = 0;
  stream->held = 0;
  if (offset + record->size == conn->held_used)
    conn->held_used = offset;
}

int h2e_conn_encode_held(h2e_conn *conn, h2e_stream *stream) {
  held_record *record = record_at(conn, stream->held - 1);
  /* Held blocks are trailers: they end the stream (RFC 9113 §8.1). */
  int rc = h2e_conn_encode_block(conn, stream, record_fields(record),
                                 record->count, 1);
  if (rc != H2E_OK)
    return rc;
  h2e_conn_drop_held(conn, stream);
  h2e_conn_sent_end_stream(conn, stream);
  return H2E_OK;
}
