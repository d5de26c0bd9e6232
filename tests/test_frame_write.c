/* Frame serialization: exact bytes, round trips through the parser for
 * every type, short buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"
#include "frame_equal.h"
#include "h2e_frame.h"

#define MAX_FRAME 16384u

static const uint8_t hello[] = "hello";
static const uint8_t block[] = {0x82, 0x86, 0x84, 0x41, 0x8a};
static const uint8_t settings_entries[] = {
    0, 3, 0, 0, 0, 100, 0, 4, 0, 0, 0xff, 0xff, 0, 0x42, 1, 2, 3, 4};
static const uint8_t origins[] = {0, 3, 'a', '.', 'b', 0, 1, 'c'};
static const uint8_t origin[] = "https://example.com";
static const uint8_t alt_svc[] = "h2=\":8443\"; ma=60";
static const uint8_t urgency[] = "u=2, i";

static h2e_frame frame_of(uint8_t type, uint8_t flags, uint32_t stream_id) {
  h2e_frame frame;
  memset(&frame, 0, sizeof frame);
  frame.hd.type = type;
  frame.hd.flags = flags;
  frame.hd.stream_id = stream_id;
  return frame;
}

static h2e_frame data_frame(uint8_t flags, const uint8_t *data, size_t len,
                            uint8_t pad_len) {
  h2e_frame frame = frame_of(H2E_FRAME_DATA, flags, 1);
  frame.u.data.data = data;
  frame.u.data.data_len = len;
  frame.u.data.pad_len = pad_len;
  frame.u.data.last = 1;
  return frame;
}

static h2e_frame headers_frame(uint8_t flags, uint8_t pad_len) {
  h2e_frame frame = frame_of(H2E_FRAME_HEADERS, flags, 3);
  frame.u.headers.block = block;
  frame.u.headers.block_len = sizeof block;
  frame.u.headers.pad_len = pad_len;
  if (flags & H2E_FLAG_PRIORITY) {
    frame.u.headers.priority.dependency = 1;
    frame.u.headers.priority.exclusive = 1;
    frame.u.headers.priority.weight = 41;
  }
  return frame;
}

static h2e_frame priority_frame(void) {
  h2e_frame frame = frame_of(H2E_FRAME_PRIORITY, 0, 5);
  frame.u.priority.dependency = 0x7fffffff;
  frame.u.priority.weight = 255;
  return frame;
}

static h2e_frame rst_stream_frame(void) {
  h2e_frame frame = frame_of(H2E_FRAME_RST_STREAM, 0, 7);
  frame.u.rst_stream.error_code = H2E_CANCEL;
  return frame;
}

static h2e_frame settings_frame(void) {
  h2e_frame frame = frame_of(H2E_FRAME_SETTINGS, 0, 0);
  frame.u.settings.entries = settings_entries;
  frame.u.settings.count = sizeof settings_entries / 6;
  return frame;
}

static h2e_frame push_promise_frame(void) {
  h2e_frame frame = frame_of(H2E_FRAME_PUSH_PROMISE,
                             H2E_FLAG_PADDED | H2E_FLAG_END_HEADERS, 1);
  frame.u.push_promise.promised_stream_id = 2;
  frame.u.push_promise.block = block;
  frame.u.push_promise.block_len = sizeof block;
  frame.u.push_promise.pad_len = 3;
  return frame;
}

static h2e_frame ping_frame(void) {
  h2e_frame frame = frame_of(H2E_FRAME_PING, H2E_FLAG_ACK, 0);
  memcpy(frame.u.ping.opaque_data, "8octets!", 8);
  return frame;
}

static h2e_frame goaway_frame(void) {
  h2e_frame frame = frame_of(H2E_FRAME_GOAWAY, 0, 0);
  frame.u.goaway.last_stream_id = 41;
  frame.u.goaway.error_code = H2E_ENHANCE_YOUR_CALM;
  frame.u.goaway.debug_data = hello;
  frame.u.goaway.debug_len = 5;
  return frame;
}

static h2e_frame window_update_frame(uint32_t stream_id) {
  h2e_frame frame = frame_of(H2E_FRAME_WINDOW_UPDATE, 0, stream_id);
  frame.u.window_update.increment = 0x7fffffff;
  return frame;
}

static h2e_frame continuation_frame(void) {
  h2e_frame frame = frame_of(H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 3);
  frame.u.continuation.block = block;
  frame.u.continuation.block_len = sizeof block;
  return frame;
}

static h2e_frame altsvc_frame(uint32_t stream_id) {
  h2e_frame frame = frame_of(H2E_FRAME_ALTSVC, 0, stream_id);
  if (stream_id == 0) {
    frame.u.altsvc.origin = origin;
    frame.u.altsvc.origin_len = sizeof origin - 1;
  }
  frame.u.altsvc.field_value = alt_svc;
  frame.u.altsvc.field_value_len = sizeof alt_svc - 1;
  return frame;
}

static h2e_frame origin_frame(void) {
  h2e_frame frame = frame_of(H2E_FRAME_ORIGIN, 0, 0);
  frame.u.origin.entries = origins;
  frame.u.origin.entries_len = sizeof origins;
  return frame;
}

static h2e_frame priority_update_frame(void) {
  h2e_frame frame = frame_of(H2E_FRAME_PRIORITY_UPDATE, 0, 0);
  frame.u.priority_update.prioritized_stream_id = 9;
  frame.u.priority_update.field_value = urgency;
  frame.u.priority_update.field_value_len = sizeof urgency - 1;
  return frame;
}

static h2e_frame passed_through(uint8_t type, uint8_t flags, uint32_t stream_id,
                                h2e_frame_ignore why) {
  h2e_frame frame = frame_of(type, flags, stream_id);
  frame.ignore = why;
  frame.payload = hello;
  frame.payload_len = 5;
  return frame;
}

/* One frame of every type, and the variants of the optional fields. */
static size_t sample_frames(h2e_frame *frames) {
  size_t n = 0;
  frames[n++] = data_frame(H2E_FLAG_END_STREAM, hello, 5, 0);
  frames[n++] = data_frame(H2E_FLAG_PADDED, hello, 5, 7);
  frames[n++] = data_frame(0, NULL, 0, 0);
  frames[n++] = data_frame(H2E_FLAG_PADDED | H2E_FLAG_END_STREAM, NULL, 0, 0);
  frames[n++] = headers_frame(H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM, 0);
  frames[n++] = headers_frame(H2E_FLAG_PRIORITY, 0);
  frames[n++] = headers_frame(H2E_FLAG_PADDED, 2);
  frames[n++] = headers_frame(
      H2E_FLAG_PRIORITY | H2E_FLAG_PADDED | H2E_FLAG_END_HEADERS, 255);
  frames[n++] = priority_frame();
  frames[n++] = rst_stream_frame();
  frames[n++] = settings_frame();
  frames[n++] = frame_of(H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0);
  frames[n++] = push_promise_frame();
  frames[n++] = ping_frame();
  frames[n++] = goaway_frame();
  frames[n++] = window_update_frame(0);
  frames[n++] = window_update_frame(3);
  frames[n++] = continuation_frame();
  frames[n++] = altsvc_frame(0);
  frames[n++] = altsvc_frame(1);
  frames[n++] = origin_frame();
  frames[n++] = priority_update_frame();
  frames[n++] =
      passed_through(0xfa, 0xff, 0x7fffffff, H2E_FRAME_IGNORE_UNKNOWN_TYPE);
  frames[n++] = passed_through(H2E_FRAME_ALTSVC, 0, 0, H2E_FRAME_IGNORE_ALTSVC);
  frames[n++] = passed_through(H2E_FRAME_ORIGIN, 0, 3, H2E_FRAME_IGNORE_ORIGIN);
  return n;
}

