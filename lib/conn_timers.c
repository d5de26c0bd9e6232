/* Timers, with time as an argument: the SETTINGS ACK deadline (RFC 9113
 * §6.5.3), keepalive PINGs after silence, the idle GOAWAY, and giving
 * back the large buffers of an idle connection. */
#include "conn.h"

static uint64_t min_u64(uint64_t a, uint64_t b) {
  return a < b ? a : b;
}

void h2e_conn_note_idle(h2e_conn *conn) {
  conn->idle_since_ms = conn->now_ms;
}

/* When the keepalive logic next needs to run: the PING's deadline while
 * one is out, else the end of the allowed silence. */
static uint64_t keepalive_deadline(const h2e_conn *conn) {
  uint64_t interval = conn->config.keepalive_ms;
  if (interval == 0)
    return UINT64_MAX;
  uint64_t sent_ms;
  if (h2e_conn_ping_outstanding(conn, H2E_PING_KEEPALIVE, &sent_ms))
    return sent_ms + interval;
  uint64_t since = conn->last_recv_ms > conn->keepalive_tried_ms
                       ? conn->last_recv_ms
                       : conn->keepalive_tried_ms;
  return since + interval;
}

static uint64_t idle_deadline(const h2e_conn *conn) {
  if (conn->config.idle_timeout_ms == 0 || conn->streams.count > 0 ||
      conn->goaway_sent)
    return UINT64_MAX;
  return conn->idle_since_ms + conn->config.idle_timeout_ms;
}

uint64_t h2e_conn_deadline(const h2e_conn *conn) {
  if (conn == NULL || h2e_conn_finished(conn))
    return UINT64_MAX;
  return min_u64(min_u64(h2e_conn_settings_deadline(conn),
                         h2e_conn_buffers_deadline(conn)),
                 min_u64(keepalive_deadline(conn), idle_deadline(conn)));
}

/* 1 when it acted: a PING queued, or the connection failed. */
static int run_keepalive(h2e_conn *conn, uint64_t now_ms) {
  if (keepalive_deadline(conn) > now_ms)
    return 0;
  uint64_t sent_ms;
  if (h2e_conn_ping_outstanding(conn, H2E_PING_KEEPALIVE, &sent_ms)) {
    /* No answer for a whole interval: the peer or the path is gone. */
    h2e_conn_fail(conn, H2E_NO_ERROR, "h2e: keepalive PING not answered");
    return 1;
  }
  /* If no PING can go now (output full, our PINGs all out), the next try
   * is an interval away: the deadline must not stay in the past. */
  conn->keepalive_tried_ms = now_ms;
  h2e_conn_send_engine_ping(conn, H2E_PING_KEEPALIVE);
  return 1;
}

int h2e_conn_tick(h2e_conn *conn, uint64_t now_ms) {
  if (conn == NULL || h2e_conn_finished(conn))
    return 0;
  conn->now_ms = now_ms;
  if (h2e_conn_settings_deadline(conn) <= now_ms) {
    /* RFC 9113 §6.5.3: no ACK in time, connection error SETTINGS_TIMEOUT. */
    h2e_conn_fail(conn, H2E_SETTINGS_TIMEOUT,
                  "RFC 9113 §6.5.3: SETTINGS not acknowledged in time");
    return 1;
  }
  int acted = run_keepalive(conn, now_ms);
  h2e_conn_slices_end(conn);
  h2e_conn_buffers_release_idle(conn);
  if (!conn->failed && idle_deadline(conn) <= now_ms) {
    h2e_conn_queue_goaway(conn, conn->last_peer_id, H2E_NO_ERROR,
                          "idle timeout");
    conn->goaway_sent = H2E_GOAWAY_FINAL;
    acted = 1;
  }
  return acted;
}
