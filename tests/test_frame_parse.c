/* One-shot frame parsing: every frame type and every frame-level rule of
 * RFC 9113 §4 and §6 (plus RFC 7838, RFC 8336, RFC 9218). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"
#include "h2e_frame.h"

#define MAX_FRAME 16384u

/* Payload bytes as a (pointer, length) argument pair. */
#define BYTES(...)                                                             \
  (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define NO_BYTES NULL, 0

typedef struct wire {
  uint8_t bytes[256];
  size_t len;
} wire;

/* A frame exactly as given: raw flags, raw 32-bit stream id field. */
static wire frame_wire(uint8_t type, uint8_t flags, uint32_t stream_field,
                       const uint8_t *payload, size_t len) {
  wire w;
  assert_true(len + 9 <= sizeof w.bytes);
  w.bytes[0] = (uint8_t)(len >> 16);
  w.bytes[1] = (uint8_t)(len >> 8);
  w.bytes[2] = (uint8_t)len;
  w.bytes[3] = type;
  w.bytes[4] = flags;
  w.bytes[5] = (uint8_t)(stream_field >> 24);
  w.bytes[6] = (uint8_t)(stream_field >> 16);
  w.bytes[7] = (uint8_t)(stream_field >> 8);
  w.bytes[8] = (uint8_t)stream_field;
  if (len)
    memcpy(w.bytes + 9, payload, len);
  w.len = 9 + len;
  return w;
}

static void expect_frame(const wire *w, h2e_frame *frame) {
  h2e_frame_error err;
  assert_int_equal(h2e_frame_parse(w->bytes, w->len, MAX_FRAME, frame, &err),
                   (ptrdiff_t)w->len);
}

static void expect_error(const wire *w, h2e_h2_error code,
                         h2e_error_scope scope, uint32_t stream_id) {
  h2e_frame frame;
  h2e_frame_error err;
  memset(&err, 0, sizeof err);
  assert_int_equal(h2e_frame_parse(w->bytes, w->len, MAX_FRAME, &frame, &err),
                   H2E_ERR_PROTOCOL);
  assert_int_equal(err.code, code);
  assert_int_equal(err.scope, scope);
  assert_int_equal(err.stream_id, stream_id);
  assert_non_null(err.reason);
  assert_true(strncmp(err.reason, "RFC ", 4) == 0);
}

static void expect_connection_error(const wire *w, h2e_h2_error code) {
  expect_error(w, code, H2E_SCOPE_CONNECTION, w->bytes[8] | 0u);
}

static void assert_slice(const uint8_t *data, size_t len, const char *text) {
  assert_int_equal(len, strlen(text));
  assert_memory_equal(data, text, len);
}

/* ---- §4.1 frame format ------------------------------------------------ */

static void test_4_1_header_needs_nine_octets(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_PING, 0, 0, BYTES(1, 2, 3, 4, 5, 6, 7, 8));
  h2e_frame frame;
  h2e_frame_error err;
  for (size_t len = 0; len < w.len; len++)
    assert_int_equal(h2e_frame_parse(w.bytes, len, MAX_FRAME, &frame, &err),
                     H2E_ERR_NEED_MORE);
  assert_int_equal(h2e_frame_parse(w.bytes, w.len, MAX_FRAME, &frame, &err),
                   17);
}

static void test_4_1_parse_reads_only_the_first_frame(void **state) {
  (void)state;
  uint8_t two[18] = {0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0};
  h2e_frame frame;
  h2e_frame_error err;
  assert_int_equal(h2e_frame_parse(two, sizeof two, MAX_FRAME, &frame, &err),
                   9);
  assert_int_equal(frame.hd.flags, H2E_FLAG_ACK);
}

static void test_4_1_unknown_flags_are_ignored(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_HEADERS, 0xff, 1,
                      BYTES(0, 0, 0, 0, 3, 7, 0x82, 0, 0));
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.flags, H2E_FLAG_END_STREAM | H2E_FLAG_END_HEADERS |
                                       H2E_FLAG_PADDED | H2E_FLAG_PRIORITY);
  w = frame_wire(H2E_FRAME_WINDOW_UPDATE, 0xff, 0, BYTES(0, 0, 0, 1));
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.flags, 0);
  w = frame_wire(H2E_FRAME_CONTINUATION, 0xff, 3, NO_BYTES);
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.flags, H2E_FLAG_END_HEADERS);
}

static void test_4_1_reserved_bit_of_stream_id_is_ignored(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_RST_STREAM, 0, 0x80000005u, BYTES(0, 0, 0, 8));
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.stream_id, 5);
  /* Only the reserved bit set: that is stream 0. */
  w = frame_wire(H2E_FRAME_RST_STREAM, 0, 0x80000000u, BYTES(0, 0, 0, 8));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void test_4_1_header_decode(void **state) {
  (void)state;
  const uint8_t bytes[9] = {0x01, 0x02, 0x03, 0x00, 0xff,
                            0xff, 0xff, 0xff, 0xff};
  h2e_frame_header hd;
  h2e_frame_header_decode(bytes, &hd);
  assert_int_equal(hd.length, 0x010203);
  assert_int_equal(hd.type, H2E_FRAME_DATA);
  assert_int_equal(hd.flags, H2E_FLAG_END_STREAM | H2E_FLAG_PADDED);
  assert_int_equal(hd.stream_id, 0x7fffffff);
}

