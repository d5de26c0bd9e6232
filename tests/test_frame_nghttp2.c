/* Interop with libnghttp2: frames nghttp2 writes parse cleanly here, and
 * frames written here are accepted by an nghttp2 server session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>
#include <nghttp2/nghttp2.h>

#include "frame.h"
#include "h2e_frame.h"

#define MAX_FRAME   16384u
#define PREFACE_LEN 24

static uint8_t reader_buf[MAX_FRAME];

typedef struct capture {
  uint8_t bytes[8192];
  size_t len;
} capture;

/* Everything the session wants to send. */
static void drain(nghttp2_session *session, capture *out) {
  for (;;) {
    const uint8_t *data;
    ssize_t n = nghttp2_session_mem_send(session, &data);
    assert_true(n >= 0);
    if (n == 0)
      return;
    assert_true(out->len + (size_t)n <= sizeof out->bytes);
    memcpy(out->bytes + out->len, data, (size_t)n);
    out->len += (size_t)n;
  }
}

/* Frames of a capture, by type, through the reader; no errors allowed. */
typedef struct frame_log {
  unsigned count[256];
  uint32_t window_increment;
  uint32_t goaway_error;
  uint8_t ping[8];
  size_t data_len;
  uint8_t data[64];
  size_t settings_count;
  h2e_setting settings[8];
  char altsvc[64];
  size_t origins;
} frame_log;

static void log_settings(frame_log *log, const h2e_frame *frame) {
  for (size_t i = 0; i < frame->u.settings.count && log->settings_count < 8;
       i++)
    log->settings[log->settings_count++] = h2e_frame_setting(frame, i);
}

static void log_origins(frame_log *log, const h2e_frame *frame) {
  size_t pos = 0;
  const uint8_t *origin;
  size_t origin_len;
  while (h2e_origin_next(frame->u.origin.entries, frame->u.origin.entries_len,
                         &pos, &origin, &origin_len))
    log->origins++;
}

static void log_frame(frame_log *log, const h2e_frame *frame) {
  assert_int_equal(frame->ignore, H2E_FRAME_USE);
  log->count[frame->hd.type]++;
  switch (frame->hd.type) {
  case H2E_FRAME_DATA:
    assert_true(log->data_len + frame->u.data.data_len <= sizeof log->data);
    memcpy(log->data + log->data_len, frame->u.data.data,
           frame->u.data.data_len);
    log->data_len += frame->u.data.data_len;
    break;
  case H2E_FRAME_SETTINGS:
    log_settings(log, frame);
    break;
  case H2E_FRAME_PING:
    memcpy(log->ping, frame->u.ping.opaque_data, 8);
    break;
  case H2E_FRAME_WINDOW_UPDATE:
    log->window_increment = frame->u.window_update.increment;
    break;
  case H2E_FRAME_GOAWAY:
    log->goaway_error = frame->u.goaway.error_code;
    break;
  case H2E_FRAME_ALTSVC:
    assert_true(frame->u.altsvc.field_value_len < sizeof log->altsvc);
    memcpy(log->altsvc, frame->u.altsvc.field_value,
           frame->u.altsvc.field_value_len);
    break;
  case H2E_FRAME_ORIGIN:
    log_origins(log, frame);
    break;
  default:
    break;
  }
}

static void read_capture(const uint8_t *bytes, size_t len, frame_log *log) {
  h2e_frame_reader reader;
  assert_int_equal(h2e_frame_reader_init(&reader, reader_buf, sizeof reader_buf,
                                         MAX_FRAME, 0),
                   0);
  memset(log, 0, sizeof *log);
  size_t pos = 0;
  while (pos < len) {
    h2e_frame frame;
    h2e_frame_error err;
    size_t consumed;
    int result = h2e_frame_read(&reader, bytes + pos, len - pos, &consumed,
                                &frame, &err);
    assert_int_equal(result, 1);
    pos += consumed;
    log_frame(log, &frame);
  }
}

/* ---- nghttp2 writes, h2e reads ---------------------------------------- */

