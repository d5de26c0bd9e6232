/* The connection's large buffers: the decoded-field arena, the reader's
 * assembly buffer and the header-block assembly buffer (the output FIFO
 * of header blocks and the stream and DATA entry pools take and give
 * back their own). Each is taken at its first use and given back once no stream
 * has been open for H2E_BUFFERS_IDLE_MS, so an idle connection is small while a
 * busy one allocates nothing per request (DESIGN: caller owns memory). */
#include "conn.h"

#include "mem.h"

/* Takes a buffer of size octets, or fails the connection. */
static void *take(h2e_conn *conn, size_t size) {
  void *buf = h2e_mem_alloc(&conn->allocator, size);
  if (buf == NULL)
    h2e_conn_fail(conn, H2E_INTERNAL_ERROR, "h2e: out of memory");
  return buf;
}

int h2e_conn_arena_take(h2e_conn *conn) {
  h2e_arena *a = &conn->arena;
  if (a->bytes == NULL && (a->bytes = take(conn, a->bytes_cap)) == NULL)
    return -1;
  if (a->fields == NULL &&
      (a->fields = take(conn, a->fields_cap * sizeof(h2e_field))) == NULL)
    return -1;
  return 0;
}

int h2e_conn_reader_buffer_take(h2e_conn *conn) {
  if (conn->reader_buf == NULL &&
      (conn->reader_buf = take(conn, conn->reader.buf_cap)) == NULL)
    return -1;
  h2e_frame_reader_set_buffer(&conn->reader, conn->reader_buf);
  return 0;
}

uint8_t *h2e_conn_block_buffer_take(h2e_conn *conn) {
  h2e_block *block = &conn->block;
  if (block->buf == NULL && (block->buf = take(conn, block->bound)) != NULL)
    block->cap = block->bound;
  return block->buf;
}

int h2e_conn_in_reader_buffer(const h2e_conn *conn, const uint8_t *p) {
  const uint8_t *buf = conn->reader_buf;
  return buf != NULL && p >= buf && p < buf + conn->reader.buf_cap;
}

static void give_back(h2e_conn *conn, void *buf, size_t size) {
  h2e_mem_free(&conn->allocator, buf, size);
}

static void release_arena(h2e_conn *conn) {
  h2e_arena *a = &conn->arena;
  /* Fields of queued events, or handed out since the last recv, live
   * here until the next recv (h2e.h: lifetimes). */
  if (a->bytes_used != 0 || a->fields_used != 0)
    return;
  give_back(conn, a->bytes, a->bytes_cap);
  give_back(conn, a->fields, a->fields_cap * sizeof(h2e_field));
  a->bytes = NULL;
  a->fields = NULL;
}

static void release_reader_buffer(h2e_conn *conn) {
  /* Not while an event points into it or a frame is assembled there. */
  if (conn->reader_buf == NULL || conn->reader_pinned ||
      h2e_frame_reader_set_buffer(&conn->reader, NULL) != 0)
    return;
  give_back(conn, conn->reader_buf, conn->reader.buf_cap);
  conn->reader_buf = NULL;
}

static void release_block_buffer(h2e_conn *conn) {
  h2e_block *block = &conn->block;
  if (block->active)
    return;
  give_back(conn, block->buf, block->cap);
  block->buf = NULL;
  block->cap = 0;
}

void h2e_conn_buffers_release_idle(h2e_conn *conn) {
  if (conn->streams.count != 0 ||
      conn->now_ms - conn->idle_since_ms < H2E_BUFFERS_IDLE_MS)
    return;
  release_arena(conn);
  release_reader_buffer(conn);
  release_block_buffer(conn);
  h2e_fifo_release(&conn->blocks);
  h2e_slab_release(&conn->streams.slots, &conn->allocator);
  h2e_slab_release(&conn->entries, &conn->allocator);
}

void h2e_conn_buffers_free(h2e_conn *conn) {
  const h2e_arena *a = &conn->arena;
  give_back(conn, a->bytes, a->bytes_cap);
  give_back(conn, a->fields, a->fields_cap * sizeof(h2e_field));
  give_back(conn, conn->reader_buf, conn->reader.buf_cap);
  give_back(conn, conn->block.buf, conn->block.cap);
}
