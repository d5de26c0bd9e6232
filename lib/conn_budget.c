/* The misbehaviour budget (RFC 9113 §10.5): one token bucket per
 * connection, drained by what costs us work and the peer nothing, refilled
 * by time. Streams reset at the peer's doing (CVE-2023-44487 "Rapid
 * Reset"), resets it provokes with bad frames (CVE-2025-8671), empty DATA
 * frames that end nothing (CVE-2019-9518), PINGs (CVE-2019-9512), SETTINGS
 * after the first (CVE-2019-9515) and near-empty CONTINUATION frames each
 * take a token. Defaults leave room for any browser. */
#include "conn.h"

#define MILLI 1000u

void h2e_conn_budget_init(h2e_conn *conn) {
  conn->reset_tokens = (uint64_t)conn->config.reset_burst * MILLI;
  conn->reset_refill_ms = conn->now_ms;
}

static void refill(h2e_conn *conn) {
  uint64_t elapsed = conn->now_ms - conn->reset_refill_ms;
  uint64_t full = (uint64_t)conn->config.reset_burst * MILLI;
  /* rate tokens per second = rate milli-tokens per millisecond */
  uint64_t gained = elapsed * conn->config.reset_rate_per_sec;
  conn->reset_tokens =
      gained >= full - conn->reset_tokens ? full : conn->reset_tokens + gained;
  conn->reset_refill_ms = conn->now_ms;
}

int h2e_conn_spend(h2e_conn *conn) {
  if (conn->config.reset_burst == 0)
    return 0;
  refill(conn);
  if (conn->reset_tokens >= MILLI) {
    conn->reset_tokens -= MILLI;
    return 0;
  }
  h2e_conn_fail(conn, H2E_ENHANCE_YOUR_CALM,
                "RFC 9113 §10.5: misbehaviour budget spent (resets, "
                "needless frames)");
  return -1;
}
