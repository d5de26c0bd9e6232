/* PING (RFC 9113 §6.7): the peer's answered at once, ours matched with
 * their ACKs (user pings report the round trip; keepalive and graceful
 * shutdown pings drive their own logic). */
#include "conn.h"
#include "conn_sizes.h"

#include <string.h>

static int queue_ping(h2e_conn *conn, const uint8_t opaque[8], uint8_t flags) {
  int answer = (flags & H2E_FLAG_ACK) != 0;
  uint8_t *p = h2e_conn_ctrl_reserve(conn, 17, answer);
  if (p == NULL)
    return H2E_ERR_WOULDBLOCK;
  h2e_frame_write_header(p, 8, H2E_FRAME_PING, flags, 0);
  memcpy(p + H2E_FRAME_HEADER_LEN, opaque, 8);
  h2e_conn_ctrl_commit(conn, 17, answer);
  return H2E_OK;
}

int h2e_conn_send_ping(h2e_conn *conn, const uint8_t opaque[8],
                       h2e_ping_kind kind) {
  if (conn->ping_count == H2E_PINGS_MAX)
    return H2E_ERR_WOULDBLOCK;
  if (h2e_conn_awaited_take(conn) != 0)
    return H2E_ERR_NOMEM;
  int rc = queue_ping(conn, opaque, 0);
  if (rc != H2E_OK)
    return rc;
  h2e_ping_out *ping =
      &conn->awaited
           ->pings[(conn->ping_head + conn->ping_count++) % H2E_PINGS_MAX];
  memcpy(ping->opaque, opaque, 8);
  ping->kind = (uint8_t)kind;
  ping->sent_ms = conn->now_ms;
  return H2E_OK;
}

/* Our own opaque data for engine pings: a counter. */
int h2e_conn_send_engine_ping(h2e_conn *conn, h2e_ping_kind kind) {
  uint8_t opaque[8];
  uint64_t n = ++conn->ping_counter;
  for (int i = 7; i >= 0; i--, n >>= 8)
    opaque[i] = (uint8_t)n;
  return h2e_conn_send_ping(conn, opaque, kind);
}

int h2e_conn_ping_outstanding(const h2e_conn *conn, h2e_ping_kind kind,
                              uint64_t *sent_ms) {
  for (uint32_t i = 0; i < conn->ping_count; i++) {
    const h2e_ping_out *ping =
        &conn->awaited->pings[(conn->ping_head + i) % H2E_PINGS_MAX];
    if (ping->kind == kind) {
      *sent_ms = ping->sent_ms;
      return 1;
    }
  }
  return 0;
}

/* Takes the outstanding ping with this opaque data (and the ones sent
 * before it, which the peer has passed over); 0 when none matches. */
static int take_ping(h2e_conn *conn, const uint8_t opaque[8],
                     h2e_ping_out *out) {
  for (uint32_t i = 0; i < conn->ping_count; i++) {
    h2e_ping_out *ping =
        &conn->awaited->pings[(conn->ping_head + i) % H2E_PINGS_MAX];
    if (memcmp(ping->opaque, opaque, 8) == 0) {
      *out = *ping;
      conn->ping_head = (conn->ping_head + i + 1) % H2E_PINGS_MAX;
      conn->ping_count -= i + 1;
      return 1;
    }
  }
  return 0;
}

static void recv_ack(h2e_conn *conn, const uint8_t opaque[8]) {
  h2e_ping_out ping;
  /* RFC 9113 §6.7: an ACK we did not ask for carries no meaning. */
  if (!take_ping(conn, opaque, &ping))
    return;
  if (ping.kind == H2E_PING_GOAWAY) {
    h2e_conn_goaway_ping_acked(conn);
    return;
  }
  if (ping.kind != H2E_PING_USER)
    return;
  h2e_event *ev = h2e_conn_event_push(conn, H2E_EV_PING_ACK, 0);
  if (ev) {
    memcpy(ev->u.ping_ack.opaque_data, opaque, 8);
    ev->u.ping_ack.rtt_ms = conn->now_ms - ping.sent_ms;
  }
}

void h2e_conn_recv_ping(h2e_conn *conn, const h2e_frame *frame) {
  if (frame->hd.flags & H2E_FLAG_ACK) {
    recv_ack(conn, frame->u.ping.opaque_data);
    return;
  }
  /* RFC 9113 §10.5: every PING costs us an answer; a stream of them is
   * drawn on the misbehaviour budget (CVE-2019-9512). */
  if (h2e_conn_spend(conn) < 0)
    return;
  /* RFC 9113 §6.7: answer with the same payload and the ACK flag. */
  if (queue_ping(conn, frame->u.ping.opaque_data, H2E_FLAG_ACK) != H2E_OK)
    h2e_conn_fail(conn, H2E_INTERNAL_ERROR, "h2e: no room for PING ACK");
}

int h2e_submit_ping(h2e_conn *conn, const uint8_t opaque_data[8],
                    uint64_t now_ms) {
  if (conn == NULL || opaque_data == NULL)
    return H2E_ERR_INVALID_ARG;
  if (h2e_conn_terminal(conn))
    return H2E_ERR_CONN_CLOSED;
  conn->now_ms = now_ms;
  return h2e_conn_send_ping(conn, opaque_data, H2E_PING_USER);
}
