/* Outbound DATA entries: the body buffers and file regions submitted on a
 * stream, queued in order, staged frame by frame, and released (an
 * H2E_EV_DATA_SENT with the caller's cookie) once written or dropped. */
#include "conn.h"

void h2e_conn_release_entry(h2e_conn *conn, uint32_t index) {
  h2e_data_entry *entry = h2e_slab_item(&conn->entries, index);
  entry->next = 0;
  if (conn->released_tail)
    ((h2e_data_entry *)h2e_slab_item(&conn->entries, conn->released_tail - 1))
        ->next = index + 1;
  else
    conn->released_head = index + 1;
  conn->released_tail = index + 1;
}

/* Takes the stream's first entry off its queue; it is released once no
 * staged frame refers to it any more. */
void h2e_conn_pop_entry(h2e_conn *conn, h2e_stream *stream) {
  uint32_t index = stream->data_head - 1;
  h2e_data_entry *entry = h2e_slab_item(&conn->entries, index);
  stream->data_head = entry->next;
  if (stream->data_head == 0)
    stream->data_tail = 0;
  if (entry->len == 0 && entry->end_stream)
    conn->empty_ends_queued--;
  entry->detached = 1;
  if (entry->in_flight == 0)
    h2e_conn_release_entry(conn, index);
}

void h2e_conn_push_entry(h2e_conn *conn, h2e_stream *stream, uint32_t index) {
  h2e_data_entry *entry = h2e_slab_item(&conn->entries, index);
  entry->next = 0;
  if (stream->data_tail)
    ((h2e_data_entry *)h2e_slab_item(&conn->entries, stream->data_tail - 1))
        ->next = index + 1;
  else
    stream->data_head = index + 1;
  stream->data_tail = index + 1;
  if (entry->len == 0 && entry->end_stream)
    conn->empty_ends_queued++;
  h2e_conn_schedule(conn, stream);
}

void h2e_conn_schedule(h2e_conn *conn, h2e_stream *stream) {
  if (stream->data_head == 0)
    return;
  h2e_data_entry *head = h2e_slab_item(&conn->entries, stream->data_head - 1);
  if (stream->send_window > 0 || head->len == head->staged)
    h2e_sched_push(&conn->sched, &stream->sched);
  else
    stream->window_blocked = 1;
}

void h2e_conn_drop_stream_output(h2e_conn *conn, h2e_stream *stream) {
  while (stream->data_head)
    h2e_conn_pop_entry(conn, stream);
  h2e_sched_remove(&conn->sched, &stream->sched);
  h2e_conn_drop_held(conn, stream);
}

void h2e_conn_drop_all_output(h2e_conn *conn) {
  for (uint32_t i = 0; i < conn->streams.slots.grown; i++) {
    h2e_stream *stream = h2e_stream_at(&conn->streams, i);
    if (stream)
      h2e_conn_drop_stream_output(conn, stream);
  }
  h2e_fifo_drop_unstaged(&conn->blocks);
  while (h2e_list_pop_front(&conn->updates) != NULL)
    ;
  conn->conn_update_due = 0;
}