static ssize_t pad_everything(nghttp2_session *session,
                              const nghttp2_frame *frame, size_t max_payloadlen,
                              void *user_data) {
  (void)session;
  (void)user_data;
  size_t padded = frame->hd.length + 17;
  return (ssize_t)(padded < max_payloadlen ? padded : max_payloadlen);
}

static ssize_t read_body(nghttp2_session *session, int32_t stream_id,
                         uint8_t *buf, size_t length, uint32_t *data_flags,
                         nghttp2_data_source *source, void *user_data) {
  (void)session;
  (void)stream_id;
  (void)user_data;
  const char *body = source->ptr;
  size_t len = strlen(body);
  assert_true(len <= length);
  memcpy(buf, body, len);
  *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return (ssize_t)len;
}

#define NV(name, value)                                                        \
  {                                                                            \
    (uint8_t *)(name), (uint8_t *)(value), sizeof(name) - 1,                   \
        sizeof(value) - 1, NGHTTP2_NV_FLAG_NONE                                \
  }

static void test_frames_from_an_nghttp2_client_parse(void **state) {
  (void)state;
  nghttp2_session_callbacks *callbacks;
  nghttp2_session *session;
  assert_int_equal(nghttp2_session_callbacks_new(&callbacks), 0);
  nghttp2_session_callbacks_set_select_padding_callback(callbacks,
                                                        pad_everything);
  assert_int_equal(nghttp2_session_client_new(&session, callbacks, NULL), 0);
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
  assert_int_equal(
      nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, 3), 0);
  const nghttp2_nv request[] = {NV(":method", "POST"), NV(":scheme", "https"),
                                NV(":path", "/upload"),
                                NV(":authority", "example.org")};
  nghttp2_data_provider body = {{.ptr = (void *)"hello body"}, read_body};
  assert_true(nghttp2_submit_request(session, NULL, request, 4, &body, NULL) ==
              1);
  assert_int_equal(nghttp2_submit_ping(session, NGHTTP2_FLAG_NONE,
                                       (const uint8_t *)"h2e-ping"),
                   0);
  assert_int_equal(
      nghttp2_submit_window_update(session, NGHTTP2_FLAG_NONE, 0, 1000), 0);
  assert_int_equal(nghttp2_submit_goaway(session, NGHTTP2_FLAG_NONE, 0,
                                         NGHTTP2_NO_ERROR,
                                         (const uint8_t *)"bye", 3),
                   0);
  capture out = {{0}, 0};
  drain(session, &out);
  assert_true(out.len > PREFACE_LEN);
  assert_memory_equal(out.bytes, NGHTTP2_CLIENT_MAGIC, PREFACE_LEN);

  frame_log log;
  read_capture(out.bytes + PREFACE_LEN, out.len - PREFACE_LEN, &log);
  assert_int_equal(log.count[H2E_FRAME_SETTINGS], 1);
  assert_int_equal(log.settings_count, 3);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(log.settings[i].id, settings[i].settings_id);
    assert_int_equal(log.settings[i].value, settings[i].value);
  }
  assert_int_equal(log.count[H2E_FRAME_HEADERS], 1);
  assert_int_equal(log.count[H2E_FRAME_DATA], 1);
  assert_int_equal(log.data_len, 10);
  assert_memory_equal(log.data, "hello body", 10);
  assert_int_equal(log.count[H2E_FRAME_PING], 1);
  assert_memory_equal(log.ping, "h2e-ping", 8);
  assert_int_equal(log.window_increment, 1000);
  assert_int_equal(log.count[H2E_FRAME_GOAWAY], 1);
  assert_int_equal(log.goaway_error, NGHTTP2_NO_ERROR);

  nghttp2_session_del(session);
  nghttp2_session_callbacks_del(callbacks);
}

