/* CONNECT tunnels (RFC 9113 §8.5) and extended CONNECT (RFC 8441): a
 * CONNECT stream's DATA is a byte stream both ways. The scripted peer
 * checks the exact frames; then a whole inner HTTP/2 connection (an h2e
 * client and an h2e server) runs over the DATA of a CONNECT stream
 * between two outer h2e engines, forwarded without copies: the pattern
 * include/h2e.h describes ("tunnels"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peer.h"

static const h2e_field connect_request[2] = {
    PEER_FIELD(":method", "CONNECT"),
    PEER_FIELD(":authority", "inner.example:443")};
static const h2e_field extended_connect[5] = {
    PEER_FIELD(":method", "CONNECT"), PEER_FIELD(":protocol", "h2e-tunnel"),
    PEER_FIELD(":scheme", "https"), PEER_FIELD(":path", "/tunnel"),
    PEER_FIELD(":authority", "example.com")};
static const h2e_field status_200[1] = {PEER_FIELD(":status", "200")};

/* ---- scripted peer ---------------------------------------------------------
 */

static void test_8_5_server_tunnel_carries_data_both_ways(void **state) {
  peer *p = peer_start(state, H2E_SERVER, NULL);
  peer_send_headers(p, 1, 0, connect_request, 2);
  peer_expect_headers_event(p, 1, H2E_HEADERS_REQUEST, 0, connect_request, 2);
  peer_submit_status(p, 1, "200", 0); /* 2xx: the tunnel is open */
  peer_expect_headers(p, 1, 0, status_200, 1);
  for (int round = 0; round < 3; round++) {
    peer_send_data(p, 1, 0, p->body, 1000);
    peer_expect_data_event(p, 1, 0, 1000, 0);
    assert_int_equal(h2e_consume(p->conn, 1, 1000), H2E_OK);
    peer_submit_body(p, 1, 0, 700, 0, (uint64_t)round);
    peer_expect_data(p, 1, 0, p->body, 700);
    peer_expect_event(p, H2E_EV_DATA_SENT, 1);
  }
  assert_int_equal(h2e_stream_get_state(p->conn, 1), H2E_STATE_OPEN);
  /* Each side closes its half with END_STREAM (§8.5: a TCP FIN). */
  peer_send_data(p, 1, PEER_END_STREAM, NULL, 0);
  peer_expect_data_event(p, 1, 0, 0, 1);
  peer_submit_body(p, 1, 0, 0, H2E_END_STREAM, 9);
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, NULL, 0);
  peer_expect_two_events(p, H2E_EV_DATA_SENT, 1, H2E_EV_STREAM_CLOSED, 1);
}

static void test_8_5_client_tunnel_carries_data_both_ways(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  int32_t id = h2e_submit_request(p->conn, connect_request, 2, 0);
  assert_int_equal(id, 1);
  peer_expect_headers(p, 1, 0, connect_request, 2);
  peer_send_response(p, 1, "200", 0);
  peer_expect_headers_event(p, 1, H2E_HEADERS_RESPONSE, 0, status_200, 1);
  peer_submit_body(p, 1, 0, 5000, 0, 1);
  peer_expect_data(p, 1, 0, p->body, 5000);
  peer_expect_event(p, H2E_EV_DATA_SENT, 1);
  peer_send_data(p, 1, 0, p->body, 3000);
  peer_expect_data_event(p, 1, 0, 3000, 0);
  assert_int_equal(h2e_stream_get_state(p->conn, 1), H2E_STATE_OPEN);
  /* RFC 9113 §8.5: a TCP error on the proxy's side is CONNECT_ERROR. */
  peer_send_rst_stream(p, 1, H2E_CONNECT_ERROR);
  peer_expect_reset_event(p, 1, H2E_CONNECT_ERROR, 1);
}

/* RFC 8441 §3, §4: :protocol only once the server said
 * SETTINGS_ENABLE_CONNECT_PROTOCOL=1. */