static void test_4_1_parse_rejects_bad_arguments(void **state) {
  (void)state;
  h2e_frame frame;
  assert_int_equal(h2e_frame_parse(NULL, 9, MAX_FRAME, &frame, NULL),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_frame_parse(NULL, 0, MAX_FRAME, &frame, NULL),
                   H2E_ERR_NEED_MORE);
}

/* ---- §4.2 frame size -------------------------------------------------- */

static void test_4_2_frame_over_max_frame_size_is_frame_size_error(void **s) {
  (void)s;
  /* The header alone proves it: no need to wait for the payload. */
  const uint8_t header[9] = {0x00, 0x40, 0x01, 0x00, 0x00, 0, 0, 0, 1};
  h2e_frame frame;
  h2e_frame_error err;
  assert_int_equal(h2e_frame_parse(header, 9, MAX_FRAME, &frame, &err),
                   H2E_ERR_PROTOCOL);
  assert_int_equal(err.code, H2E_FRAME_SIZE_ERROR);
  assert_int_equal(err.scope, H2E_SCOPE_CONNECTION);
  /* A larger limit takes the same header. */
  assert_int_equal(h2e_frame_parse(header, 9, 16385, &frame, &err),
                   H2E_ERR_NEED_MORE);
}

static void test_4_2_unknown_type_over_max_frame_size_is_error(void **state) {
  (void)state;
  const uint8_t header[9] = {0x00, 0x40, 0x01, 0xee, 0x00, 0, 0, 0, 0};
  h2e_frame frame;
  h2e_frame_error err;
  assert_int_equal(h2e_frame_parse(header, 9, MAX_FRAME, &frame, &err),
                   H2E_ERR_PROTOCOL);
  assert_int_equal(err.code, H2E_FRAME_SIZE_ERROR);
}

static void test_4_2_frame_of_max_frame_size_is_accepted(void **state) {
  (void)state;
  static uint8_t big[9 + MAX_FRAME];
  h2e_frame_write_header(big, MAX_FRAME, H2E_FRAME_DATA, 0, 1);
  h2e_frame frame;
  h2e_frame_error err;
  assert_int_equal(h2e_frame_parse(big, sizeof big, MAX_FRAME, &frame, &err),
                   (ptrdiff_t)sizeof big);
  assert_int_equal(frame.u.data.data_len, MAX_FRAME);
}

/* ---- §4.1, §5.5 unknown types ----------------------------------------- */

static void test_5_5_unknown_type_is_reported_for_skipping(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(0xbb, 0xa5, 0x80000003u, BYTES('a', 'b', 'c'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_IGNORE_UNKNOWN_TYPE);
  assert_int_equal(frame.hd.type, 0xbb);
  assert_int_equal(frame.hd.flags, 0xa5); /* unknown meaning: kept as is */
  assert_int_equal(frame.hd.stream_id, 3);
  assert_ptr_equal(frame.payload, w.bytes + 9);
  assert_slice(frame.payload, frame.payload_len, "abc");
  /* Types 0xb, 0xd..0xf are not defined either. */
  w = frame_wire(0x0b, 0, 0, NO_BYTES);
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_IGNORE_UNKNOWN_TYPE);
}

/* ---- §6.1 DATA -------------------------------------------------------- */

static void test_6_1_data_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_DATA, H2E_FLAG_END_STREAM, 1,
                      BYTES('h', 'e', 'l', 'l', 'o'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_USE);
  assert_int_equal(frame.hd.length, 5);
  assert_int_equal(frame.hd.flags, H2E_FLAG_END_STREAM);
  assert_ptr_equal(frame.u.data.data, w.bytes + 9); /* zero copy */
  assert_slice(frame.u.data.data, frame.u.data.data_len, "hello");
  assert_int_equal(frame.u.data.pad_len, 0);
  assert_int_equal(frame.u.data.offset, 0);
  assert_int_equal(frame.u.data.last, 1);
}

static void test_6_1_data_padding_is_stripped(void **state) {
  (void)state;
  h2e_frame frame;
  wire w =
      frame_wire(H2E_FRAME_DATA, H2E_FLAG_PADDED, 3, BYTES(2, 'h', 'i', 0, 0));
  expect_frame(&w, &frame);
  assert_slice(frame.u.data.data, frame.u.data.data_len, "hi");
  assert_int_equal(frame.u.data.pad_len, 2);
  assert_int_equal(frame.payload_len, 5);
}

static void test_6_1_data_padding_filling_the_payload_is_accepted(void **s) {
  (void)s;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_DATA, H2E_FLAG_PADDED, 3, BYTES(3, 0, 0, 0));
  expect_frame(&w, &frame);
  assert_int_equal(frame.u.data.data_len, 0);
  assert_int_equal(frame.u.data.pad_len, 3);
}

static void test_6_1_data_on_stream_0_is_protocol_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_DATA, 0, 0, BYTES('x'));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_6_1_data_padding_as_long_as_payload_is_protocol_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, BYTES(4, 0, 0, 0));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
  w = frame_wire(H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, BYTES(255, 0, 0, 0));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_6_1_data_padded_without_pad_length_is_frame_size_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, NO_BYTES);
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
}

/* ---- §6.2 HEADERS ----------------------------------------------------- */

