/* In-memory client/server pair (see conn_pair.h). */
#include "conn_pair.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const h2e_field pair_get_request[4] = {
    PAIR_FIELD(":method", "GET"), PAIR_FIELD(":scheme", "https"),
    PAIR_FIELD(":authority", "example.com"), PAIR_FIELD(":path", "/")};
const h2e_field pair_post_request[4] = {
    PAIR_FIELD(":method", "POST"), PAIR_FIELD(":scheme", "https"),
    PAIR_FIELD(":authority", "example.com"), PAIR_FIELD(":path", "/upload")};
const h2e_field pair_ok_response[2] = {
    PAIR_FIELD(":status", "200"), PAIR_FIELD("content-type", "text/plain")};

pair *pair_new(const h2e_config *client, const h2e_config *server) {
  return pair_new_with(client, server, NULL, NULL);
}

pair *pair_new_with(const h2e_config *client, const h2e_config *server,
                    const h2e_allocator *client_allocator,
                    const h2e_allocator *server_allocator) {
  pair *p = calloc(1, sizeof *p);
  assert_non_null(p);
  h2e_config cc, sc;
  h2e_config_init(&cc, H2E_CLIENT);
  h2e_config_init(&sc, H2E_SERVER);
  p->client.conn = h2e_conn_new(client ? client : &cc, client_allocator, 0);
  p->server.conn = h2e_conn_new(server ? server : &sc, server_allocator, 0);
  assert_non_null(p->client.conn);
  assert_non_null(p->server.conn);
  p->client.keep_log = p->server.keep_log = 1;
  return p;
}

void pair_free(pair *p) {
  h2e_conn_free(p->client.conn);
  h2e_conn_free(p->server.conn);
  for (int s = 0; s < 2; s++) {
    pair_side *side = s ? &p->server : &p->client;
    for (int i = 0; i < PAIR_STREAMS_MAX; i++)
      free(side->body[i]);
  }
  free(p);
}

static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t len) {
  if (len >= cap)
    len = cap - 1;
  memcpy(dst, src, len);
  dst[len] = 0;
}

static void record_headers(pair_event *r, const h2e_field *fields,
                           size_t count) {
  r->count = count;
  if (count > 0) {
    copy_str(r->name0, sizeof r->name0, fields[0].name, fields[0].name_len);
    copy_str(r->value0, sizeof r->value0, fields[0].value, fields[0].value_len);
  }
  for (size_t i = 0; i < count; i++)
    if (fields[i].name_len == 7 && memcmp(fields[i].name, ":status", 7) == 0)
      copy_str(r->status, sizeof r->status, fields[i].value,
               fields[i].value_len);
}

static void collect_data(pair_side *side, const h2e_event *ev) {
  uint32_t id = ev->stream_id;
  size_t len = ev->u.data.len;
  if (id < PAIR_STREAMS_MAX && len > 0) {
    if (side->body_len[id] + len > side->body_cap[id]) {
      size_t cap = (side->body_len[id] + len) * 2;
      side->body[id] = realloc(side->body[id], cap);
      side->body_cap[id] = cap;
    }
    memcpy(side->body[id] + side->body_len[id], ev->u.data.data, len);
    side->body_len[id] += len;
  }
  if (!side->no_consume)
    assert_int_equal(h2e_consume(side->conn, id, len), 0);
}

