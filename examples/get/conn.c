/* Connections: the pool's actions, direct connections on the loop, and
 * tunnels -- an h2e client engine whose transport is a CONNECT stream on
 * the proxy's connection, its bytes moved without copies one way (inner
 * output is submitted as outer DATA by reference) and with at most one
 * window's copy the other (outer DATA the inner engine cannot take yet). */
#include "get.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Streams assumed before the server's SETTINGS (RFC 9113 §6.5.2). */
#define ASSUMED_STREAMS 100
#define INNER_VECS      16
#define TUNNEL_COOKIE   1 /* DATA_SENT cookie of tunnel bytes */

uint64_t get_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

h2e_conn *get_conn_engine(const get_conn *c) {
  return c->lc ? h2e_loop_conn_engine(c->lc) : c->inner;
}

static get_origin *origin_of_key(get_app *app, const h2e_pool_key *key) {
  for (size_t i = 0; i < app->origin_count; i++) {
    get_origin *o = &app->origins[i];
    if (o->port == key->port && strlen(o->host) == key->host_len &&
        memcmp(o->host, key->host, key->host_len) == 0 &&
        o->tls == (key->scheme_len == 5) &&
        o->via_proxy == (key->digest_len != 0))
      return o;
  }
  return NULL;
}

static get_conn *conn_new(get_app *app, uint32_t id, get_origin *origin) {
  get_conn *c = calloc(1, sizeof *c);
  if (c == NULL)
    return NULL;
  c->app = app;
  c->id = id;
  c->origin = origin;
  c->next = app->conns;
  app->conns = c;
  h2e_pool_conn_set_user_data(app->pool, id, c);
  return c;
}

static void connected(get_app *app, get_conn *c) {
  c->connected = 1;
  h2e_pool_connected(app->pool, c->id, H2E_POOL_PROTO_HTTP2, ASSUMED_STREAMS,
                     get_now_ms());
}

/* Tells the pool the connection is gone (once), with why for messages:
 * a failed connect before it was up (its requests fail unless the key
 * has another connection), else a dead connection. */
static void conn_dead(get_app *app, get_conn *c, const char *why) {
  if (c->dead || c->closed_by_pool)
    return;
  c->dead = 1;
  if (why)
    snprintf(c->origin->error, sizeof c->origin->error, "%s", why);
  if (c->connected)
    h2e_pool_conn_dead(app->pool, c->id, get_now_ms());
  else
    h2e_pool_connect_failed(app->pool, c->id, get_now_ms());
}

/* ---- direct connections -------------------------------------------------- */

static void connect_direct(get_app *app, uint32_t id, get_origin *o) {
  int fd = h2e_loop_connect_tcp(o->host, o->port);
  if (fd < 0) {
    snprintf(o->error, sizeof o->error, "cannot connect to %s:%u: %s", o->host,
             o->port, strerror(errno));
    h2e_pool_connect_failed(app->pool, id, get_now_ms());
    return;
  }
  get_conn *c = conn_new(app, id, o);
  h2e_loop_conn_options options = {
      .config = &app->config,
      .tls = o->tls ? app->tls : NULL,
      .server_name = o->host,
      .trace = app->options->verbose ? get_trace_bytes : NULL,
      .trace_arg = c};
  h2e_loop_conn *lc = c ? h2e_loop_conn_new(&options, fd, get_now_ms()) : NULL;
  if (lc == NULL) {
    close(fd);
    snprintf(o->error, sizeof o->error, "out of memory (or TLS setup)");
    h2e_pool_connect_failed(app->pool, id, get_now_ms());
    return;
  }
  c->lc = lc;
  h2e_loop_conn_set_user_data(lc, c);
  get_trace_note(app, "connected to %s:%u (%s)", o->host, o->port,
                 o->tls ? "TLS" : "h2c");
  /* h2c is up at once; TLS once its handshake chose h2 (get_ready). */
  if (!o->tls)
    connected(app, c);
  h2e_loop_add(app->loop, lc);
}

