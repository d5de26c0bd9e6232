/* -v: the frames of each connection as its engine reports them, in the
 * style of `nghttp -v`, on stderr: what was sent (request heads, bodies)
 * and what was received (SETTINGS, HEADERS, DATA, RST_STREAM, GOAWAY,
 * PING, ALTSVC, ORIGIN). Control frames the engine answers by itself
 * (SETTINGS ACK, WINDOW_UPDATE, PING ACK) are not shown. */
#include "get.h"

#include <stdarg.h>

#define INDENT "          "

static void stamp(const get_app *app, const get_conn *c, const char *dir) {
  uint64_t ms = get_now_ms() - app->started_ms;
  fprintf(stderr, "[%3llu.%03llu] [%s:%u%s] %s ",
          (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000),
          c->origin->host, c->origin->port, c->inner ? " tunnel" : "", dir);
}

static void print_fields(const h2e_field *fields, size_t count) {
  for (size_t i = 0; i < count; i++)
    fprintf(stderr, INDENT "%.*s: %.*s\n", (int)fields[i].name_len,
            (const char *)fields[i].name, (int)fields[i].value_len,
            (const char *)fields[i].value);
}

static void print_settings(const h2e_conn *engine) {
  static const uint16_t ids[] = {
      H2E_SETTINGS_HEADER_TABLE_SIZE,    H2E_SETTINGS_MAX_CONCURRENT_STREAMS,
      H2E_SETTINGS_INITIAL_WINDOW_SIZE,  H2E_SETTINGS_MAX_FRAME_SIZE,
      H2E_SETTINGS_MAX_HEADER_LIST_SIZE, H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL};
  fprintf(stderr, "SETTINGS frame\n" INDENT "(peer's values now)\n");
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
    fprintf(stderr, INDENT "[%s(0x%02x):%u]\n", h2e_settings_name(ids[i]),
            ids[i], h2e_conn_peer_setting(engine, ids[i]));
}

void get_trace_event(const get_app *app, const get_conn *c,
                     const h2e_event *ev) {
  if (!app->options->verbose)
    return;
  switch (ev->type) {
  case H2E_EV_SETTINGS:
    stamp(app, c, "recv");
    print_settings(get_conn_engine(c));
    break;
  case H2E_EV_SETTINGS_ACK:
    stamp(app, c, "recv");
    fprintf(stderr, "SETTINGS frame <flags=0x01>\n" INDENT "; ACK\n");
    break;
  case H2E_EV_HEADERS:
    stamp(app, c, "recv");
    fprintf(stderr, "HEADERS frame <stream_id=%u>\n", ev->stream_id);
    print_fields(ev->u.headers.fields, ev->u.headers.count);
    if (ev->u.headers.end_stream)
      fprintf(stderr, INDENT "; END_STREAM\n");
    break;
  case H2E_EV_DATA:
    stamp(app, c, "recv");
    fprintf(stderr, "DATA frame <length=%zu, stream_id=%u>\n", ev->u.data.len,
            ev->stream_id);
    if (ev->u.data.end_stream)
      fprintf(stderr, INDENT "; END_STREAM\n");
    break;
  case H2E_EV_STREAM_RESET:
    stamp(app, c, ev->u.reset.by_peer ? "recv" : "send");
    fprintf(stderr,
            "RST_STREAM frame <stream_id=%u>\n" INDENT
            "(error_code=%s(0x%02x))%s\n",
            ev->stream_id, h2e_h2_error_name(ev->u.reset.error_code),
            ev->u.reset.error_code,
            ev->u.reset.retryable ? " ; not processed, retryable" : "");
    break;
  case H2E_EV_GOAWAY:
    stamp(app, c, "recv");
    fprintf(
        stderr,
        "GOAWAY frame\n" INDENT "(last_stream_id=%u, error_code=%s(0x%02x), "
        "opaque_data(%zu)=[%.*s])\n",
        ev->u.goaway.last_stream_id, h2e_h2_error_name(ev->u.goaway.error_code),
        ev->u.goaway.error_code, ev->u.goaway.debug_len,
        (int)ev->u.goaway.debug_len, (const char *)ev->u.goaway.debug_data);
    break;
  case H2E_EV_PING_ACK:
    stamp(app, c, "recv");
    fprintf(stderr, "PING frame <flags=0x01>\n" INDENT "; ACK (%llu ms)\n",
            (unsigned long long)ev->u.ping_ack.rtt_ms);
    break;
  case H2E_EV_ALTSVC:
    stamp(app, c, "recv");
    fprintf(stderr, "ALTSVC frame <stream_id=%u>\n" INDENT "%.*s\n",
            ev->stream_id, (int)ev->u.altsvc.field_value_len,
            (const char *)ev->u.altsvc.field_value);
    break;
  case H2E_EV_ORIGIN:
    stamp(app, c, "recv");
    fprintf(stderr, "ORIGIN frame\n");
    break;
  case H2E_EV_PUSH_PROMISE:
    stamp(app, c, "recv");
    fprintf(stderr,
            "PUSH_PROMISE frame <stream_id=%u>\n" INDENT
            "(promised_stream_id=%u)\n",
            ev->stream_id, ev->u.push_promise.promised_stream_id);
    print_fields(ev->u.push_promise.fields, ev->u.push_promise.count);
    break;
  case H2E_EV_CONN_ERROR:
    stamp(app, c, ev->u.conn_error.by_peer ? "recv" : "send");
    fprintf(stderr, "GOAWAY frame\n" INDENT "(error_code=%s(0x%02x)) %s\n",
            h2e_h2_error_name(ev->u.conn_error.error_code),
            ev->u.conn_error.error_code,
            ev->u.conn_error.reason ? ev->u.conn_error.reason : "");
    break;
  default:
    break;
  }
}

void get_trace_request(const get_app *app, const get_conn *c, uint32_t stream,
                       const h2e_field *fields, size_t count, int end_stream) {
  if (!app->options->verbose)
    return;
  stamp(app, c, "send");
  fprintf(stderr, "HEADERS frame <stream_id=%u>\n", stream);
  print_fields(fields, count);
  if (end_stream)
    fprintf(stderr, INDENT "; END_STREAM\n");
}

void get_trace_data(const get_app *app, const get_conn *c, uint32_t stream,
                    size_t len, int end_stream) {
  if (!app->options->verbose)
    return;
  stamp(app, c, "send");
  fprintf(stderr, "DATA frame <length=%zu, stream_id=%u>%s\n", len, stream,
          end_stream ? "\n" INDENT "; END_STREAM" : "");
}

void get_trace_note(const get_app *app, const char *fmt, ...) {
  if (!app->options->verbose)
    return;
  uint64_t ms = get_now_ms() - app->started_ms;
  fprintf(stderr, "[%3llu.%03llu] ", (unsigned long long)(ms / 1000),
          (unsigned long long)(ms % 1000));
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}
