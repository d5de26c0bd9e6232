/* Requests: checked out of the pool within each origin's cap (so one
 * connection per origin carries them all), submitted on the stream the
 * pool picks, answered through the stream's events. */
#include "get.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(n, v, vlen)                                                      \
  {                                                                            \
    (const uint8_t *)(n), (const uint8_t *)(v), sizeof(n) - 1,                 \
        (uint32_t)(vlen), 0                                                    \
  }

static void pool_key(const get_origin *o, h2e_pool_key *key) {
  memset(key, 0, sizeof *key);
  key->scheme = o->tls ? "https" : "http";
  key->scheme_len = o->tls ? 5 : 4;
  key->host = o->host;
  key->host_len = strlen(o->host);
  key->port = o->port;
  /* Connections through the proxy never serve direct requests. */
  if (o->via_proxy) {
    key->digest = (const uint8_t *)"proxy";
    key->digest_len = 5;
  }
}

void get_checkout_more(get_app *app) {
  for (size_t i = 0; i < app->origin_count; i++) {
    get_origin *o = &app->origins[i];
    while (o->active < o->cap && o->next < o->count) {
      get_request *r = &app->requests[o->pending[o->next]];
      h2e_pool_key key;
      pool_key(o, &key);
      int32_t id = h2e_pool_checkout(app->pool, &key, r, get_now_ms());
      if (id == H2E_ERR_WOULDBLOCK)
        break; /* the pool is full: again when requests finish */
      o->next++;
      o->active++;
      if (id < 0) {
        get_request_finish(app, r, "the pool refused it: %s", h2e_strerror(id));
        continue;
      }
      r->pool_id = id;
      r->state = REQ_POOLED;
    }
  }
}

void get_request_unlink(get_request *r) {
  if (r->conn == NULL)
    return;
  for (get_request **p = &r->conn->requests; *p; p = &(*p)->conn_next)
    if (*p == r) {
      *p = r->conn_next;
      break;
    }
  r->conn = NULL;
  r->conn_next = NULL;
  r->stream = 0;
}

/* The request head: a CONNECT for a tunnel (RFC 9113 §8.5: :method and
 * :authority only), else the URL's method, scheme, authority and path,
 * then -H fields and the body's length. */
static size_t request_fields(const get_app *app, const get_request *r,
                             h2e_field *f, char *length, size_t length_cap) {
  const get_options *o = app->options;
  size_t n = 0;
  const char *authority = r->url.authority;
  if (r->tunnel) {
    f[n++] = (h2e_field)FIELD(":method", "CONNECT", 7);
    f[n++] = (h2e_field)FIELD(":authority", authority, strlen(authority));
    return n;
  }
  const char *method = o->body ? "POST" : "GET";
  f[n++] = (h2e_field)FIELD(":method", method, strlen(method));
  f[n++] = (h2e_field)FIELD(":scheme", r->url.tls ? "https" : "http",
                            r->url.tls ? 5 : 4);
  f[n++] = (h2e_field)FIELD(":authority", authority, strlen(authority));
  f[n++] = (h2e_field)FIELD(":path", r->url.path, r->url.path_len);
  f[n++] = (h2e_field)FIELD("user-agent", "h2e-get", 7);
  for (size_t i = 0; i < o->header_count; i++)
    f[n++] = o->headers[i];
  if (o->body) {
    int len = snprintf(length, length_cap, "%zu", o->body_len);
    f[n++] = (h2e_field)FIELD("content-length", length, len);
  }
  return n;
}