static void test_extension_frames_from_an_nghttp2_server_parse(void **state) {
  (void)state;
  nghttp2_session_callbacks *callbacks;
  nghttp2_session *session;
  assert_int_equal(nghttp2_session_callbacks_new(&callbacks), 0);
  assert_int_equal(nghttp2_session_server_new(&session, callbacks, NULL), 0);
  assert_int_equal(nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, NULL, 0),
                   0);
  static const uint8_t origin[] = "https://example.org";
  static const uint8_t alt_svc[] = "h2=\":8443\"";
  assert_int_equal(nghttp2_submit_altsvc(session, NGHTTP2_FLAG_NONE, 0, origin,
                                         sizeof origin - 1, alt_svc,
                                         sizeof alt_svc - 1),
                   0);
  nghttp2_origin_entry origins[] = {{(uint8_t *)"https://example.org", 19},
                                    {(uint8_t *)"https://cdn.example.org", 23}};
  assert_int_equal(
      nghttp2_submit_origin(session, NGHTTP2_FLAG_NONE, origins, 2), 0);
  capture out = {{0}, 0};
  drain(session, &out);

  frame_log log;
  read_capture(out.bytes, out.len, &log);
  assert_int_equal(log.count[H2E_FRAME_SETTINGS], 1);
  assert_int_equal(log.count[H2E_FRAME_ALTSVC], 1);
  assert_string_equal(log.altsvc, "h2=\":8443\"");
  assert_int_equal(log.count[H2E_FRAME_ORIGIN], 1);
  assert_int_equal(log.origins, 2);

  nghttp2_session_del(session);
  nghttp2_session_callbacks_del(callbacks);
}

/* ---- h2e writes, nghttp2 reads ---------------------------------------- */

typedef struct server_log {
  unsigned count[256];
  unsigned invalid;
} server_log;

static int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame,
                         void *user_data) {
  (void)session;
  server_log *log = user_data;
  log->count[frame->hd.type]++;
  return 0;
}

static int on_invalid_frame_recv(nghttp2_session *session,
                                 const nghttp2_frame *frame, int error_code,
                                 void *user_data) {
  (void)session;
  (void)frame;
  (void)error_code;
  server_log *log = user_data;
  log->invalid++;
  return 0;
}

static void put(capture *out, const h2e_frame *frame) {
  size_t needed = 0;
  ptrdiff_t written = h2e_frame_write(frame, out->bytes + out->len,
                                      sizeof out->bytes - out->len, &needed);
  assert_true(written > 0);
  out->len += (size_t)written;
}

static h2e_frame frame_of(uint8_t type, uint8_t flags, uint32_t stream_id) {
  h2e_frame frame;
  memset(&frame, 0, sizeof frame);
  frame.hd.type = type;
  frame.hd.flags = flags;
  frame.hd.stream_id = stream_id;
  return frame;
}

/* GET http://example/ : static-table indices, :authority as a literal. */
static const uint8_t get_block[] = {0x82, 0x86, 0x84, 0x01, 0x07, 'e',
                                    'x',  'a',  'm',  'p',  'l',  'e'};
/* POST with the same fields. */
static const uint8_t post_block[] = {0x83, 0x86, 0x84, 0x01, 0x07, 'e',
                                     'x',  'a',  'm',  'p',  'l',  'e'};

static void put_requests(capture *out) {
  h2e_frame frame =
      frame_of(H2E_FRAME_HEADERS,
               H2E_FLAG_PADDED | H2E_FLAG_PRIORITY | H2E_FLAG_END_STREAM, 1);
  frame.u.headers.block = get_block;
  frame.u.headers.block_len = 5;
  frame.u.headers.pad_len = 4;
  frame.u.headers.priority.weight = 15;
  put(out, &frame);
  frame = frame_of(H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1);
  frame.u.continuation.block = get_block + 5;
  frame.u.continuation.block_len = sizeof get_block - 5;
  put(out, &frame);
  frame = frame_of(H2E_FRAME_HEADERS, H2E_FLAG_END_HEADERS, 3);
  frame.u.headers.block = post_block;
  frame.u.headers.block_len = sizeof post_block;
  put(out, &frame);
  frame = frame_of(H2E_FRAME_DATA, H2E_FLAG_PADDED | H2E_FLAG_END_STREAM, 3);
  frame.u.data.data = (const uint8_t *)"form=1";
  frame.u.data.data_len = 6;
  frame.u.data.pad_len = 9;
  put(out, &frame);
}

