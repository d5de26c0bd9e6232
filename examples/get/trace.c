/* -v: every frame each connection sends and receives, printed from the
 * bytes themselves (the loop's trace hook for direct connections, the
 * tunnel's own byte moves for tunnelled ones) by the printer h2e-frames
 * uses (examples/frame_print.c), in the style of `nghttp -v`, on stderr:
 *
 *   [  0.012] [127.0.0.1:8080] recv HEADERS frame <length=..., ...>
 */
#include "get.h"

#include "../frame_print.h"

#include <stdarg.h>

#define SENT_FRAME_MAX (1u << 20) /* the largest frame we print as sent */

static void stamp(const get_app *app) {
  uint64_t ms = get_now_ms() - app->started_ms;
  fprintf(stderr, "[%3llu.%03llu] ", (unsigned long long)(ms / 1000),
          (unsigned long long)(ms % 1000));
}

static void prefix(void *arg, FILE *out) {
  const get_trace_side *side = arg;
  const get_conn *c = side->conn;
  stamp(c->app);
  fprintf(out, "[%s:%u%s] %s ", c->origin->host, c->origin->port,
          c->inner ? " tunnel" : "", side->received ? "recv" : "send");
}

void get_trace_bytes(void *arg, int received, const uint8_t *data, size_t len) {
  get_conn *c = arg;
  get_trace_side *side = received ? &c->trace_recv : &c->trace_sent;
  if (side->printer == NULL && !side->failed) {
    side->conn = c;
    side->received = received;
    /* Each side is decoded as its receiver does: frames up to its
     * SETTINGS_MAX_FRAME_SIZE, HPACK with its table size. */
    side->printer = frame_printer_new(
        stderr, received ? c->app->config.max_frame_size : SENT_FRAME_MAX,
        received ? c->app->config.header_table_size : 4096, prefix, side);
    side->failed = side->printer == NULL;
  }
  if (side->printer && data)
    frame_printer_feed(side->printer, data, len);
}

void get_trace_free(get_conn *c) {
  frame_printer_free(c->trace_sent.printer);
  frame_printer_free(c->trace_recv.printer);
  c->trace_sent.printer = c->trace_recv.printer = NULL;
}

void get_trace_note(const get_app *app, const char *fmt, ...) {
  if (!app->options->verbose)
    return;
  stamp(app);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}