void get_submit(get_app *app, get_conn *c, get_request *r, uint32_t retry) {
  h2e_field fields[GET_HEADERS_MAX + 8];
  char length[24];
  size_t count = request_fields(app, r, fields, length, sizeof length);
  h2e_conn *engine = get_conn_engine(c);
  int has_body = app->options->body != NULL && r->tunnel == NULL;
  unsigned flags = r->tunnel || has_body ? 0 : H2E_END_STREAM;
  int32_t rc = engine ? h2e_submit_request(engine, fields, count, flags)
                      : H2E_ERR_CONN_CLOSED;
  if (rc == H2E_ERR_WOULDBLOCK) { /* the output buffer is full: later */
    r->conn_next = c->blocked;
    c->blocked = r;
    return;
  }
  h2e_pool_submitted(app->pool, (uint32_t)r->pool_id, rc, get_now_ms());
  if (rc < 0)
    return; /* the pool puts it back in the queue */
  r->conn = c;
  r->stream = (uint32_t)rc;
  r->conn_next = c->requests;
  c->requests = r;
  c->dirty = 1;
  if (retry)
    get_trace_note(app, "retrying %s on another connection", r->url.text);
  if (has_body) {
    h2e_submit_data(engine, r->stream, app->options->body,
                    app->options->body_len, H2E_END_STREAM, 0);
  }
}

static int field_is(const h2e_field *f, const char *name) {
  size_t len = strlen(name);
  return f->name_len == len && memcmp(f->name, name, len) == 0;
}

static uint64_t field_number(const h2e_field *f) {
  uint64_t value = 0;
  for (size_t i = 0; i < f->value_len && i < 19; i++) {
    if (f->value[i] < '0' || f->value[i] > '9')
      return 0;
    value = value * 10 + (uint64_t)(f->value[i] - '0');
  }
  return value;
}

static void on_response(get_app *app, get_request *r, const h2e_event *ev) {
  for (size_t i = 0; i < ev->u.headers.count; i++) {
    const h2e_field *f = &ev->u.headers.fields[i];
    if (field_is(f, ":status"))
      r->status = (int)field_number(f);
    else if (field_is(f, "content-length"))
      r->expected = field_number(f);
  }
  if (r->tunnel == NULL)
    get_output_open(app, r);
}

/* The stream is over for the pool (STREAM_CLOSED or a reset it saw). */
static void on_stream_end(get_app *app, get_request *r, const h2e_event *ev) {
  get_request_unlink(r);
  if (ev->type == H2E_EV_STREAM_RESET && ev->u.reset.retryable) {
    r->received = 0; /* never processed: the pool sends it again */
    return;
  }
  if (r->tunnel) { /* a CONNECT: the tunnel's CLOSE frees it */
    r->state = REQ_DONE;
    return;
  }
  if (ev->type == H2E_EV_STREAM_RESET)
    get_request_finish(app, r, "stream reset%s: %s",
                       ev->u.reset.by_peer ? " by the server" : "",
                       h2e_h2_error_name(ev->u.reset.error_code));
  else if (r->status >= 400)
    get_request_finish(app, r, "HTTP status %d", r->status);
  else if (r->status == 0)
    get_request_finish(app, r, "no response");
  else
    get_request_finish(app, r, NULL);
}

void get_request_event(get_app *app, get_request *r, const h2e_event *ev) {
  switch (ev->type) {
  case H2E_EV_HEADERS:
    if (ev->u.headers.kind == H2E_HEADERS_RESPONSE)
      on_response(app, r, ev);
    break;
  case H2E_EV_DATA:
    get_output_write(app, r, ev->u.data.data, ev->u.data.len);
    r->received += ev->u.data.len;
    h2e_consume(get_conn_engine(r->conn), ev->stream_id, ev->u.data.len);
    r->conn->dirty = 1;
    get_progress(app, 0);
    break;
  case H2E_EV_STREAM_CLOSED:
  case H2E_EV_STREAM_RESET:
    on_stream_end(app, r, ev);
    break;
  default:
    break;
  }
}

void get_request_finish(get_app *app, get_request *r, const char *fmt, ...) {
  if (r->state == REQ_DONE || r->state == REQ_FAILED)
    return;
  char why[sizeof r->error];
  why[0] = '\0';
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
  } else if (r->error[0]) { /* the output failed */
    memcpy(why, r->error, sizeof why);
  }
  if (why[0]) {
    get_progress(app, 1);
    fprintf(stderr, "h2e-get: %s: %s\n", r->url.text, why);
    r->state = REQ_FAILED;
    app->failed = 1;
  } else {
    r->state = REQ_DONE;
  }
  r->origin->active--;
  app->finished++;
  get_output_finish(app, r);
}
