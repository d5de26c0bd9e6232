/* Answers the requests of one connection: files with sendfile, 404, 405,
 * and CONNECT tunnels in proxy mode (tunnel.c). */
#include "serve.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FIELD_LIT(n, v)                                                        \
  {                                                                            \
    (const uint8_t *)(n), (const uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1,  \
        0                                                                      \
  }

uint64_t serve_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- stream records ---------------------------------------------------- */

static serve_stream *stream_new(serve_conn *conn, uint32_t id) {
  serve_stream *s = calloc(1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->conn = conn;
  s->id = id;
  s->started_ms = conn->now_ms;
  s->next = conn->streams;
  conn->streams = s;
  conn->open_streams++;
  return s;
}

static serve_stream *stream_find(serve_conn *conn, uint32_t id) {
  for (serve_stream *s = conn->streams; s; s = s->next)
    if (s->id == id)
      return s;
  return NULL;
}

static void stream_unlink(serve_conn *conn, serve_stream *s) {
  for (serve_stream **p = &conn->streams; *p; p = &(*p)->next)
    if (*p == s) {
      *p = s->next;
      break;
    }
  conn->open_streams--;
}

static void release_body(serve_stream *s) {
  serve_entry_release(s->entry);
  s->entry = NULL;
  s->body_released = 1;
}

/* A record goes once the stream is over and its body buffer is back. */
static void stream_settle(serve_conn *conn, serve_stream *s,
                          const char *protocol) {
  if (!s->stream_done || !s->body_released)
    return;
  if (!s->logged) {
    serve_log_request(s, protocol, conn->now_ms);
    s->logged = 1;
  }
  stream_unlink(conn, s);
  serve_tunnel_free(s);
  free(s);
}

void serve_stream_settle(serve_stream *s) {
  s->conn->now_ms = serve_now_ms();
  stream_settle(s->conn, s, h2e_loop_conn_protocol(s->conn->lc));
}

/* ---- responses --------------------------------------------------------- */

typedef struct error_page {
  uint16_t status;
  const char *status_text; /* :status value */
  const char *body;
} error_page;

static const error_page error_pages[] = {
    {400, "400", "400 bad request\n"},
    {404, "404", "404 not found\n"},
    {405, "405", "405 method not allowed: GET and HEAD only\n"},
    {500, "500", "500 internal error\n"},
};

static const error_page *error_page_for(uint16_t status) {
  for (size_t i = 0; i < sizeof error_pages / sizeof error_pages[0]; i++)
    if (error_pages[i].status == status)
      return &error_pages[i];
  return &error_pages[0];
}

static void respond_error(h2e_conn *engine, serve_stream *s, uint16_t status,
                          int head_only) {
  const error_page *page = error_page_for(status);
  char length[24];
  size_t body_len = strlen(page->body);
  int n = snprintf(length, sizeof length, "%zu", body_len);
  h2e_field fields[] = {
      {(const uint8_t *)":status", (const uint8_t *)page->status_text, 7, 3, 0},
      FIELD_LIT("content-type", "text/plain; charset=utf-8"),
      {(const uint8_t *)"content-length", (const uint8_t *)length, 14,
       (uint32_t)n, 0},
      FIELD_LIT("allow", "GET, HEAD")};
  size_t count = status == 405 ? 4 : 3;
  s->status = status;
  if (head_only) {
    h2e_submit_headers(engine, s->id, fields, count, H2E_END_STREAM);
    s->body_released = 1;
    return;
  }
  if (h2e_submit_headers(engine, s->id, fields, count, 0) != 0 ||
      h2e_submit_data(engine, s->id, page->body, body_len, H2E_END_STREAM,
                      (uint64_t)(uintptr_t)s) != 0) {
    h2e_submit_rst_stream(engine, s->id, H2E_INTERNAL_ERROR);
    s->body_released = 1;
    return;
  }
  s->body_len = body_len;
}

static int submit_body(h2e_conn *engine, serve_stream *s) {
  const serve_entry *e = s->entry;
  uint64_t cookie = (uint64_t)(uintptr_t)s;
  if (serve_entry_content(e))
    return h2e_submit_data(engine, s->id, serve_entry_content(e),
                           serve_entry_size(e), H2E_END_STREAM, cookie);
  return h2e_submit_file(engine, s->id, serve_entry_fd(e), 0,
                         serve_entry_size(e), H2E_END_STREAM, cookie);
}

static void respond_file(h2e_conn *engine, serve_stream *s, int head_only) {
  serve_worker *w = s->conn->worker;
  uint16_t status;
  s->entry = serve_cache_get(&w->cache, w->options, s->path, strlen(s->path),
                             s->conn->now_ms, &status);
  if (s->entry == NULL) {
    respond_error(engine, s, status, head_only);
    return;
  }
  uint64_t size = serve_entry_size(s->entry);
  const char *type = serve_entry_type(s->entry);
  char length[24];
  int n = snprintf(length, sizeof length, "%llu", (unsigned long long)size);
  h2e_field fields[] = {FIELD_LIT(":status", "200"),
                        {(const uint8_t *)"content-type", (const uint8_t *)type,
                         12, (uint32_t)strlen(type), 0},
                        {(const uint8_t *)"content-length",
                         (const uint8_t *)length, 14, (uint32_t)n, 0}};
  s->status = 200;
  int end_now = head_only || size == 0;
  int rc = h2e_submit_headers(engine, s->id, fields, 3,
                              end_now ? H2E_END_STREAM : 0);
  if (rc == 0 && !end_now && (rc = submit_body(engine, s)) == 0) {
    s->body_len = size;
    return; /* the entry goes back at DATA_SENT */
  }
  release_body(s);
  if (rc != 0)
    h2e_submit_rst_stream(engine, s->id, H2E_INTERNAL_ERROR);
}

/* Copies a field value into a fixed buffer (truncating). */
static void copy_value(char *out, size_t cap, const h2e_field *f) {
  size_t n = f->value_len < cap - 1 ? f->value_len : cap - 1;
  memcpy(out, f->value, n);
  out[n] = '\0';
}

static int name_is(const h2e_field *f, const char *name) {
  size_t len = strlen(name);
  return f->name_len == len && memcmp(f->name, name, len) == 0;
}

static void on_request(h2e_loop_conn *lc, serve_conn *conn,
                       const h2e_event *ev) {
  h2e_conn *engine = h2e_loop_conn_engine(lc);
  serve_stream *s = stream_new(conn, ev->stream_id);
  if (s == NULL) {
    h2e_submit_rst_stream(engine, ev->stream_id, H2E_INTERNAL_ERROR);
    return;
  }
  for (size_t i = 0; i < ev->u.headers.count; i++) {
    const h2e_field *f = &ev->u.headers.fields[i];
    if (name_is(f, ":method"))
      copy_value(s->method, sizeof s->method, f);
    else if (name_is(f, ":path"))
      copy_value(s->path, sizeof s->path, f);
    else if (name_is(f, ":authority"))
      copy_value(s->authority, sizeof s->authority, f);
  }
  int head = strcmp(s->method, "HEAD") == 0;
  if (head || strcmp(s->method, "GET") == 0)
    respond_file(engine, s, head);
  else if (strcmp(s->method, "CONNECT") == 0 && conn->worker->options->proxy)
    serve_tunnel_open(s);
  else
    respond_error(engine, s, 405, 0);
  /* --goaway-after: a test aid for clients that must move on to a new
   * connection (graceful, RFC 9113 §6.8: the streams so far finish). */
  unsigned long limit = conn->worker->options->goaway_after;
  if (limit && ++conn->requests == limit)
    h2e_submit_goaway(engine, H2E_NO_ERROR, "goaway-after", serve_now_ms());
}

/* ---- the loop's handlers ------------------------------------------------- */

void serve_accepted(h2e_loop *loop, h2e_loop_conn *lc) {
  serve_worker *worker = h2e_loop_get_user_data(loop);
  serve_conn *conn = calloc(1, sizeof *conn);
  if (conn == NULL) {
    h2e_loop_close(loop, lc);
    return;
  }
  conn->worker = worker;
  conn->lc = lc;
  conn->id = ++worker->next_conn_id;
  conn->next = worker->conns;
  if (worker->conns)
    worker->conns->prev = conn;
  worker->conns = conn;
  serve_peer_name(h2e_loop_conn_fd(lc), conn->peer, sizeof conn->peer);
  h2e_loop_conn_set_user_data(lc, conn);
}

static void on_event(h2e_loop_conn *lc, serve_conn *conn, const h2e_event *ev) {
  const char *protocol = h2e_loop_conn_protocol(lc);
  serve_stream *s;
  switch (ev->type) {
  case H2E_EV_HEADERS:
    if (ev->u.headers.kind == H2E_HEADERS_REQUEST)
      on_request(lc, conn, ev);
    break;
  case H2E_EV_DATA:
    s = stream_find(conn, ev->stream_id);
    if (s && s->tunnel) { /* credit comes once written upstream */
      serve_tunnel_data(s, ev);
      stream_settle(conn, s, protocol);
      break;
    }
    /* Request bodies are not used: give the window back at once. */
    h2e_consume(h2e_loop_conn_engine(lc), ev->stream_id, ev->u.data.len);
    break;
  case H2E_EV_DATA_SENT:
    s = (serve_stream *)(uintptr_t)ev->u.data_sent.cookie;
    if (s && s->tunnel)
      serve_tunnel_sent(s);
    else if (s)
      release_body(s);
    if (s)
      stream_settle(conn, s, protocol);
    break;
  case H2E_EV_STREAM_CLOSED:
  case H2E_EV_STREAM_RESET:
    if ((s = stream_find(conn, ev->stream_id)) != NULL) {
      s->stream_done = 1;
      s->reset = ev->type == H2E_EV_STREAM_RESET;
      if (s->tunnel)
        serve_tunnel_end(s);
      stream_settle(conn, s, protocol);
    }
    break;
  default:
    break;
  }
}

void serve_ready(h2e_loop *loop, h2e_loop_conn *lc) {
  (void)loop;
  serve_conn *conn = h2e_loop_conn_get_user_data(lc);
  h2e_conn *engine = h2e_loop_conn_engine(lc);
  conn->now_ms = serve_now_ms();
  h2e_event ev;
  while (h2e_conn_next_event(engine, &ev))
    on_event(lc, conn, &ev);
}

void serve_closed(h2e_loop *loop, h2e_loop_conn *lc) {
  (void)loop;
  serve_conn *conn = h2e_loop_conn_get_user_data(lc);
  if (conn == NULL)
    return;
  const char *protocol = h2e_loop_conn_protocol(lc);
  conn->now_ms = serve_now_ms();
  while (conn->streams) {
    serve_stream *s = conn->streams;
    serve_tunnel_free(s);
    release_body(s);
    s->stream_done = 1;
    stream_settle(conn, s, protocol);
  }
  if (conn->prev)
    conn->prev->next = conn->next;
  else
    conn->worker->conns = conn->next;
  if (conn->next)
    conn->next->prev = conn->prev;
  free(conn);
}
