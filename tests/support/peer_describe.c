/* The scripted peer: failure messages and names (see peer.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "peer_internal.h"

/* ---- failing with a message ---------------------------------------------- */

void peer_fail_at(const char *file, int line, const char *format, ...) {
  char message[2048];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  print_error("%s\n", message);
  _fail(file, line);
}

static const char *const event_names[] = {
    "NONE",       "SETTINGS",     "SETTINGS_ACK",  "HEADERS",
    "DATA",       "STREAM_RESET", "STREAM_CLOSED", "PUSH_PROMISE",
    "GOAWAY",     "PING_ACK",     "DATA_SENT",     "WINDOW_OPEN",
    "CONN_ERROR", "ALTSVC",       "ORIGIN",        "PRIORITY_UPDATE"};

const char *peer_event_name(h2e_event_type type) {
  if ((size_t)type < PEER_COUNT(event_names))
    return event_names[type];
  return "UNKNOWN_EVENT";
}

static const char *const kind_names[] = {"REQUEST", "RESPONSE", "INFORMATIONAL",
                                         "TRAILERS"};

const char *peer_kind_name(h2e_headers_kind kind) {
  return (size_t)kind < PEER_COUNT(kind_names) ? kind_names[kind] : "?";
}

void peer_describe_event(const h2e_event *ev, char *out, size_t cap) {
  int n = snprintf(out, cap, "%s on stream %u", peer_event_name(ev->type),
                   ev->stream_id);
  size_t used = n > 0 ? (size_t)n : 0;
  if (used >= cap)
    return;
  char *rest = out + used;
  size_t room = cap - used;
  switch (ev->type) {
  case H2E_EV_HEADERS:
    snprintf(rest, room, " (%s, end_stream=%u, %zu fields)",
             peer_kind_name(ev->u.headers.kind), ev->u.headers.end_stream,
             ev->u.headers.count);
    break;
  case H2E_EV_DATA:
    snprintf(rest, room, " (%zu octets, end_stream=%u)", ev->u.data.len,
             ev->u.data.end_stream);
    break;
  case H2E_EV_STREAM_RESET:
    snprintf(rest, room, " (%s, by_peer=%u, retryable=%u)",
             h2e_h2_error_name(ev->u.reset.error_code), ev->u.reset.by_peer,
             ev->u.reset.retryable);
    break;
  case H2E_EV_GOAWAY:
    snprintf(rest, room, " (last_stream_id=%u, %s)",
             ev->u.goaway.last_stream_id,
             h2e_h2_error_name(ev->u.goaway.error_code));
    break;
  case H2E_EV_CONN_ERROR:
    snprintf(rest, room, " (%s, by_peer=%u: %s)",
             h2e_h2_error_name(ev->u.conn_error.error_code),
             ev->u.conn_error.by_peer,
             ev->u.conn_error.reason ? ev->u.conn_error.reason : "");
    break;
  case H2E_EV_PUSH_PROMISE:
    snprintf(rest, room, " (promised %u, %zu fields)",
             ev->u.push_promise.promised_stream_id, ev->u.push_promise.count);
    break;
  case H2E_EV_DATA_SENT:
    snprintf(rest, room, " (cookie %llu)",
             (unsigned long long)ev->u.data_sent.cookie);
    break;
  default:
    break;
  }
}

void peer_describe_frame(const h2e_frame *frame, char *out, size_t cap) {
  int n = snprintf(out, cap, "%s flags=0x%02x stream=%u length=%u",
                   h2e_frame_type_name(frame->hd.type), frame->hd.flags,
                   frame->hd.stream_id, frame->hd.length);
  size_t used = n > 0 ? (size_t)n : 0;
  if (used >= cap)
    return;
  char *rest = out + used;
  size_t room = cap - used;
  switch (frame->hd.type) {
  case H2E_FRAME_RST_STREAM:
    snprintf(rest, room, " (%s)",
             h2e_h2_error_name(frame->u.rst_stream.error_code));
    break;
  case H2E_FRAME_GOAWAY:
    snprintf(rest, room, " (last_stream_id=%u, %s, \"%.*s\")",
             frame->u.goaway.last_stream_id,
             h2e_h2_error_name(frame->u.goaway.error_code),
             (int)frame->u.goaway.debug_len,
             (const char *)frame->u.goaway.debug_data);
    break;
  case H2E_FRAME_WINDOW_UPDATE:
    snprintf(rest, room, " (increment %u)", frame->u.window_update.increment);
    break;
  case H2E_FRAME_SETTINGS:
    for (size_t i = 0; i < frame->u.settings.count && room > 1; i++) {
      h2e_setting s = h2e_frame_setting(frame, i);
      n = snprintf(rest, room, " %s=%u", h2e_settings_name(s.id), s.value);
      if (n < 0 || (size_t)n >= room)
        break;
      rest += n;
      room -= (size_t)n;
    }
    break;
  default:
    break;
  }
}