static void test_6_2_headers_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w =
      frame_wire(H2E_FRAME_HEADERS, H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM,
                 1, BYTES(0x82, 0x86, 0x84));
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.flags, H2E_FLAG_END_HEADERS | H2E_FLAG_END_STREAM);
  assert_ptr_equal(frame.u.headers.block, w.bytes + 9);
  assert_int_equal(frame.u.headers.block_len, 3);
  assert_int_equal(frame.u.headers.pad_len, 0);
}

static void test_6_2_headers_priority_and_padding_are_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w =
      frame_wire(H2E_FRAME_HEADERS,
                 H2E_FLAG_PADDED | H2E_FLAG_PRIORITY | H2E_FLAG_END_HEADERS, 5,
                 BYTES(1, 0x80, 0, 0, 3, 0xff, 0x82, 0x86, 0));
  expect_frame(&w, &frame);
  assert_int_equal(frame.u.headers.pad_len, 1);
  assert_int_equal(frame.u.headers.priority.exclusive, 1);
  assert_int_equal(frame.u.headers.priority.dependency, 3);
  assert_int_equal(frame.u.headers.priority.weight, 255);
  assert_ptr_equal(frame.u.headers.block, w.bytes + 9 + 6);
  assert_int_equal(frame.u.headers.block_len, 2);
}

static void test_6_2_headers_on_stream_0_is_protocol_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_HEADERS, H2E_FLAG_END_HEADERS, 0, BYTES(0x82));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_6_2_headers_padding_as_long_as_payload_is_protocol_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_HEADERS, H2E_FLAG_PADDED, 1, BYTES(3, 0, 0));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
  /* With priority fields, the padding must fit after them. */
  w = frame_wire(H2E_FRAME_HEADERS, H2E_FLAG_PADDED | H2E_FLAG_PRIORITY, 1,
                 BYTES(2, 0, 0, 0, 3, 16, 0));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_6_2_headers_priority_without_5_octets_is_frame_size_error(void **state) {
  (void)state;
  wire w =
      frame_wire(H2E_FRAME_HEADERS, H2E_FLAG_PRIORITY, 1, BYTES(0, 0, 0, 3));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
  w = frame_wire(H2E_FRAME_HEADERS, H2E_FLAG_PRIORITY | H2E_FLAG_PADDED, 1,
                 BYTES(0, 0, 0, 0, 3, 16));
  h2e_frame frame;
  expect_frame(&w, &frame);
  w = frame_wire(H2E_FRAME_HEADERS, H2E_FLAG_PRIORITY | H2E_FLAG_PADDED, 1,
                 BYTES(0, 0, 0, 0, 3));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
}

static void
test_5_3_1_headers_depending_on_itself_is_protocol_error(void **state) {
  (void)state;
  /* A stream error in RFC 7540, raised to the connection because the
   * field block could not be decoded (RFC 9113 §5.4.1 allows it). */
  wire w =
      frame_wire(H2E_FRAME_HEADERS, H2E_FLAG_PRIORITY | H2E_FLAG_END_HEADERS, 7,
                 BYTES(0, 0, 0, 7, 16, 0x82));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

/* ---- §6.3 PRIORITY ---------------------------------------------------- */

static void test_6_3_priority_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_PRIORITY, 0xff, 3, BYTES(0x80, 0, 0, 1, 200));
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.flags, 0);
  assert_int_equal(frame.u.priority.exclusive, 1);
  assert_int_equal(frame.u.priority.dependency, 1);
  assert_int_equal(frame.u.priority.weight, 200);
}

static void test_6_3_priority_on_stream_0_is_protocol_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_PRIORITY, 0, 0, BYTES(0, 0, 0, 1, 16));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_6_3_priority_length_not_5_is_stream_frame_size_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_PRIORITY, 0, 3, BYTES(0, 0, 0, 1, 16, 0));
  expect_error(&w, H2E_FRAME_SIZE_ERROR, H2E_SCOPE_STREAM, 3);
  w = frame_wire(H2E_FRAME_PRIORITY, 0, 3, BYTES(0, 0, 0, 1));
  expect_error(&w, H2E_FRAME_SIZE_ERROR, H2E_SCOPE_STREAM, 3);
  /* A stream error waits for the whole frame, so the caller can skip it. */
  h2e_frame frame;
  h2e_frame_error err;
  assert_int_equal(h2e_frame_parse(w.bytes, w.len - 1, MAX_FRAME, &frame, &err),
                   H2E_ERR_NEED_MORE);
  assert_int_equal(h2e_frame_parse(w.bytes, w.len, MAX_FRAME, &frame, &err),
                   H2E_ERR_PROTOCOL);
  assert_int_equal(frame.hd.length, 4);
}

static void
test_5_3_1_priority_depending_on_itself_is_stream_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_PRIORITY, 0, 9, BYTES(0x80, 0, 0, 9, 16));
  expect_error(&w, H2E_PROTOCOL_ERROR, H2E_SCOPE_STREAM, 9);
}

/* ---- §6.4 RST_STREAM -------------------------------------------------- */

static void test_6_4_rst_stream_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_RST_STREAM, 0, 1, BYTES(0, 0, 0x01, 0x08));
  expect_frame(&w, &frame);
  assert_int_equal(frame.u.rst_stream.error_code, 0x108);
}

static void test_6_4_rst_stream_on_stream_0_is_protocol_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_RST_STREAM, 0, 0, BYTES(0, 0, 0, 8));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void test_6_4_rst_stream_length_not_4_is_frame_size_error(void **s) {
  (void)s;
  wire w = frame_wire(H2E_FRAME_RST_STREAM, 0, 1, BYTES(0, 0, 8));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
  w = frame_wire(H2E_FRAME_RST_STREAM, 0, 1, BYTES(0, 0, 0, 8, 0));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
}