static void test_8441_4_extended_connect_needs_the_setting(void **state) {
  peer *p = peer_start(state, H2E_CLIENT, NULL);
  assert_int_equal(h2e_submit_request(p->conn, extended_connect, 5, 0),
                   H2E_ERR_CONNECT_PROTOCOL_DISABLED);
  peer_expect_no_frame(p);
  /* An explicit 0 is the same. */
  peer_send_setting(p, H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL, 0);
  peer_expect_settings_ack(p);
  peer_expect_event(p, H2E_EV_SETTINGS, 0);
  assert_int_equal(h2e_submit_request(p->conn, extended_connect, 5, 0),
                   H2E_ERR_CONNECT_PROTOCOL_DISABLED);
  /* A plain CONNECT needs nothing; no stream id was spent above. */
  assert_int_equal(h2e_submit_request(p->conn, connect_request, 2, 0), 1);
  peer_expect_headers(p, 1, 0, connect_request, 2);
  peer_expect_no_frame(p);
}

static void test_8441_4_extended_connect_after_the_setting(void **state) {
  peer *p = peer_new(state, H2E_CLIENT, NULL);
  static const h2e_setting enable[1] = {
      {H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1}};
  peer_handshake(p, enable, 1);
  int32_t id = h2e_submit_request(p->conn, extended_connect, 5, 0);
  assert_int_equal(id, 1);
  peer_expect_headers(p, 1, 0, extended_connect, 5);
  peer_send_response(p, 1, "200", 0);
  peer_expect_headers_event(p, 1, H2E_HEADERS_RESPONSE, 0, status_200, 1);
  peer_send_data(p, 1, 0, p->body, 10);
  peer_expect_data_event(p, 1, 0, 10, 0);
  peer_submit_body(p, 1, 0, 10, H2E_END_STREAM, 1);
  peer_expect_data(p, 1, H2E_FLAG_END_STREAM, p->body, 10);
}

/* ---- an h2e connection inside a CONNECT stream -----------------------------
 */

#define WIRE_CAP  (1u << 20)
#define INNER_MAX 16 /* vecs of inner output handed to the outer at once */

/* One end of the tunnel: an outer engine, the inner engine whose bytes
 * its CONNECT stream carries, and the inner output the outer engine
 * still references. */
typedef struct tunnel_end {
  h2e_conn *outer;
  h2e_conn *inner;
  uint32_t stream; /* the CONNECT stream, once it carries bytes */
  size_t handed;   /* inner output octets submitted as outer DATA */
  size_t unsent;   /* DATA entries not yet released (DATA_SENT) */
  /* inner application */
  uint8_t *body; /* what the inner client received */
  size_t body_len;
  int done; /* inner client: response complete; server: answered */
} tunnel_end;

typedef struct tunnel {
  tunnel_end client, server;
  uint8_t *wire; /* outer bytes in flight */
  uint64_t now_ms;
  int extended;
} tunnel;

static uint8_t response_body[200000];

/* Hands the inner engine's output to the outer CONNECT stream, by
 * reference: the vecs stay valid until h2e_conn_output_done, which waits
 * for the outer engine to release every one of them (DATA_SENT). */
static void forward_inner_output(tunnel_end *end) {
  if (end->stream == 0 || end->handed != 0)
    return;
  h2e_output_vec vecs[INNER_MAX];
  size_t k = h2e_conn_output(end->inner, vecs, INNER_MAX);
  for (size_t i = 0; i < k; i++) {
    assert_int_equal(vecs[i].fd, -1);
    int rc = h2e_submit_data(end->outer, end->stream, vecs[i].base, vecs[i].len,
                             0, vecs[i].len);
    if (rc == H2E_ERR_WOULDBLOCK)
      break; /* the rest comes again with the next h2e_conn_output */
    assert_int_equal(rc, H2E_OK);
    end->handed += vecs[i].len;
    end->unsent++;
  }
}

static void inner_server_event(tunnel_end *end, const h2e_event *ev) {
  if (ev->type != H2E_EV_HEADERS)
    return;
  assert_int_equal(ev->u.headers.kind, H2E_HEADERS_REQUEST);
  static const h2e_field ok[2] = {PEER_FIELD(":status", "200"),
                                  PEER_FIELD("server", "inner")};
  assert_int_equal(h2e_submit_headers(end->inner, ev->stream_id, ok, 2, 0),
                   H2E_OK);
  assert_int_equal(h2e_submit_data(end->inner, ev->stream_id, response_body,
                                   sizeof response_body, H2E_END_STREAM, 1),
                   H2E_OK);
  end->done = 1;
}