static const char *loop_error_text(const h2e_loop_conn *lc, char *buf,
                                   size_t cap) {
  int error = h2e_loop_conn_error(lc);
  const char *detail = h2e_loop_conn_error_detail(lc);
  switch (error) {
  case H2E_LOOP_ERR_ALPN:
    return "the server did not select h2 by ALPN";
  case H2E_LOOP_ERR_TLS:
    snprintf(buf, cap, "TLS failed: %s", detail ? detail : "handshake error");
    return buf;
  case H2E_LOOP_ERR_EOF:
    return "the server closed the connection";
  case H2E_LOOP_ERR_IO:
    snprintf(buf, cap, "I/O error: %s", strerror(h2e_loop_conn_errno(lc)));
    return buf;
  case H2E_LOOP_ERR_NO_TLS:
    return "built without TLS";
  case 0:
    return "the connection ended";
  default:
    snprintf(buf, cap, "connection error %d", error);
    return buf;
  }
}

/* ---- tunnels ------------------------------------------------------------- */

/* The origin's connection through the proxy: a CONNECT request on the
 * proxy's key; the inner engine starts when the proxy answers 2xx. */
static void connect_tunnel(get_app *app, uint32_t id, get_origin *o) {
  get_conn *c = conn_new(app, id, o);
  get_request *r = c ? calloc(1, sizeof *r) : NULL;
  if (r == NULL) {
    snprintf(o->error, sizeof o->error, "out of memory");
    h2e_pool_connect_failed(app->pool, id, get_now_ms());
    return;
  }
  r->origin = app->proxy;
  r->tunnel = c;
  snprintf(r->url.authority, sizeof r->url.authority, "%s:%u", o->host,
           o->port);
  r->url.text = app->options->proxy;
  c->connect = r;
  h2e_pool_key key = {
      "http", 4, app->proxy->host, strlen(app->proxy->host), app->proxy->port,
      NULL,   0};
  if (app->proxy->tls)
    key.scheme = "https", key.scheme_len = 5;
  r->pool_id = h2e_pool_checkout(app->pool, &key, r, get_now_ms());
  if (r->pool_id < 0) {
    snprintf(o->error, sizeof o->error, "proxy: no room in the pool (%d)",
             r->pool_id);
    c->connect = NULL;
    free(r);
    h2e_pool_connect_failed(app->pool, id, get_now_ms());
    return;
  }
  r->state = REQ_POOLED;
}

/* The proxy answered the CONNECT (RFC 9113 §8.5: 2xx opens the tunnel). */
static void tunnel_answered(get_app *app, get_request *r) {
  get_conn *c = r->tunnel;
  uint64_t now = get_now_ms();
  if (r->status < 200 || r->status > 299) {
    snprintf(c->origin->error, sizeof c->origin->error,
             "proxy %.200s answered CONNECT %.200s with %d",
             app->options->proxy, r->url.authority, r->status);
    conn_dead(app, c, NULL);
    return;
  }
  c->held_cap = app->config.initial_window_size;
  c->held = malloc(c->held_cap);
  c->inner = c->held ? h2e_conn_new(&app->config, NULL, now) : NULL;
  if (c->inner == NULL) {
    snprintf(c->origin->error, sizeof c->origin->error, "out of memory");
    conn_dead(app, c, NULL);
    return;
  }
  get_trace_note(app, "tunnel to %s open through %s (stream %u)",
                 r->url.authority, app->options->proxy, r->stream);
  h2e_pool_tunnel(app->pool, c->id, (uint32_t)r->pool_id, now);
  connected(app, c);
}

static void inner_events(get_app *app, get_conn *c);

/* Inner output goes out as DATA of the CONNECT stream, by reference; the
 * inner engine keeps it until the outer engine released every piece. */