/* ---- §6.5 SETTINGS ---------------------------------------------------- */

static void test_6_5_settings_entries_are_read_in_order(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_SETTINGS, 0, 0,
                      BYTES(0, 3, 0, 0, 0, 100, 0, 4, 0, 1, 0, 0, 0, 0x42, 0xde,
                            0xad, 0xbe, 0xef));
  expect_frame(&w, &frame);
  assert_int_equal(frame.u.settings.count, 3);
  h2e_setting s0 = h2e_frame_setting(&frame, 0);
  h2e_setting s1 = h2e_frame_setting(&frame, 1);
  h2e_setting s2 = h2e_frame_setting(&frame, 2);
  assert_int_equal(s0.id, H2E_SETTINGS_MAX_CONCURRENT_STREAMS);
  assert_int_equal(s0.value, 100);
  assert_int_equal(s1.id, H2E_SETTINGS_INITIAL_WINDOW_SIZE);
  assert_int_equal(s1.value, 65536);
  /* RFC 9113 §6.5.2: an unknown identifier is ignored, whatever its value. */
  assert_int_equal(s2.id, 0x42);
  assert_int_equal(s2.value, 0xdeadbeef);
}

static void test_6_5_settings_ack_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_SETTINGS, 0xff, 0, NO_BYTES);
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.flags, H2E_FLAG_ACK);
  assert_int_equal(frame.u.settings.count, 0);
}

static void test_6_5_settings_on_a_stream_is_protocol_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_SETTINGS, 0, 1, NO_BYTES);
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_6_5_settings_length_not_multiple_of_6_is_frame_size_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_SETTINGS, 0, 0, BYTES(0, 3, 0, 0, 0));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
  w = frame_wire(H2E_FRAME_SETTINGS, 0, 0,
                 BYTES(0, 3, 0, 0, 0, 1, 0, 4, 0, 0, 0, 1, 0));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
}

static void test_6_5_settings_ack_with_payload_is_frame_size_error(void **s) {
  (void)s;
  wire w =
      frame_wire(H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0, BYTES(0, 3, 0, 0, 0, 1));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
}

static wire one_setting(uint16_t id, uint32_t value) {
  return frame_wire(H2E_FRAME_SETTINGS, 0, 0,
                    BYTES((uint8_t)(id >> 8), (uint8_t)id,
                          (uint8_t)(value >> 24), (uint8_t)(value >> 16),
                          (uint8_t)(value >> 8), (uint8_t)value));
}

static void expect_setting_ok(uint16_t id, uint32_t value) {
  h2e_frame frame;
  wire w = one_setting(id, value);
  expect_frame(&w, &frame);
  assert_int_equal(h2e_frame_setting(&frame, 0).value, value);
}

static void test_6_5_2_enable_push_not_0_or_1_is_protocol_error(void **s) {
  (void)s;
  expect_setting_ok(H2E_SETTINGS_ENABLE_PUSH, 0);
  expect_setting_ok(H2E_SETTINGS_ENABLE_PUSH, 1);
  wire w = one_setting(H2E_SETTINGS_ENABLE_PUSH, 2);
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_6_5_2_initial_window_size_over_2_31_is_flow_control_error(void **state) {
  (void)state;
  expect_setting_ok(H2E_SETTINGS_INITIAL_WINDOW_SIZE, 0);
  expect_setting_ok(H2E_SETTINGS_INITIAL_WINDOW_SIZE, 0x7fffffff);
  wire w = one_setting(H2E_SETTINGS_INITIAL_WINDOW_SIZE, 0x80000000u);
  expect_connection_error(&w, H2E_FLOW_CONTROL_ERROR);
  w = one_setting(H2E_SETTINGS_INITIAL_WINDOW_SIZE, 0xffffffffu);
  expect_connection_error(&w, H2E_FLOW_CONTROL_ERROR);
}

static void
test_6_5_2_max_frame_size_out_of_range_is_protocol_error(void **state) {
  (void)state;
  expect_setting_ok(H2E_SETTINGS_MAX_FRAME_SIZE, 16384);
  expect_setting_ok(H2E_SETTINGS_MAX_FRAME_SIZE, 16777215);
  wire w = one_setting(H2E_SETTINGS_MAX_FRAME_SIZE, 16383);
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
  w = one_setting(H2E_SETTINGS_MAX_FRAME_SIZE, 16777216);
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
  w = one_setting(H2E_SETTINGS_MAX_FRAME_SIZE, 0);
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void test_6_5_2_other_settings_take_any_value(void **state) {
  (void)state;
  expect_setting_ok(H2E_SETTINGS_HEADER_TABLE_SIZE, 0xffffffffu);
  expect_setting_ok(H2E_SETTINGS_MAX_CONCURRENT_STREAMS, 0);
  expect_setting_ok(H2E_SETTINGS_MAX_HEADER_LIST_SIZE, 0xffffffffu);
  expect_setting_ok(0, 7);
  expect_setting_ok(0x7, 7);
  expect_setting_ok(0xffff, 0xffffffffu);
}

static void
test_6_5_2_a_bad_value_after_good_ones_is_still_an_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_SETTINGS, 0, 0,
                      BYTES(0, 3, 0, 0, 0, 100, 0, 2, 0, 0, 0, 7));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_rfc8441_3_enable_connect_protocol_not_0_or_1_is_error(void **state) {
  (void)state;
  expect_setting_ok(H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL, 0);
  expect_setting_ok(H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1);
  wire w = one_setting(H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL, 2);
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_rfc9218_2_1_no_rfc7540_priorities_not_0_or_1_is_error(void **state) {
  (void)state;
  expect_setting_ok(H2E_SETTINGS_NO_RFC7540_PRIORITIES, 0);
  expect_setting_ok(H2E_SETTINGS_NO_RFC7540_PRIORITIES, 1);
  wire w = one_setting(H2E_SETTINGS_NO_RFC7540_PRIORITIES, 0x100);
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void test_6_5_2_setting_check_names_code_and_scope(void **state) {
  (void)state;
  h2e_frame_error err;
  h2e_setting ok = {H2E_SETTINGS_MAX_FRAME_SIZE, 65536};
  h2e_setting bad = {H2E_SETTINGS_INITIAL_WINDOW_SIZE, 0x80000000u};
  assert_int_equal(h2e_setting_check(ok, &err), 0);
  assert_int_equal(h2e_setting_check(bad, NULL), H2E_ERR_PROTOCOL);
  assert_int_equal(h2e_setting_check(bad, &err), H2E_ERR_PROTOCOL);
  assert_int_equal(err.code, H2E_FLOW_CONTROL_ERROR);
  assert_int_equal(err.scope, H2E_SCOPE_CONNECTION);
  assert_int_equal(err.stream_id, 0);
}

/* ---- §6.6 PUSH_PROMISE ------------------------------------------------ */

static void test_6_6_push_promise_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_PUSH_PROMISE,
                      H2E_FLAG_PADDED | H2E_FLAG_END_HEADERS | 0x01, 1,
                      BYTES(1, 0x80, 0, 0, 2, 0x82, 0x87, 0));
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.flags, H2E_FLAG_PADDED | H2E_FLAG_END_HEADERS);
  assert_int_equal(frame.u.push_promise.promised_stream_id, 2);
  assert_int_equal(frame.u.push_promise.pad_len, 1);
  assert_ptr_equal(frame.u.push_promise.block, w.bytes + 9 + 5);
  assert_int_equal(frame.u.push_promise.block_len, 2);
}

