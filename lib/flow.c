/* Flow-control window arithmetic and WINDOW_UPDATE policy (see flow.h). */
#include "flow.h"

#include "h2e_frame.h"

int h2e_flow_window_add(int64_t *window, int64_t delta) {
  /* RFC 9113 §6.9.1: a sender MUST NOT allow a window above 2^31-1. */
  if (*window + delta > (int64_t)H2E_MAX_WINDOW_SIZE)
    return H2E_ERR_FLOW_CONTROL;
  *window += delta;
  return H2E_OK;
}

static uint64_t min_u64(uint64_t a, uint64_t b) {
  return a < b ? a : b;
}

uint32_t h2e_flow_send_allowance(int64_t stream_window, int64_t conn_window,
                                 uint32_t max_frame_size, uint64_t wanted) {
  /* RFC 9113 §6.9.1: within both windows; §4.2: within the frame size. */
  if (stream_window <= 0 || conn_window <= 0)
    return 0;
  uint64_t allowed = min_u64((uint64_t)stream_window, (uint64_t)conn_window);
  allowed = min_u64(allowed, max_frame_size);
  return (uint32_t)min_u64(allowed, wanted);
}

void h2e_flow_recv_init(h2e_flow_recv *flow, uint32_t size) {
  flow->window = size;
  flow->size = size;
  flow->unannounced = 0;
}

int h2e_flow_recv_take(h2e_flow_recv *flow, uint32_t len) {
  /* RFC 9113 §6.9.1: the sender MUST NOT exceed the window. */
  if ((int64_t)len > flow->window)
    return H2E_ERR_FLOW_CONTROL;
  flow->window -= len;
  return H2E_OK;
}

void h2e_flow_recv_credit(h2e_flow_recv *flow, uint64_t len) {
  uint64_t credit = flow->unannounced + len;
  flow->unannounced =
      credit > H2E_MAX_WINDOW_SIZE ? H2E_MAX_WINDOW_SIZE : (uint32_t)credit;
}

uint32_t h2e_flow_recv_update_due(const h2e_flow_recv *flow, uint32_t percent) {
  uint64_t threshold = (uint64_t)flow->size * percent / 100;
  if (flow->unannounced == 0 || flow->unannounced < threshold)
    return 0;
  /* RFC 9113 §6.9.1: the window we open must stay within 2^31-1. */
  int64_t room = (int64_t)H2E_MAX_WINDOW_SIZE - flow->window;
  if (room <= 0)
    return 0;
  return (uint32_t)min_u64(flow->unannounced, (uint64_t)room);
}

void h2e_flow_recv_announce(h2e_flow_recv *flow, uint32_t increment) {
  flow->window += increment;
  flow->unannounced -= increment;
}

void h2e_flow_recv_resize(h2e_flow_recv *flow, uint32_t size) {
  flow->window += (int64_t)size - (int64_t)flow->size;
  flow->size = size;
}