static void inner_client_event(tunnel_end *end, const h2e_event *ev) {
  if (ev->type == H2E_EV_HEADERS) {
    assert_int_equal(ev->u.headers.kind, H2E_HEADERS_RESPONSE);
    assert_memory_equal(ev->u.headers.fields[0].value, "200", 3);
  } else if (ev->type == H2E_EV_DATA) {
    memcpy(end->body + end->body_len, ev->u.data.data, ev->u.data.len);
    end->body_len += ev->u.data.len;
    assert_int_equal(h2e_consume(end->inner, ev->stream_id, ev->u.data.len),
                     H2E_OK);
  } else if (ev->type == H2E_EV_STREAM_CLOSED) {
    end->done = 1;
  } else {
    assert_true(ev->type == H2E_EV_SETTINGS || ev->type == H2E_EV_SETTINGS_ACK);
  }
}

static void pull_inner(tunnel *t, tunnel_end *end) {
  h2e_event ev;
  while (h2e_conn_next_event(end->inner, &ev) == 1) {
    if (end == &t->server)
      inner_server_event(end, &ev);
    else
      inner_client_event(end, &ev);
  }
}

/* Tunnel bytes from the outer stream go straight into the inner engine
 * (the outer event's slice of the outer input, no copy). When the inner
 * engine takes less, its events are pulled and its output moved on, and
 * the rest is fed again before the outer engine reads anything more. The
 * outer window is credited only for what the inner engine took. */
static void deliver_to_inner(tunnel *t, tunnel_end *end, const h2e_event *ev) {
  size_t pos = 0;
  for (int tries = 0; pos < ev->u.data.len; tries++) {
    assert_true(tries < 100);
    ptrdiff_t n = h2e_conn_recv(end->inner, ev->u.data.data + pos,
                                ev->u.data.len - pos, t->now_ms);
    assert_true(n >= 0);
    assert_int_equal(h2e_consume(end->outer, end->stream, (size_t)n), H2E_OK);
    pos += (size_t)n;
    pull_inner(t, end);
    forward_inner_output(end);
  }
}

static void outer_server_headers(tunnel *t, tunnel_end *end,
                                 const h2e_event *ev) {
  assert_int_equal(ev->u.headers.kind, H2E_HEADERS_REQUEST);
  assert_int_equal(ev->u.headers.end_stream, 0);
  assert_memory_equal(ev->u.headers.fields[0].value, "CONNECT", 7);
  assert_int_equal(ev->u.headers.count, t->extended ? 5 : 2);
  assert_int_equal(
      h2e_submit_headers(end->outer, ev->stream_id, status_200, 1, 0), H2E_OK);
  end->stream = ev->stream_id;
}

static void pull_outer(tunnel *t, tunnel_end *end) {
  h2e_event ev;
  while (h2e_conn_next_event(end->outer, &ev) == 1) {
    switch (ev.type) {
    case H2E_EV_HEADERS:
      if (end == &t->server) {
        outer_server_headers(t, end, &ev);
      } else {
        assert_int_equal(ev.u.headers.kind, H2E_HEADERS_RESPONSE);
        end->stream = ev.stream_id; /* 2xx: the tunnel is open */
      }
      break;
    case H2E_EV_DATA:
      deliver_to_inner(t, end, &ev);
      break;
    case H2E_EV_DATA_SENT:
      /* The cookie is the vec's length; once all are out, the inner
       * engine may reuse its output memory. */
      if (--end->unsent == 0) {
        h2e_conn_output_done(end->inner, end->handed);
        end->handed = 0;
      }
      break;
    case H2E_EV_SETTINGS:
    case H2E_EV_SETTINGS_ACK:
    case H2E_EV_WINDOW_OPEN:
      break;
    default:
      fail_msg("outer event %d on stream %u", ev.type, ev.stream_id);
    }
  }
}

/* Outer engine output into the other outer engine (the real transport),
 * pulling events as they come so recv always makes progress. */