static void test_6_6_push_promise_on_stream_0_is_protocol_error(void **s) {
  (void)s;
  wire w = frame_wire(H2E_FRAME_PUSH_PROMISE, 0, 0, BYTES(0, 0, 0, 2));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_6_6_push_promise_without_promised_id_is_frame_size_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_PUSH_PROMISE, 0, 1, BYTES(0, 0, 2));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
  w = frame_wire(H2E_FRAME_PUSH_PROMISE, H2E_FLAG_PADDED, 1, BYTES(0, 0, 0, 2));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
}

static void
test_6_6_push_promise_padding_as_long_as_payload_is_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_PUSH_PROMISE, H2E_FLAG_PADDED, 1,
                      BYTES(1, 0, 0, 0, 2));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void test_6_6_push_promise_of_stream_0_is_protocol_error(void **s) {
  (void)s;
  wire w = frame_wire(H2E_FRAME_PUSH_PROMISE, 0, 1, BYTES(0x80, 0, 0, 0));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

/* ---- §6.7 PING -------------------------------------------------------- */

static void test_6_7_ping_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_PING, H2E_FLAG_ACK | 0x80, 0,
                      BYTES(1, 2, 3, 4, 5, 6, 7, 8));
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.flags, H2E_FLAG_ACK);
  assert_memory_equal(frame.u.ping.opaque_data, w.bytes + 9, 8);
}

static void test_6_7_ping_on_a_stream_is_protocol_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_PING, 0, 1, BYTES(1, 2, 3, 4, 5, 6, 7, 8));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void test_6_7_ping_length_not_8_is_frame_size_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_PING, 0, 0, BYTES(1, 2, 3, 4, 5, 6, 7));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
  w = frame_wire(H2E_FRAME_PING, 0, 0, BYTES(1, 2, 3, 4, 5, 6, 7, 8, 9));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
}

/* ---- §6.8 GOAWAY ------------------------------------------------------ */

static void test_6_8_goaway_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w =
      frame_wire(H2E_FRAME_GOAWAY, 0, 0,
                 BYTES(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x0b, 'b', 'y', 'e'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.u.goaway.last_stream_id, 0x7fffffff);
  assert_int_equal(frame.u.goaway.error_code, H2E_ENHANCE_YOUR_CALM);
  assert_ptr_equal(frame.u.goaway.debug_data, w.bytes + 17);
  assert_slice(frame.u.goaway.debug_data, frame.u.goaway.debug_len, "bye");
}

static void test_6_8_goaway_on_a_stream_is_protocol_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_GOAWAY, 0, 3, BYTES(0, 0, 0, 0, 0, 0, 0, 0));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void test_6_8_goaway_shorter_than_8_is_frame_size_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_GOAWAY, 0, 0, BYTES(0, 0, 0, 0, 0, 0, 0));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
}

/* ---- §6.9 WINDOW_UPDATE ----------------------------------------------- */