static void put_control_frames(capture *out) {
  h2e_frame frame = frame_of(H2E_FRAME_PING, 0, 0);
  memcpy(frame.u.ping.opaque_data, "12345678", 8);
  put(out, &frame);
  frame = frame_of(H2E_FRAME_WINDOW_UPDATE, 0, 0);
  frame.u.window_update.increment = 65536;
  put(out, &frame);
  frame = frame_of(H2E_FRAME_PRIORITY, 0, 5);
  frame.u.priority.dependency = 3;
  frame.u.priority.weight = 200;
  put(out, &frame);
  frame = frame_of(H2E_FRAME_RST_STREAM, 0, 3);
  frame.u.rst_stream.error_code = H2E_CANCEL;
  put(out, &frame);
  frame = frame_of(0xfa, 0, 0); /* unknown: to be ignored */
  frame.ignore = H2E_FRAME_IGNORE_UNKNOWN_TYPE;
  frame.payload = (const uint8_t *)"???";
  frame.payload_len = 3;
  put(out, &frame);
  frame = frame_of(H2E_FRAME_GOAWAY, 0, 0);
  frame.u.goaway.debug_data = (const uint8_t *)"done";
  frame.u.goaway.debug_len = 4;
  put(out, &frame);
}

static void
test_frames_from_h2e_are_accepted_by_an_nghttp2_server(void **state) {
  (void)state;
  capture in = {{0}, 0};
  memcpy(in.bytes, NGHTTP2_CLIENT_MAGIC, PREFACE_LEN);
  in.len = PREFACE_LEN;
  const h2e_setting settings[] = {{H2E_SETTINGS_ENABLE_PUSH, 0},
                                  {H2E_SETTINGS_MAX_FRAME_SIZE, 32768},
                                  {H2E_SETTINGS_HEADER_TABLE_SIZE, 8192}};
  ptrdiff_t n = h2e_frame_write_settings(settings, 3, 0, in.bytes + in.len,
                                         sizeof in.bytes - in.len, NULL);
  assert_true(n > 0);
  in.len += (size_t)n;
  put_requests(&in);
  put_control_frames(&in);

  nghttp2_session_callbacks *callbacks;
  nghttp2_session *session;
  server_log log;
  memset(&log, 0, sizeof log);
  assert_int_equal(nghttp2_session_callbacks_new(&callbacks), 0);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks,
                                                       on_frame_recv);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(
      callbacks, on_invalid_frame_recv);
  assert_int_equal(nghttp2_session_server_new(&session, callbacks, &log), 0);
  assert_int_equal(nghttp2_session_mem_recv(session, in.bytes, in.len),
                   (ssize_t)in.len);
  assert_int_equal(log.invalid, 0);
  assert_int_equal(log.count[NGHTTP2_SETTINGS], 1);
  assert_int_equal(log.count[NGHTTP2_HEADERS], 2);
  assert_int_equal(log.count[NGHTTP2_DATA], 1);
  assert_int_equal(log.count[NGHTTP2_PING], 1);
  assert_int_equal(log.count[NGHTTP2_WINDOW_UPDATE], 1);
  assert_int_equal(log.count[NGHTTP2_PRIORITY], 1);
  assert_int_equal(log.count[NGHTTP2_RST_STREAM], 1);
  assert_int_equal(log.count[NGHTTP2_GOAWAY], 1);

  /* nghttp2's answer: SETTINGS ACK, PING ACK, and no error. */
  capture out = {{0}, 0};
  drain(session, &out);
  frame_log answer;
  read_capture(out.bytes, out.len, &answer);
  assert_int_equal(answer.count[H2E_FRAME_SETTINGS], 1);
  assert_int_equal(answer.count[H2E_FRAME_PING], 1);
  assert_int_equal(answer.count[H2E_FRAME_RST_STREAM], 0);
  assert_int_equal(answer.goaway_error, 0);

  nghttp2_session_del(session);
  nghttp2_session_callbacks_del(callbacks);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_frames_from_an_nghttp2_client_parse),
      cmocka_unit_test(test_extension_frames_from_an_nghttp2_server_parse),
      cmocka_unit_test(test_frames_from_h2e_are_accepted_by_an_nghttp2_server),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