static void record(pair_side *side, const h2e_event *ev) {
  side->events_seen++;
  if (ev->type == H2E_EV_DATA)
    collect_data(side, ev);
  if (!side->keep_log || side->nlog == PAIR_LOG_MAX)
    return;
  pair_event *r = &side->log[side->nlog++];
  memset(r, 0, sizeof *r);
  r->type = ev->type;
  r->stream_id = ev->stream_id;
  switch (ev->type) {
  case H2E_EV_HEADERS:
    r->kind = ev->u.headers.kind;
    r->end_stream = ev->u.headers.end_stream;
    record_headers(r, ev->u.headers.fields, ev->u.headers.count);
    break;
  case H2E_EV_DATA:
    r->data_len = ev->u.data.len;
    r->end_stream = ev->u.data.end_stream;
    break;
  case H2E_EV_STREAM_RESET:
    r->code = ev->u.reset.error_code;
    r->by_peer = ev->u.reset.by_peer;
    r->retryable = ev->u.reset.retryable;
    break;
  case H2E_EV_PUSH_PROMISE:
    r->promised = ev->u.push_promise.promised_stream_id;
    record_headers(r, ev->u.push_promise.fields, ev->u.push_promise.count);
    break;
  case H2E_EV_GOAWAY:
    r->last_stream_id = ev->u.goaway.last_stream_id;
    r->code = ev->u.goaway.error_code;
    break;
  case H2E_EV_PING_ACK:
    r->rtt_ms = ev->u.ping_ack.rtt_ms;
    break;
  case H2E_EV_DATA_SENT:
    r->cookie = ev->u.data_sent.cookie;
    break;
  case H2E_EV_CONN_ERROR:
    r->code = ev->u.conn_error.error_code;
    r->by_peer = ev->u.conn_error.by_peer;
    break;
  default:
    break;
  }
}

void pair_pull(pair_side *side) {
  h2e_event ev;
  while (h2e_conn_next_event(side->conn, &ev) == 1)
    record(side, &ev);
}

/* The octets of one output vec (a file region is read with pread). */
static void append_vec(uint8_t **wire, size_t *len, size_t *cap,
                       const h2e_output_vec *vec) {
  if (*len + vec->len > *cap) {
    *cap = (*len + vec->len) * 2 + 1024;
    *wire = realloc(*wire, *cap);
  }
  if (vec->fd >= 0)
    assert_int_equal(pread(vec->fd, *wire + *len, vec->len, (off_t)vec->offset),
                     (ssize_t)vec->len);
  else if (vec->len)
    memcpy(*wire + *len, vec->base, vec->len);
  *len += vec->len;
}

static void feed(pair *p, pair_side *to, const uint8_t *wire, size_t len) {
  size_t pos = 0;
  int stalls = 0;
  while (pos < len) {
    ptrdiff_t n = h2e_conn_recv(to->conn, wire + pos, len - pos, p->now_ms);
    if (n == H2E_ERR_CONN_CLOSED)
      return;
    assert_true(n >= 0);
    pos += (size_t)n;
    pair_pull(to);
    if (n == 0) {
      /* Backpressure: the other side must drain our output first. */
      assert_true(++stalls < 1000);
      pair_transfer(p, to, to == &p->client ? &p->server : &p->client);
    }
  }
  pair_pull(to);
}

size_t pair_transfer(pair *p, pair_side *from, pair_side *to) {
  uint8_t *wire = NULL;
  size_t len = 0, cap = 0;
  h2e_output_vec vecs[64];
  size_t n;
  while ((n = h2e_conn_output(from->conn, vecs, 64)) > 0) {
    size_t before = len;
    for (size_t i = 0; i < n; i++)
      append_vec(&wire, &len, &cap, &vecs[i]);
    h2e_conn_output_done(from->conn, len - before);
    pair_pull(from);
  }
  from->wire_bytes += len;
  if (len)
    feed(p, to, wire, len);
  free(wire);
  return len;
}

int pair_pump(pair *p) {
  int rounds = 0;
  for (;;) {
    pair_pull(&p->client);
    pair_pull(&p->server);
    size_t moved = pair_transfer(p, &p->client, &p->server);
    moved += pair_transfer(p, &p->server, &p->client);
    if (moved == 0)
      return rounds;
    assert_true(++rounds < 100000);
  }
}

const pair_event *pair_find(const pair_side *side, h2e_event_type type,
                            uint32_t stream_id, size_t nth) {
  for (size_t i = 0; i < side->nlog; i++) {
    const pair_event *r = &side->log[i];
    if (r->type == type && (stream_id == 0 || r->stream_id == stream_id) &&
        nth-- == 0)
      return r;
  }
  return NULL;
}

size_t pair_count(const pair_side *side, h2e_event_type type,
                  uint32_t stream_id) {
  size_t n = 0;
  while (pair_find(side, type, stream_id, n))
    n++;
  return n;
}

void pair_clear_log(pair_side *side) {
  side->nlog = 0;
}