static void test_6_9_window_update_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w =
      frame_wire(H2E_FRAME_WINDOW_UPDATE, 0, 0, BYTES(0xff, 0xff, 0xff, 0xff));
  expect_frame(&w, &frame);
  assert_int_equal(frame.u.window_update.increment, 0x7fffffff);
  w = frame_wire(H2E_FRAME_WINDOW_UPDATE, 0, 1, BYTES(0, 1, 0, 0));
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.stream_id, 1);
  assert_int_equal(frame.u.window_update.increment, 65536);
}

static void test_6_9_window_update_length_not_4_is_frame_size_error(void **s) {
  (void)s;
  wire w = frame_wire(H2E_FRAME_WINDOW_UPDATE, 0, 1, BYTES(0, 0, 1));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
  w = frame_wire(H2E_FRAME_WINDOW_UPDATE, 0, 0, BYTES(0, 0, 0, 1, 0));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
}

static void test_6_9_window_update_of_0_on_a_stream_is_stream_error(void **s) {
  (void)s;
  wire w = frame_wire(H2E_FRAME_WINDOW_UPDATE, 0, 5, BYTES(0, 0, 0, 0));
  expect_error(&w, H2E_PROTOCOL_ERROR, H2E_SCOPE_STREAM, 5);
  /* The reserved bit is not part of the increment. */
  w = frame_wire(H2E_FRAME_WINDOW_UPDATE, 0, 5, BYTES(0x80, 0, 0, 0));
  expect_error(&w, H2E_PROTOCOL_ERROR, H2E_SCOPE_STREAM, 5);
}

static void
test_6_9_window_update_of_0_on_connection_is_connection_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_WINDOW_UPDATE, 0, 0, BYTES(0, 0, 0, 0));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

/* ---- §6.10 CONTINUATION ----------------------------------------------- */

static void test_6_10_continuation_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1,
                      BYTES(0x84, 0x41));
  expect_frame(&w, &frame);
  assert_ptr_equal(frame.u.continuation.block, w.bytes + 9);
  assert_int_equal(frame.u.continuation.block_len, 2);
}

