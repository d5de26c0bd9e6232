/* RFC 9113 §5.1: the stream state machine, one row per state, one column
 * per input. Read it against Figure 2 and the state descriptions of §5.1;
 * a pair missing from the table is, for what we receive, a connection
 * error PROTOCOL_ERROR (§5.1, last paragraphs) and, for what we send, not
 * allowed. */
#include "stream.h"

#define GO(state)                                                              \
  { H2E_SO_OK, H2E_SS_##state }
#define IGNORE(state)                                                          \
  { H2E_SO_IGNORE, H2E_SS_##state }
#define STREAM_CLOSED(state)                                                   \
  { H2E_SO_STREAM_CLOSED, H2E_SS_##state }
#define CONN_STREAM_CLOSED(state)                                              \
  { H2E_SO_CONN_STREAM_CLOSED, H2E_SS_##state }

static const h2e_transition transitions[H2E_SS_COUNT][H2E_SI_COUNT] = {
    /* idle: send/recv H -> open; send/recv PP -> reserved; PRIORITY is
     * allowed; any other frame received is PROTOCOL_ERROR. */
    [H2E_SS_IDLE] =
        {
            [H2E_SI_SEND_HEADERS] = GO(OPEN),
            [H2E_SI_SEND_PROMISE] = GO(RESERVED_LOCAL),
            [H2E_SI_RECV_HEADERS] = GO(OPEN),
            [H2E_SI_RECV_PROMISE] = GO(RESERVED_REMOTE),
            [H2E_SI_RECV_PRIORITY] = GO(IDLE),
        },
    /* reserved (local): send H -> half-closed (remote); R either way ->
     * closed; PRIORITY and WINDOW_UPDATE may be received. */
    [H2E_SS_RESERVED_LOCAL] =
        {
            [H2E_SI_SEND_HEADERS] = GO(HALF_CLOSED_REMOTE),
            [H2E_SI_SEND_RST] = GO(CLOSED_RESET_SENT),
            [H2E_SI_RECV_RST] = GO(CLOSED_RESET_RECV),
            [H2E_SI_RECV_PRIORITY] = GO(RESERVED_LOCAL),
            [H2E_SI_RECV_WINDOW_UPDATE] = GO(RESERVED_LOCAL),
        },
    /* reserved (remote): recv H -> half-closed (local); R either way ->
     * closed; PRIORITY may be received. */
    [H2E_SS_RESERVED_REMOTE] =
        {
            [H2E_SI_SEND_RST] = GO(CLOSED_RESET_SENT),
            [H2E_SI_RECV_HEADERS] = GO(HALF_CLOSED_LOCAL),
            [H2E_SI_RECV_RST] = GO(CLOSED_RESET_RECV),
            [H2E_SI_RECV_PRIORITY] = GO(RESERVED_REMOTE),
        },
    /* open: any frame both ways; ES -> half-closed; R -> closed. A
     * server's PUSH_PROMISE goes on an open or half-closed (remote)
     * stream of the client's (§6.6, §8.4). */
    [H2E_SS_OPEN] =
        {
            [H2E_SI_SEND_HEADERS] = GO(OPEN),
            [H2E_SI_SEND_DATA] = GO(OPEN),
            [H2E_SI_SEND_END_STREAM] = GO(HALF_CLOSED_LOCAL),
            [H2E_SI_SEND_PUSH_PROMISE] = GO(OPEN),
            [H2E_SI_SEND_RST] = GO(CLOSED_RESET_SENT),
            [H2E_SI_RECV_HEADERS] = GO(OPEN),
            [H2E_SI_RECV_PUSH_PROMISE] = GO(OPEN),
            [H2E_SI_RECV_DATA] = GO(OPEN),
            [H2E_SI_RECV_END_STREAM] = GO(HALF_CLOSED_REMOTE),
            [H2E_SI_RECV_RST] = GO(CLOSED_RESET_RECV),
            [H2E_SI_RECV_PRIORITY] = GO(OPEN),
            [H2E_SI_RECV_WINDOW_UPDATE] = GO(OPEN),
        },
    /* half-closed (local): we send only WINDOW_UPDATE, PRIORITY, R; any
     * frame may be received; recv ES or R either way -> closed. */
    [H2E_SS_HALF_CLOSED_LOCAL] =
        {
            [H2E_SI_SEND_RST] = GO(CLOSED_RESET_SENT),
            [H2E_SI_RECV_HEADERS] = GO(HALF_CLOSED_LOCAL),
            [H2E_SI_RECV_PUSH_PROMISE] = GO(HALF_CLOSED_LOCAL),
            [H2E_SI_RECV_DATA] = GO(HALF_CLOSED_LOCAL),
            [H2E_SI_RECV_END_STREAM] = GO(CLOSED),
            [H2E_SI_RECV_RST] = GO(CLOSED_RESET_RECV),
            [H2E_SI_RECV_PRIORITY] = GO(HALF_CLOSED_LOCAL),
            [H2E_SI_RECV_WINDOW_UPDATE] = GO(HALF_CLOSED_LOCAL),
        },
    /* half-closed (remote): we send anything; send ES or R either way ->
     * closed; frames received other than WINDOW_UPDATE, PRIORITY, R are
     * a stream error STREAM_CLOSED (§6.6: PUSH_PROMISE a connection
     * PROTOCOL_ERROR, the default). */
    [H2E_SS_HALF_CLOSED_REMOTE] =
        {
            [H2E_SI_SEND_HEADERS] = GO(HALF_CLOSED_REMOTE),
            [H2E_SI_SEND_DATA] = GO(HALF_CLOSED_REMOTE),
            [H2E_SI_SEND_END_STREAM] = GO(CLOSED),
            [H2E_SI_SEND_PUSH_PROMISE] = GO(HALF_CLOSED_REMOTE),
            [H2E_SI_SEND_RST] = GO(CLOSED_RESET_SENT),
            [H2E_SI_RECV_HEADERS] = STREAM_CLOSED(HALF_CLOSED_REMOTE),
            [H2E_SI_RECV_DATA] = STREAM_CLOSED(HALF_CLOSED_REMOTE),
            [H2E_SI_RECV_RST] = GO(CLOSED_RESET_RECV),
            [H2E_SI_RECV_PRIORITY] = GO(HALF_CLOSED_REMOTE),
            [H2E_SI_RECV_WINDOW_UPDATE] = GO(HALF_CLOSED_REMOTE),
        },
    /* closed after END_STREAM both ways: WINDOW_UPDATE and R may still
     * arrive and are ignored, PRIORITY too; DATA is a stream error
     * STREAM_CLOSED (§6.1); HEADERS a connection error STREAM_CLOSED. */
    [H2E_SS_CLOSED] =
        {
            [H2E_SI_RECV_HEADERS] = CONN_STREAM_CLOSED(CLOSED),
            [H2E_SI_RECV_DATA] = STREAM_CLOSED(CLOSED),
            [H2E_SI_RECV_RST] = IGNORE(CLOSED),
            [H2E_SI_RECV_PRIORITY] = IGNORE(CLOSED),
            [H2E_SI_RECV_WINDOW_UPDATE] = IGNORE(CLOSED),
        },
    /* closed by our RST_STREAM: the peer may have sent anything before it
     * saw ours; it MUST be minimally processed and discarded, and a
     * PUSH_PROMISE still reserves its promised stream (§5.1, §6.6). */
    [H2E_SS_CLOSED_RESET_SENT] =
        {
            [H2E_SI_RECV_HEADERS] = IGNORE(CLOSED_RESET_SENT),
            [H2E_SI_RECV_PUSH_PROMISE] = IGNORE(CLOSED_RESET_SENT),
            [H2E_SI_RECV_DATA] = IGNORE(CLOSED_RESET_SENT),
            [H2E_SI_RECV_END_STREAM] = IGNORE(CLOSED_RESET_SENT),
            [H2E_SI_RECV_RST] = IGNORE(CLOSED_RESET_SENT),
            [H2E_SI_RECV_PRIORITY] = IGNORE(CLOSED_RESET_SENT),
            [H2E_SI_RECV_WINDOW_UPDATE] = IGNORE(CLOSED_RESET_SENT),
        },
    /* closed by the peer's RST_STREAM: after it the peer sends nothing but
     * PRIORITY (§6.4); DATA or HEADERS are a stream error STREAM_CLOSED
     * (§6.1, §5.1), late WINDOW_UPDATE and R are ignored. */
    [H2E_SS_CLOSED_RESET_RECV] =
        {
            [H2E_SI_RECV_HEADERS] = STREAM_CLOSED(CLOSED_RESET_RECV),
            [H2E_SI_RECV_DATA] = STREAM_CLOSED(CLOSED_RESET_RECV),
            [H2E_SI_RECV_RST] = IGNORE(CLOSED_RESET_RECV),
            [H2E_SI_RECV_PRIORITY] = IGNORE(CLOSED_RESET_RECV),
            [H2E_SI_RECV_WINDOW_UPDATE] = IGNORE(CLOSED_RESET_RECV),
        },
    /* closed, cause unknown (skipped by a higher id, or forgotten): HEADERS
     * reuses an id (§5.1.1, PROTOCOL_ERROR, the default); DATA is a
     * stream error STREAM_CLOSED (§6.1); the rest is ignored. */
    [H2E_SS_CLOSED_UNKNOWN] =
        {
            [H2E_SI_RECV_DATA] = STREAM_CLOSED(CLOSED_UNKNOWN),
            [H2E_SI_RECV_RST] = IGNORE(CLOSED_UNKNOWN),
            [H2E_SI_RECV_PRIORITY] = IGNORE(CLOSED_UNKNOWN),
            [H2E_SI_RECV_WINDOW_UPDATE] = IGNORE(CLOSED_UNKNOWN),
        },
};

static int is_send(h2e_sinput input) {
  return input <= H2E_SI_SEND_RST;
}

h2e_transition h2e_stream_transition(h2e_sstate state, h2e_sinput input) {
  h2e_transition t = transitions[state][input];
  if (t.outcome == H2E_SO_CONN_PROTOCOL_ERROR) {
    t.next = (uint8_t)state;
    if (is_send(input))
      t.outcome = H2E_SO_NOT_ALLOWED;
  }
  return t;
}

static const uint8_t public_states[H2E_SS_COUNT] = {
    [H2E_SS_IDLE] = H2E_STATE_IDLE,
    [H2E_SS_RESERVED_LOCAL] = H2E_STATE_RESERVED_LOCAL,
    [H2E_SS_RESERVED_REMOTE] = H2E_STATE_RESERVED_REMOTE,
    [H2E_SS_OPEN] = H2E_STATE_OPEN,
    [H2E_SS_HALF_CLOSED_LOCAL] = H2E_STATE_HALF_CLOSED_LOCAL,
    [H2E_SS_HALF_CLOSED_REMOTE] = H2E_STATE_HALF_CLOSED_REMOTE,
    [H2E_SS_CLOSED] = H2E_STATE_CLOSED,
    [H2E_SS_CLOSED_RESET_SENT] = H2E_STATE_CLOSED,
    [H2E_SS_CLOSED_RESET_RECV] = H2E_STATE_CLOSED,
    [H2E_SS_CLOSED_UNKNOWN] = H2E_STATE_CLOSED,
};

h2e_stream_state h2e_sstate_public(h2e_sstate state) {
  return (h2e_stream_state)public_states[state];
}

int h2e_sstate_is_closed(h2e_sstate state) {
  return state >= H2E_SS_CLOSED;
}

int h2e_sstate_is_active(h2e_sstate state) {
  return state == H2E_SS_OPEN || state == H2E_SS_HALF_CLOSED_LOCAL ||
         state == H2E_SS_HALF_CLOSED_REMOTE;
}