static size_t outer_transfer(tunnel *t, tunnel_end *from, tunnel_end *to) {
  h2e_output_vec vecs[64];
  size_t len = 0, k;
  while ((k = h2e_conn_output(from->outer, vecs, 64)) > 0) {
    size_t batch = 0;
    for (size_t i = 0; i < k; i++) {
      assert_true(len + vecs[i].len <= WIRE_CAP);
      memcpy(t->wire + len, vecs[i].base, vecs[i].len);
      len += vecs[i].len;
      batch += vecs[i].len;
    }
    h2e_conn_output_done(from->outer, batch);
  }
  pull_outer(t, from); /* DATA_SENT of what just went */
  for (size_t pos = 0; pos < len;) {
    ptrdiff_t n = h2e_conn_recv(to->outer, t->wire + pos, len - pos, t->now_ms);
    assert_true(n >= 0);
    pos += (size_t)n;
    pull_outer(t, to);
  }
  return len;
}

static h2e_conn *engine(h2e_role role, int connect_protocol) {
  h2e_config config;
  h2e_config_init(&config, role);
  config.enable_connect_protocol = (uint32_t)connect_protocol;
  h2e_conn *conn = h2e_conn_new(&config, NULL, 0);
  assert_non_null(conn);
  return conn;
}

static void run_tunnel(int extended) {
  tunnel *t = calloc(1, sizeof *t);
  assert_non_null(t);
  t->extended = extended;
  t->wire = malloc(WIRE_CAP);
  t->client.body = malloc(sizeof response_body);
  for (size_t i = 0; i < sizeof response_body; i++)
    response_body[i] = (uint8_t)(i * 13 + 5);
  t->client.outer = engine(H2E_CLIENT, 0);
  t->server.outer = engine(H2E_SERVER, extended);
  t->client.inner = engine(H2E_CLIENT, 0);
  t->server.inner = engine(H2E_SERVER, 0);
  /* The outer handshake first: extended CONNECT needs the server's
   * SETTINGS (RFC 8441 §3). */
  outer_transfer(t, &t->client, &t->server);
  outer_transfer(t, &t->server, &t->client);
  int32_t id = h2e_submit_request(t->client.outer,
                                  extended ? extended_connect : connect_request,
                                  extended ? 5 : 2, 0);
  assert_int_equal(id, 1);
  static const h2e_field get[4] = {
      PEER_FIELD(":method", "GET"), PEER_FIELD(":scheme", "https"),
      PEER_FIELD(":authority", "inner.example"), PEER_FIELD(":path", "/big")};
  assert_int_equal(h2e_submit_request(t->client.inner, get, 4, H2E_END_STREAM),
                   1);
  for (int round = 0; round < 1000 && !t->client.done; round++) {
    forward_inner_output(&t->client);
    forward_inner_output(&t->server);
    size_t moved = outer_transfer(t, &t->client, &t->server);
    moved += outer_transfer(t, &t->server, &t->client);
    assert_true(moved > 0 || t->client.done);
  }
  assert_true(t->client.done);
  assert_true(t->server.done);
  assert_int_equal(t->client.body_len, sizeof response_body);
  assert_memory_equal(t->client.body, response_body, sizeof response_body);
  /* The tunnel stays open on the outer connection. */
  assert_int_equal(h2e_stream_get_state(t->client.outer, 1), H2E_STATE_OPEN);
  assert_int_equal(h2e_stream_get_state(t->server.outer, 1), H2E_STATE_OPEN);
  h2e_conn_free(t->client.outer);
  h2e_conn_free(t->server.outer);
  h2e_conn_free(t->client.inner);
  h2e_conn_free(t->server.inner);
  free(t->client.body);
  free(t->wire);
  free(t);
}

static void test_8_5_h2_connection_through_a_connect_tunnel(void **state) {
  (void)state;
  run_tunnel(0);
}

static void
test_8441_h2_connection_through_an_extended_connect_tunnel(void **state) {
  (void)state;
  run_tunnel(1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      PEER_TEST(test_8_5_server_tunnel_carries_data_both_ways),
      PEER_TEST(test_8_5_client_tunnel_carries_data_both_ways),
      PEER_TEST(test_8441_4_extended_connect_needs_the_setting),
      PEER_TEST(test_8441_4_extended_connect_after_the_setting),
      cmocka_unit_test(test_8_5_h2_connection_through_a_connect_tunnel),
      cmocka_unit_test(
          test_8441_h2_connection_through_an_extended_connect_tunnel),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
