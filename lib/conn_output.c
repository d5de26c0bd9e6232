/* Output: staged segments handed out as vecs, and their release as the
 * caller reports octets written. A segment is a run of the control or
 * header-block FIFO, or one DATA frame: its 9-octet header from the
 * segment itself, its payload referenced in the caller's buffer or file. */
#include "conn.h"
#include "conn_sizes.h"

#include "mem.h"

int h2e_conn_output_init(h2e_conn *conn) {
  h2e_conn_sizes s;
  h2e_conn_sizes_compute(&conn->config, &s);
  h2e_sched_init(&conn->sched);
  h2e_list_init(&conn->updates);
  h2e_list_init(&conn->windows_open);
  h2e_list_init(&conn->trailers_ready);
  /* Both FIFOs take their buffers at their first frame (lazy). */
  int rc = h2e_fifo_init(&conn->ctrl, &conn->allocator, s.ctrl, 1);
  if (rc == H2E_OK)
    rc = h2e_fifo_init(&conn->blocks, &conn->allocator, s.blocks, 1);
  if (rc == H2E_OK)
    rc = h2e_slab_init(&conn->entries, sizeof(h2e_data_entry),
                       H2E_ENTRIES_PER_CHUNK, conn->config.max_pending_data);
  /* The held-block area is allocated when first needed. */
  conn->held_cap = s.held;
  return rc;
}

void h2e_conn_output_free(h2e_conn *conn) {
  h2e_fifo_free(&conn->ctrl);
  h2e_fifo_free(&conn->blocks);
  h2e_slab_free(&conn->entries, &conn->allocator);
  h2e_mem_free(&conn->allocator, conn->held, conn->held_cap);
}

static h2e_out_seg *seg_at(const h2e_conn *conn, uint32_t i) {
  return &conn->segs[(conn->seg_head + i) % H2E_SEGMENTS_MAX];
}

/* Vecs a segment still needs: its header's rest and its payload's rest. */
static size_t seg_vecs(const h2e_out_seg *seg) {
  size_t n = seg->written < seg->header_len ? 1 : 0;
  return n + (seg->len > 0 ? 1 : 0);
}

static size_t put_vec(h2e_output_vec *vec, const h2e_out_seg *seg,
                      uint64_t skip) {
  vec->len = (size_t)(seg->len - skip);
  vec->fd = seg->fd;
  vec->base = seg->base ? seg->base + skip : NULL;
  vec->offset = seg->base ? 0 : seg->file_offset + skip;
  return 1;
}

static size_t seg_to_vecs(const h2e_out_seg *seg, h2e_output_vec *vecs,
                          size_t max) {
  size_t n = 0;
  uint64_t payload_done = 0;
  if (seg->written < seg->header_len) {
    vecs[n++] = (h2e_output_vec){seg->header + seg->written,
                                 seg->header_len - (size_t)seg->written, -1, 0};
  } else {
    payload_done = seg->written - seg->header_len;
  }
  if (seg->len > payload_done && n < max)
    n += put_vec(&vecs[n], seg, payload_done);
  return n;
}

size_t h2e_conn_output(h2e_conn *conn, h2e_output_vec *vecs, size_t max) {
  if (conn == NULL || vecs == NULL || max == 0)
    return 0;
  size_t needed = 0;
  for (uint32_t i = 0; i < conn->seg_count; i++)
    needed += seg_vecs(seg_at(conn, i));
  if (needed < max && !conn->output_handed_out)
    h2e_conn_stage(conn, max - needed);
  size_t n = 0;
  for (uint32_t i = 0; i < conn->seg_count && n < max; i++)
    n += seg_to_vecs(seg_at(conn, i), vecs + n, max - n);
  conn->output_handed_out = n > 0;
  return n;
}

static void seg_written(h2e_conn *conn, h2e_out_seg *seg, uint64_t n) {
  seg->written += n;
  if (seg->source == H2E_SEG_CTRL)
    h2e_fifo_written(&conn->ctrl, (size_t)n);
  else if (seg->source == H2E_SEG_BLOCKS)
    h2e_fifo_written(&conn->blocks, (size_t)n);
}

static void seg_done(h2e_conn *conn, h2e_out_seg *seg) {
  if (seg->entry) {
    h2e_data_entry *entry = h2e_slab_item(&conn->entries, seg->entry - 1);
    entry->in_flight--;
    if (entry->detached && entry->in_flight == 0)
      h2e_conn_release_entry(conn, seg->entry - 1);
  }
  conn->seg_head = (conn->seg_head + 1) % H2E_SEGMENTS_MAX;
  conn->seg_count--;
}

void h2e_conn_output_done(h2e_conn *conn, size_t bytes) {
  if (conn == NULL)
    return;
  conn->output_handed_out = 0;
  while (bytes > 0 && conn->seg_count > 0) {
    h2e_out_seg *seg = seg_at(conn, 0);
    uint64_t left = seg->header_len + seg->len - seg->written;
    uint64_t take = bytes < left ? bytes : left;
    seg_written(conn, seg, take);
    bytes -= (size_t)take;
    if (take == left)
      seg_done(conn, seg);
  }
  if (h2e_fifo_empty(&conn->ctrl))
    conn->answers_queued = 0;
}

int h2e_conn_output_pending(const h2e_conn *conn) {
  return conn->seg_count > 0 || h2e_fifo_unstaged(&conn->ctrl) > 0 ||
         h2e_fifo_unstaged(&conn->blocks) > 0 || conn->conn_update_due ||
         !h2e_list_empty(&conn->updates) ||
         !h2e_list_empty(&conn->trailers_ready) ||
         (!h2e_sched_empty(&conn->sched) &&
          (conn->send_window > 0 || conn->empty_ends_queued > 0));
}