static void test_6_10_continuation_on_stream_0_is_protocol_error(void **s) {
  (void)s;
  wire w = frame_wire(H2E_FRAME_CONTINUATION, 0, 0, BYTES(0x84));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

/* ---- RFC 9218 §7.1 PRIORITY_UPDATE ------------------------------------ */

static void test_rfc9218_7_1_priority_update_is_parsed(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_PRIORITY_UPDATE, 0xff, 0,
                      BYTES(0x80, 0, 0, 5, 'u', '=', '1', ',', 'i'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.hd.flags, 0);
  assert_int_equal(frame.u.priority_update.prioritized_stream_id, 5);
  assert_slice(frame.u.priority_update.field_value,
               frame.u.priority_update.field_value_len, "u=1,i");
}

static void test_rfc9218_7_1_priority_update_on_a_stream_is_error(void **s) {
  (void)s;
  wire w = frame_wire(H2E_FRAME_PRIORITY_UPDATE, 0, 1, BYTES(0, 0, 0, 1));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

static void
test_rfc9218_7_1_priority_update_shorter_than_4_is_error(void **state) {
  (void)state;
  wire w = frame_wire(H2E_FRAME_PRIORITY_UPDATE, 0, 0, BYTES(0, 0, 1));
  expect_connection_error(&w, H2E_FRAME_SIZE_ERROR);
}

static void test_rfc9218_7_1_priority_update_for_stream_0_is_error(void **s) {
  (void)s;
  wire w = frame_wire(H2E_FRAME_PRIORITY_UPDATE, 0, 0,
                      BYTES(0x80, 0, 0, 0, 'u', '=', '0'));
  expect_connection_error(&w, H2E_PROTOCOL_ERROR);
}

/* ---- RFC 7838 §4 ALTSVC ----------------------------------------------- */

static void test_rfc7838_4_altsvc_on_stream_0_names_its_origin(void **state) {
  (void)state;
  h2e_frame frame;
  wire w =
      frame_wire(H2E_FRAME_ALTSVC, 0, 0,
                 BYTES(0, 3, 'a', '.', 'b', 'h', '2', '=', '"', ':', '1', '"'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_USE);
  assert_slice(frame.u.altsvc.origin, frame.u.altsvc.origin_len, "a.b");
  assert_slice(frame.u.altsvc.field_value, frame.u.altsvc.field_value_len,
               "h2=\":1\"");
}

static void test_rfc7838_4_altsvc_on_a_stream_has_no_origin(void **state) {
  (void)state;
  h2e_frame frame;
  wire w =
      frame_wire(H2E_FRAME_ALTSVC, 0, 3, BYTES(0, 0, 'c', 'l', 'e', 'a', 'r'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_USE);
  assert_int_equal(frame.u.altsvc.origin_len, 0);
  assert_slice(frame.u.altsvc.field_value, frame.u.altsvc.field_value_len,
               "clear");
}

static void
test_rfc7838_4_altsvc_on_stream_0_without_origin_is_ignored(void **state) {
  (void)state;
  h2e_frame frame;
  wire w =
      frame_wire(H2E_FRAME_ALTSVC, 0, 0, BYTES(0, 0, 'c', 'l', 'e', 'a', 'r'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_IGNORE_ALTSVC);
}

static void
test_rfc7838_4_altsvc_on_a_stream_with_origin_is_ignored(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_ALTSVC, 0, 1, BYTES(0, 1, 'a', 'x'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_IGNORE_ALTSVC);
}

static void
test_rfc7838_4_altsvc_too_short_for_its_origin_is_ignored(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_ALTSVC, 0, 0, BYTES(0, 4, 'a', 'b', 'c'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_IGNORE_ALTSVC);
  w = frame_wire(H2E_FRAME_ALTSVC, 0, 0, BYTES(0));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_IGNORE_ALTSVC);
  assert_int_equal(frame.payload_len, 1);
}

/* ---- RFC 8336 §2 ORIGIN ----------------------------------------------- */

static void test_rfc8336_2_origin_entries_are_walked(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_ORIGIN, 0, 0,
                      BYTES(0, 3, 'a', '.', 'b', 0, 0, 0, 1, 'c'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_USE);
  const char *expected[] = {"a.b", "", "c"};
  size_t pos = 0, count = 0;
  const uint8_t *origin;
  size_t origin_len;
  while (h2e_origin_next(frame.u.origin.entries, frame.u.origin.entries_len,
                         &pos, &origin, &origin_len)) {
    assert_true(count < 3);
    assert_slice(origin, origin_len, expected[count++]);
  }
  assert_int_equal(count, 3);
  assert_int_equal(pos, w.len - 9);
}

static void test_rfc8336_2_empty_origin_frame_is_valid(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_ORIGIN, 0, 0, NO_BYTES);
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_USE);
  size_t pos = 0;
  const uint8_t *origin;
  size_t origin_len;
  assert_int_equal(h2e_origin_next(frame.u.origin.entries,
                                   frame.u.origin.entries_len, &pos, &origin,
                                   &origin_len),
                   0);
}

static void test_rfc8336_2_1_origin_on_a_stream_is_ignored(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_ORIGIN, 0, 1, BYTES(0, 1, 'a'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_IGNORE_ORIGIN);
}

static void test_rfc8336_2_origin_with_a_cut_entry_is_ignored(void **state) {
  (void)state;
  h2e_frame frame;
  wire w = frame_wire(H2E_FRAME_ORIGIN, 0, 0, BYTES(0, 1, 'a', 0, 5, 'b'));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_IGNORE_ORIGIN);
  w = frame_wire(H2E_FRAME_ORIGIN, 0, 0, BYTES(0, 1, 'a', 0));
  expect_frame(&w, &frame);
  assert_int_equal(frame.ignore, H2E_FRAME_IGNORE_ORIGIN);
}

/* ---- names ------------------------------------------------------------ */

static void test_frame_type_names(void **state) {
  (void)state;
  const char *names[] = {"DATA",         "HEADERS",        "PRIORITY",
                         "RST_STREAM",   "SETTINGS",       "PUSH_PROMISE",
                         "PING",         "GOAWAY",         "WINDOW_UPDATE",
                         "CONTINUATION", "ALTSVC",         "UNKNOWN",
                         "ORIGIN",       "UNKNOWN",        "UNKNOWN",
                         "UNKNOWN",      "PRIORITY_UPDATE"};
  for (unsigned type = 0; type < 17; type++)
    assert_string_equal(h2e_frame_type_name((uint8_t)type), names[type]);
  assert_string_equal(h2e_frame_type_name(0x11), "UNKNOWN");
  assert_string_equal(h2e_frame_type_name(0xff), "UNKNOWN");
}

static void test_settings_names(void **state) {
  (void)state;
  const char *names[] = {"UNKNOWN",
                         "HEADER_TABLE_SIZE",
                         "ENABLE_PUSH",
                         "MAX_CONCURRENT_STREAMS",
                         "INITIAL_WINDOW_SIZE",
                         "MAX_FRAME_SIZE",
                         "MAX_HEADER_LIST_SIZE",
                         "UNKNOWN",
                         "ENABLE_CONNECT_PROTOCOL",
                         "NO_RFC7540_PRIORITIES"};
  for (unsigned id = 0; id < 10; id++)
    assert_string_equal(h2e_settings_name((uint16_t)id), names[id]);
  assert_string_equal(h2e_settings_name(0xa), "UNKNOWN");
  assert_string_equal(h2e_settings_name(0xffff), "UNKNOWN");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_4_1_header_needs_nine_octets),
      cmocka_unit_test(test_4_1_parse_reads_only_the_first_frame),
      cmocka_unit_test(test_4_1_unknown_flags_are_ignored),
      cmocka_unit_test(test_4_1_reserved_bit_of_stream_id_is_ignored),
      cmocka_unit_test(test_4_1_header_decode),
      cmocka_unit_test(test_4_1_parse_rejects_bad_arguments),
      cmocka_unit_test(test_4_2_frame_over_max_frame_size_is_frame_size_error),
      cmocka_unit_test(test_4_2_unknown_type_over_max_frame_size_is_error),
      cmocka_unit_test(test_4_2_frame_of_max_frame_size_is_accepted),
      cmocka_unit_test(test_5_5_unknown_type_is_reported_for_skipping),
      cmocka_unit_test(test_6_1_data_is_parsed),
      cmocka_unit_test(test_6_1_data_padding_is_stripped),
      cmocka_unit_test(test_6_1_data_padding_filling_the_payload_is_accepted),
      cmocka_unit_test(test_6_1_data_on_stream_0_is_protocol_error),
      cmocka_unit_test(
          test_6_1_data_padding_as_long_as_payload_is_protocol_error),
      cmocka_unit_test(
          test_6_1_data_padded_without_pad_length_is_frame_size_error),
      cmocka_unit_test(test_6_2_headers_is_parsed),
      cmocka_unit_test(test_6_2_headers_priority_and_padding_are_parsed),
      cmocka_unit_test(test_6_2_headers_on_stream_0_is_protocol_error),
      cmocka_unit_test(
          test_6_2_headers_padding_as_long_as_payload_is_protocol_error),
      cmocka_unit_test(
          test_6_2_headers_priority_without_5_octets_is_frame_size_error),
      cmocka_unit_test(
          test_5_3_1_headers_depending_on_itself_is_protocol_error),
      cmocka_unit_test(test_6_3_priority_is_parsed),
      cmocka_unit_test(test_6_3_priority_on_stream_0_is_protocol_error),
      cmocka_unit_test(
          test_6_3_priority_length_not_5_is_stream_frame_size_error),
      cmocka_unit_test(test_5_3_1_priority_depending_on_itself_is_stream_error),
      cmocka_unit_test(test_6_4_rst_stream_is_parsed),
      cmocka_unit_test(test_6_4_rst_stream_on_stream_0_is_protocol_error),
      cmocka_unit_test(test_6_4_rst_stream_length_not_4_is_frame_size_error),
      cmocka_unit_test(test_6_5_settings_entries_are_read_in_order),
      cmocka_unit_test(test_6_5_settings_ack_is_parsed),
      cmocka_unit_test(test_6_5_settings_on_a_stream_is_protocol_error),
      cmocka_unit_test(
          test_6_5_settings_length_not_multiple_of_6_is_frame_size_error),
      cmocka_unit_test(test_6_5_settings_ack_with_payload_is_frame_size_error),
      cmocka_unit_test(test_6_5_2_enable_push_not_0_or_1_is_protocol_error),
      cmocka_unit_test(
          test_6_5_2_initial_window_size_over_2_31_is_flow_control_error),
      cmocka_unit_test(
          test_6_5_2_max_frame_size_out_of_range_is_protocol_error),
      cmocka_unit_test(test_6_5_2_other_settings_take_any_value),
      cmocka_unit_test(
          test_6_5_2_a_bad_value_after_good_ones_is_still_an_error),
      cmocka_unit_test(
          test_rfc8441_3_enable_connect_protocol_not_0_or_1_is_error),
      cmocka_unit_test(
          test_rfc9218_2_1_no_rfc7540_priorities_not_0_or_1_is_error),
      cmocka_unit_test(test_6_5_2_setting_check_names_code_and_scope),
      cmocka_unit_test(test_6_6_push_promise_is_parsed),
      cmocka_unit_test(test_6_6_push_promise_on_stream_0_is_protocol_error),
      cmocka_unit_test(
          test_6_6_push_promise_without_promised_id_is_frame_size_error),
      cmocka_unit_test(
          test_6_6_push_promise_padding_as_long_as_payload_is_error),
      cmocka_unit_test(test_6_6_push_promise_of_stream_0_is_protocol_error),
      cmocka_unit_test(test_6_7_ping_is_parsed),
      cmocka_unit_test(test_6_7_ping_on_a_stream_is_protocol_error),
      cmocka_unit_test(test_6_7_ping_length_not_8_is_frame_size_error),
      cmocka_unit_test(test_6_8_goaway_is_parsed),
      cmocka_unit_test(test_6_8_goaway_on_a_stream_is_protocol_error),
      cmocka_unit_test(test_6_8_goaway_shorter_than_8_is_frame_size_error),
      cmocka_unit_test(test_6_9_window_update_is_parsed),
      cmocka_unit_test(test_6_9_window_update_length_not_4_is_frame_size_error),
      cmocka_unit_test(test_6_9_window_update_of_0_on_a_stream_is_stream_error),
      cmocka_unit_test(
          test_6_9_window_update_of_0_on_connection_is_connection_error),
      cmocka_unit_test(test_6_10_continuation_is_parsed),
      cmocka_unit_test(test_6_10_continuation_on_stream_0_is_protocol_error),
      cmocka_unit_test(test_rfc9218_7_1_priority_update_is_parsed),
      cmocka_unit_test(test_rfc9218_7_1_priority_update_on_a_stream_is_error),
      cmocka_unit_test(
          test_rfc9218_7_1_priority_update_shorter_than_4_is_error),
      cmocka_unit_test(test_rfc9218_7_1_priority_update_for_stream_0_is_error),
      cmocka_unit_test(test_rfc7838_4_altsvc_on_stream_0_names_its_origin),
      cmocka_unit_test(test_rfc7838_4_altsvc_on_a_stream_has_no_origin),
      cmocka_unit_test(
          test_rfc7838_4_altsvc_on_stream_0_without_origin_is_ignored),
      cmocka_unit_test(
          test_rfc7838_4_altsvc_on_a_stream_with_origin_is_ignored),
      cmocka_unit_test(
          test_rfc7838_4_altsvc_too_short_for_its_origin_is_ignored),
      cmocka_unit_test(test_rfc8336_2_origin_entries_are_walked),
      cmocka_unit_test(test_rfc8336_2_empty_origin_frame_is_valid),
      cmocka_unit_test(test_rfc8336_2_1_origin_on_a_stream_is_ignored),
      cmocka_unit_test(test_rfc8336_2_origin_with_a_cut_entry_is_ignored),
      cmocka_unit_test(test_frame_type_names),
      cmocka_unit_test(test_settings_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