#define SAMPLE_MAX 32

static void test_round_trip_every_type(void **state) {
  (void)state;
  h2e_frame frames[SAMPLE_MAX];
  size_t count = sample_frames(frames);
  uint8_t types_seen[256] = {0};
  for (size_t i = 0; i < count; i++) {
    uint8_t buf[512];
    size_t needed = 0;
    ptrdiff_t written = h2e_frame_write(&frames[i], buf, sizeof buf, &needed);
    assert_true(written > 0);
    assert_int_equal((size_t)written, needed);
    h2e_frame parsed;
    h2e_frame_error err;
    assert_int_equal(
        h2e_frame_parse(buf, (size_t)written, MAX_FRAME, &parsed, &err),
        written);
    frames[i].hd.length = (uint32_t)written - 9;
    assert_true(h2e_frame_equal(&frames[i], &parsed));
    types_seen[frames[i].hd.type] = 1;
  }
  for (unsigned type = 0; type <= H2E_FRAME_PRIORITY_UPDATE; type++)
    if (strcmp(h2e_frame_type_name((uint8_t)type), "UNKNOWN") != 0)
      assert_true(types_seen[type]);
}

static void test_parse_of_write_of_parse_is_identity(void **state) {
  (void)state;
  /* Non-zero padding, unused flags and reserved bits on the wire. */
  const uint8_t wire[] = {0, 0,    7,    0x1,  0xff, 0x80, 0,
                          0, 1, /* HEADERS */
                          1, 0xff, 0xff, 0xff, 0xff, 9,    0xee};
  h2e_frame first, second;
  h2e_frame_error err;
  assert_int_equal(h2e_frame_parse(wire, sizeof wire, MAX_FRAME, &first, &err),
                   16);
  uint8_t buf[64];
  ptrdiff_t written = h2e_frame_write(&first, buf, sizeof buf, NULL);
  assert_int_equal(written, 16);
  /* Padding is written as zero. */
  const uint8_t expected[] = {0, 0, 7,    0x1,  0x2d, 0,    0, 0,
                              1, 1, 0xff, 0xff, 0xff, 0xff, 9, 0};
  assert_memory_equal(buf, expected, 16);
  assert_int_equal(h2e_frame_parse(buf, 16, MAX_FRAME, &second, &err), 16);
  assert_true(h2e_frame_equal(&first, &second));
}

