/* Flow-control windows (RFC 9113 §5.2, §6.9): the arithmetic and the
 * WINDOW_UPDATE batching policy, for a stream or the connection alike.
 *
 * A send window is what the peer lets us send; it may go negative after
 * a SETTINGS_INITIAL_WINDOW_SIZE decrease (§6.9.2). A receive window is
 * what we let the peer send: DATA takes from it, the application gives
 * credit back, and credit is announced in WINDOW_UPDATE frames once
 * enough has accumulated (RFC 9113 §6.9.1 advises against tiny
 * increments). */
#ifndef H2E_FLOW_H
#define H2E_FLOW_H

#include "h2e_base.h"

typedef struct h2e_flow_recv {
  int64_t window;       /* octets the peer may still send */
  uint32_t size;        /* the window we aim to keep open */
  uint32_t unannounced; /* credit returned but not yet in a WINDOW_UPDATE */
} h2e_flow_recv;

/* Adds delta to a send window. RFC 9113 §6.9.1: a window above 2^31-1 is
 * a FLOW_CONTROL_ERROR; returns H2E_ERR_FLOW_CONTROL and leaves the
 * window unchanged then. */
int h2e_flow_window_add(int64_t *window, int64_t delta);

/* How many octets of a body the windows let go in one DATA frame. */
uint32_t h2e_flow_send_allowance(int64_t stream_window, int64_t conn_window,
                                 uint32_t max_frame_size, uint64_t wanted);

void h2e_flow_recv_init(h2e_flow_recv *flow, uint32_t size);

/* A flow-controlled frame of len octets arrived. RFC 9113 §6.9.1: more
 * than the window is a FLOW_CONTROL_ERROR (H2E_ERR_FLOW_CONTROL, window
 * unchanged). */
int h2e_flow_recv_take(h2e_flow_recv *flow, uint32_t len);

/* len octets were used up: they become credit to announce. */
void h2e_flow_recv_credit(h2e_flow_recv *flow, uint64_t len);

/* The increment to announce now, or 0: the credit once it reaches
 * `percent` percent of the window size, capped so the window stays
 * within 2^31-1. */
uint32_t h2e_flow_recv_update_due(const h2e_flow_recv *flow, uint32_t percent);

/* A WINDOW_UPDATE with this increment is on its way. */
void h2e_flow_recv_announce(h2e_flow_recv *flow, uint32_t increment);

/* Our SETTINGS_INITIAL_WINDOW_SIZE changed (RFC 9113 §6.9.2): the window
 * and its target move by the difference. */
void h2e_flow_recv_resize(h2e_flow_recv *flow, uint32_t size);

#endif