static void tunnel_forward(get_app *app, get_conn *c) {
  get_request *r = c->connect;
  if (c->inner == NULL || r == NULL || r->conn == NULL || c->handed != 0)
    return;
  h2e_output_vec vecs[INNER_VECS];
  size_t k = h2e_conn_output(c->inner, vecs, INNER_VECS);
  h2e_conn *outer = get_conn_engine(r->conn);
  for (size_t i = 0; i < k; i++) {
    int rc = h2e_submit_data(outer, r->stream, vecs[i].base, vecs[i].len, 0,
                             TUNNEL_COOKIE);
    if (rc != H2E_OK)
      break; /* WOULDBLOCK: the rest comes again after output_done */
    if (app->options->verbose)
      get_trace_bytes(c, 0, vecs[i].base, vecs[i].len);
    c->handed += vecs[i].len;
    c->unsent++;
  }
  if (c->handed)
    r->conn->dirty = 1;
}

/* Feeds held input to the inner engine; the outer window is credited
 * only for what it took, so a fast proxy is held back by flow control. */
static void tunnel_feed(get_app *app, get_conn *c) {
  get_request *r = c->connect;
  while (c->held_len > 0 && c->inner && r && r->conn) {
    ptrdiff_t n = h2e_conn_recv(c->inner, c->held, c->held_len, get_now_ms());
    if (n <= 0)
      break;
    if (app->options->verbose)
      get_trace_bytes(c, 1, c->held, (size_t)n);
    /* Its events' slices point into held: pulled before held moves. */
    inner_events(app, c);
    memmove(c->held, c->held + n, c->held_len - (size_t)n);
    c->held_len -= (size_t)n;
    h2e_consume(get_conn_engine(r->conn), r->stream, (size_t)n);
    r->conn->dirty = 1;
    tunnel_forward(app, c);
  }
}

/* DATA of the CONNECT stream: into the inner engine, the rest held. */
static void tunnel_data(get_app *app, get_request *r, const h2e_event *ev) {
  get_conn *c = r->tunnel;
  if (c->inner == NULL || c->held_len + ev->u.data.len > c->held_cap) {
    conn_dead(app, c, "tunnel: DATA beyond the window");
    return;
  }
  memcpy(c->held + c->held_len, ev->u.data.data, ev->u.data.len);
  c->held_len += ev->u.data.len;
  tunnel_feed(app, c);
}

static void tunnel_data_sent(get_app *app, get_conn *outer, uint32_t stream) {
  for (get_request *r = outer->requests; r; r = r->conn_next) {
    get_conn *c = r->tunnel;
    if (r->stream != stream || c == NULL || c->unsent == 0)
      continue;
    if (--c->unsent == 0) {
      h2e_conn_output_done(c->inner, c->handed);
      c->handed = 0;
      tunnel_forward(app, c);
    }
    return;
  }
}

/* Timers, input held back, output and the end of a tunnel's engine. */
static void tunnel_pump(get_app *app, get_conn *c) {
  if (c->inner == NULL || c->closed_by_pool)
    return;
  uint64_t now = get_now_ms();
  if (h2e_conn_deadline(c->inner) <= now)
    h2e_conn_tick(c->inner, now);
  inner_events(app, c);
  tunnel_feed(app, c);
  tunnel_forward(app, c);
  if (h2e_conn_want(c->inner) & H2E_CLOSED)
    conn_dead(app, c, "the tunnelled connection ended");
}

uint64_t get_tunnels_deadline(const get_app *app) {
  uint64_t earliest = UINT64_MAX;
  for (const get_conn *c = app->conns; c; c = c->next)
    if (c->inner && !c->closed_by_pool) {
      uint64_t d = h2e_conn_deadline(c->inner);
      earliest = d < earliest ? d : earliest;
    }
  return earliest;
}

/* ---- events -------------------------------------------------------------- */