static void test_6_1_data_is_written_with_zeroed_padding(void **state) {
  (void)state;
  h2e_frame frame =
      data_frame(H2E_FLAG_PADDED | H2E_FLAG_END_STREAM, hello, 5, 2);
  uint8_t buf[32];
  memset(buf, 0xaa, sizeof buf);
  const uint8_t expected[] = {0, 0,   8,   0,   0x09, 0,   0, 0, 1,
                              2, 'h', 'e', 'l', 'l',  'o', 0, 0};
  assert_int_equal(h2e_frame_write(&frame, buf, sizeof buf, NULL),
                   sizeof expected);
  assert_memory_equal(buf, expected, sizeof expected);
}

static void test_6_5_write_settings_from_a_list(void **state) {
  (void)state;
  const h2e_setting list[] = {{H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                              {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 0x7fffffff}};
  const uint8_t expected[] = {0, 0, 12, 4,   0, 0, 0,    0,    0,    0,   3,
                              0, 0, 0,  100, 0, 4, 0x7f, 0xff, 0xff, 0xff};
  uint8_t buf[64];
  size_t needed = 0;
  assert_int_equal(
      h2e_frame_write_settings(list, 2, 0, buf, sizeof buf, &needed),
      sizeof expected);
  assert_int_equal(needed, sizeof expected);
  assert_memory_equal(buf, expected, sizeof expected);
  for (size_t cap = 0; cap < sizeof expected; cap++) {
    needed = 0;
    assert_int_equal(h2e_frame_write_settings(list, 2, 0, buf, cap, &needed),
                     H2E_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(needed, sizeof expected);
  }
}

static void test_6_5_write_settings_ack(void **state) {
  (void)state;
  const uint8_t expected[] = {0, 0, 0, 4, 1, 0, 0, 0, 0};
  uint8_t buf[9];
  assert_int_equal(h2e_frame_write_settings(NULL, 0, H2E_FLAG_ACK | 0xf0, buf,
                                            sizeof buf, NULL),
                   9);
  assert_memory_equal(buf, expected, 9);
  assert_int_equal(h2e_frame_write_settings(NULL, 1, 0, buf, sizeof buf, NULL),
                   H2E_ERR_INVALID_ARG);
}

static void test_4_1_write_header(void **state) {
  (void)state;
  uint8_t buf[9];
  h2e_frame_write_header(buf, 0xabcdef, H2E_FRAME_DATA, H2E_FLAG_END_STREAM,
                         0xffffffffu);
  const uint8_t expected[] = {0xab, 0xcd, 0xef, 0, 1, 0x7f, 0xff, 0xff, 0xff};
  assert_memory_equal(buf, expected, 9);
}

static void
test_4_1_unused_flags_and_reserved_bits_are_sent_as_zero(void **state) {
  (void)state;
  h2e_frame frame = window_update_frame(0x80000003u);
  frame.hd.flags = 0xff;
  frame.u.window_update.increment = 0xffffffffu;
  uint8_t buf[13];
  assert_int_equal(h2e_frame_write(&frame, buf, sizeof buf, NULL), 13);
  const uint8_t expected[] = {0, 0, 4,    8,    0,    0,   0,
                              0, 3, 0x7f, 0xff, 0xff, 0xff};
  assert_memory_equal(buf, expected, 13);
}

static void test_short_buffers_report_the_needed_size(void **state) {
  (void)state;
  h2e_frame frames[SAMPLE_MAX];
  size_t count = sample_frames(frames);
  for (size_t i = 0; i < count; i++) {
    size_t full = 0;
    assert_int_equal(h2e_frame_write(&frames[i], NULL, 0, &full),
                     H2E_ERR_BUFFER_TOO_SMALL);
    assert_true(full >= 9);
    for (size_t cap = 0; cap < full; cap++) {
      uint8_t buf[512];
      memset(buf, 0xaa, sizeof buf);
      size_t needed = 0;
      assert_int_equal(h2e_frame_write(&frames[i], buf, cap, &needed),
                       H2E_ERR_BUFFER_TOO_SMALL);
      assert_int_equal(needed, full);
      for (size_t k = 0; k < sizeof buf; k++)
        assert_int_equal(buf[k], 0xaa); /* nothing written */
    }
  }
}

static void test_write_rejects_unusable_frames(void **state) {
  (void)state;
  h2e_frame frame = data_frame(0, NULL, 3, 0);
  uint8_t buf[64];
  assert_int_equal(h2e_frame_write(&frame, buf, sizeof buf, NULL),
                   H2E_ERR_INVALID_ARG);
  frame = data_frame(0, hello, 0x1000000, 0); /* 2^24: too long */
  assert_int_equal(h2e_frame_write(&frame, buf, sizeof buf, NULL),
                   H2E_ERR_INVALID_ARG);
  frame = data_frame(H2E_FLAG_PADDED, hello, 0xffffff - 1, 1);
  assert_int_equal(h2e_frame_write(&frame, buf, sizeof buf, NULL),
                   H2E_ERR_INVALID_ARG);
  frame = altsvc_frame(0);
  frame.u.altsvc.origin_len = 0x10000; /* more than Origin-Len can say */
  assert_int_equal(h2e_frame_write(&frame, buf, sizeof buf, NULL),
                   H2E_ERR_INVALID_ARG);
  frame = settings_frame();
  frame.u.settings.count = SIZE_MAX / 2;
  assert_int_equal(h2e_frame_write(&frame, buf, sizeof buf, NULL),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_frame_write(NULL, buf, sizeof buf, NULL),
                   H2E_ERR_INVALID_ARG);
}

static void test_largest_payload_is_sized_not_refused(void **state) {
  (void)state;
  h2e_frame frame = data_frame(H2E_FLAG_PADDED, hello, 0xffffff - 1, 0);
  size_t needed = 0;
  assert_int_equal(h2e_frame_write(&frame, NULL, 0, &needed),
                   H2E_ERR_BUFFER_TOO_SMALL);
  assert_int_equal(needed, 9 + 0xffffff);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_every_type),
      cmocka_unit_test(test_parse_of_write_of_parse_is_identity),
      cmocka_unit_test(test_6_1_data_is_written_with_zeroed_padding),
      cmocka_unit_test(test_6_5_write_settings_from_a_list),
      cmocka_unit_test(test_6_5_write_settings_ack),
      cmocka_unit_test(test_4_1_write_header),
      cmocka_unit_test(
          test_4_1_unused_flags_and_reserved_bits_are_sent_as_zero),
      cmocka_unit_test(test_short_buffers_report_the_needed_size),
      cmocka_unit_test(test_write_rejects_unusable_frames),
      cmocka_unit_test(test_largest_payload_is_sized_not_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