static get_request *request_on(get_conn *c, uint32_t stream) {
  for (get_request *r = c->requests; r; r = r->conn_next)
    if (r->stream == stream)
      return r;
  return NULL;
}

static void conn_event(get_app *app, get_conn *c, const h2e_event *ev) {
  h2e_conn *engine = get_conn_engine(c);
  app->events++;
  if (!c->closed_by_pool)
    h2e_pool_conn_event(app->pool, c->id, engine, ev, get_now_ms());
  get_request *r = ev->stream_id ? request_on(c, ev->stream_id) : NULL;
  switch (ev->type) {
  case H2E_EV_SETTINGS: {
    uint32_t limit =
        h2e_conn_peer_setting(engine, H2E_SETTINGS_MAX_CONCURRENT_STREAMS);
    c->origin->cap = limit < app->config.max_concurrent_streams
                         ? (limit ? limit : 1)
                         : app->config.max_concurrent_streams;
    break;
  }
  case H2E_EV_CONN_ERROR:
    conn_dead(app, c, ev->u.conn_error.reason);
    break;
  case H2E_EV_DATA_SENT:
    if (ev->u.data_sent.cookie == TUNNEL_COOKIE)
      tunnel_data_sent(app, c, ev->stream_id);
    break;
  case H2E_EV_HEADERS:
    if (r && r->tunnel && ev->u.headers.kind == H2E_HEADERS_RESPONSE) {
      get_request_event(app, r, ev);
      tunnel_answered(app, r);
      return;
    }
    break;
  case H2E_EV_DATA:
    if (r && r->tunnel) {
      if (ev->u.data.len)
        tunnel_data(app, r, ev);
      return;
    }
    break;
  default:
    break;
  }
  if (r)
    get_request_event(app, r, ev);
}

static void inner_events(get_app *app, get_conn *c) {
  h2e_event ev;
  while (c->inner && h2e_conn_next_event(c->inner, &ev))
    conn_event(app, c, &ev);
}

void get_ready(h2e_loop *loop, h2e_loop_conn *lc) {
  get_app *app = h2e_loop_get_user_data(loop);
  get_conn *c = h2e_loop_conn_get_user_data(lc);
  if (!c->connected && h2e_loop_conn_protocol(lc))
    connected(app, c); /* the TLS handshake is done, ALPN chose h2 */
  h2e_event ev;
  while (h2e_conn_next_event(h2e_loop_conn_engine(lc), &ev))
    conn_event(app, c, &ev);
}

void get_closed(h2e_loop *loop, h2e_loop_conn *lc) {
  get_app *app = h2e_loop_get_user_data(loop);
  get_conn *c = h2e_loop_conn_get_user_data(lc);
  char buf[160];
  if (c == NULL)
    return;
  conn_dead(app, c, loop_error_text(lc, buf, sizeof buf));
  c->lc = NULL;
}

/* ---- actions --------------------------------------------------------------
 */

static void close_conn(get_app *app, const h2e_pool_action *a) {
  get_conn *c = a->conn_user_data;
  if (c == NULL)
    return;
  c->closed_by_pool = 1;
  /* A tunnel's CONNECT stream ends with it. Once the tunnel was
   * registered (h2e_pool_tunnel), the pool counted that stream done;
   * before, it is a request of ours to end. */
  get_request *r = c->connect;
  if (r && r->state == REQ_POOLED && c->inner == NULL)
    h2e_pool_request_done(app->pool, (uint32_t)r->pool_id, get_now_ms());
  if (r && r->conn) {
    h2e_submit_rst_stream(get_conn_engine(r->conn), r->stream, H2E_CANCEL);
    r->conn->dirty = 1;
    get_request_unlink(r);
  }
  if (r) {
    c->connect = NULL;
    free(r);
  }
  /* Its requests on streams were failed by the pool (FAIL actions). */
  while (c->requests)
    get_request_unlink(c->requests);
  c->blocked = NULL;
  if (c->inner) {
    h2e_conn_free(c->inner);
    c->inner = NULL;
  }
  if (c->lc) {
    h2e_loop_conn_set_user_data(c->lc, NULL);
    h2e_loop_close(app->loop, c->lc);
    c->lc = NULL;
  }
}

static void fail_request(get_app *app, get_request *r, const char *why) {
  if (r->tunnel) { /* a CONNECT to the proxy */
    get_conn *c = r->tunnel;
    snprintf(c->origin->error, sizeof c->origin->error, "proxy %.200s: %.200s",
             app->options->proxy,
             app->proxy->error[0] ? app->proxy->error : why);
    c->connect = NULL;
    get_request_unlink(r);
    free(r);
    conn_dead(app, c, NULL);
    return;
  }
  get_request_unlink(r);
  get_request_finish(app, r, "%s",
                     r->origin->error[0] ? r->origin->error : why);
}

static const char *reason_text(h2e_pool_reason reason) {
  switch (reason) {
  case H2E_POOL_REFUSED:
    return "the server refused the request twice";
  case H2E_POOL_CONNECT_ERROR:
    return "cannot connect";
  case H2E_POOL_CONN_DEAD:
    return "the connection failed";
  case H2E_POOL_TUNNEL_LOST:
    return "the tunnel through the proxy ended";
  default:
    return "failed";
  }
}

static void do_action(get_app *app, const h2e_pool_action *a) {
  get_origin *o;
  switch (a->type) {
  case H2E_POOL_CONNECT:
    o = origin_of_key(app, a->key);
    if (o && o->via_proxy)
      connect_tunnel(app, a->conn, o);
    else if (o)
      connect_direct(app, a->conn, o);
    else
      h2e_pool_connect_failed(app->pool, a->conn, get_now_ms());
    break;
  case H2E_POOL_SUBMIT:
    get_submit(app, a->conn_user_data, a->request_user_data, a->retry);
    break;
  case H2E_POOL_HTTP1:
    fail_request(app, a->request_user_data,
                 "the server does not speak HTTP/2 (ALPN chose HTTP/1.1)");
    break;
  case H2E_POOL_FAIL:
    fail_request(app, a->request_user_data, reason_text(a->reason));
    break;
  case H2E_POOL_CLOSE:
    close_conn(app, a);
    break;
  default:
    break;
  }
}

static void free_closed_conns(get_app *app) {
  for (get_conn **p = &app->conns; *p;) {
    get_conn *c = *p;
    if (!c->closed_by_pool || c->lc) {
      p = &c->next;
      continue;
    }
    *p = c->next;
    get_trace_free(c);
    free(c->held);
    free(c);
  }
}

/* Submits that found the output buffer full go again; 1 when one went. */
static int retry_blocked(get_app *app, get_conn *c) {
  get_request *list = c->blocked;
  c->blocked = NULL;
  int went = 0;
  while (list) {
    get_request *r = list;
    list = r->conn_next;
    get_submit(app, c, r, 0);
    went |= r->stream != 0;
  }
  return went;
}

void get_settle(get_app *app) {
  for (int progress = 1; progress;) {
    uint64_t events = app->events;
    progress = 0;
    get_checkout_more(app);
    h2e_pool_action a;
    while (h2e_pool_next_action(app->pool, &a) == 1) {
      do_action(app, &a);
      progress = 1;
    }
    for (get_conn *c = app->conns; c; c = c->next) {
      if (!c->closed_by_pool && c->blocked)
        progress |= retry_blocked(app, c);
      tunnel_pump(app, c);
    }
    progress |= app->events != events;
    for (get_conn *c = app->conns; c; c = c->next)
      if (c->dirty && c->lc) {
        c->dirty = 0;
        h2e_loop_drive(app->loop, c->lc);
        progress = 1;
      }
    free_closed_conns(app);
  }
}
