/* The incremental reader: every split point of a multi-frame stream gives
 * the frames and errors the one-shot parser gives; zero copy, assembly,
 * DATA streaming, stream errors skipped, connection errors sticky. */
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

static uint8_t reader_buf[MAX_FRAME];

/* ---- a stream of frames of every kind --------------------------------- */

typedef struct stream {
  uint8_t bytes[1024];
  size_t len;
} stream;

static void add_frame(stream *s, uint8_t type, uint8_t flags,
                      uint32_t stream_field, const uint8_t *payload,
                      size_t len) {
  assert_true(s->len + 9 + len <= sizeof s->bytes);
  uint8_t *p = s->bytes + s->len;
  p[0] = (uint8_t)(len >> 16);
  p[1] = (uint8_t)(len >> 8);
  p[2] = (uint8_t)len;
  p[3] = type;
  p[4] = flags;
  p[5] = (uint8_t)(stream_field >> 24);
  p[6] = (uint8_t)(stream_field >> 16);
  p[7] = (uint8_t)(stream_field >> 8);
  p[8] = (uint8_t)stream_field;
  if (len)
    memcpy(p + 9, payload, len);
  s->len += 9 + len;
}

#define ADD(s, type, flags, sid, ...)                                          \
  add_frame(s, type, flags, sid, (const uint8_t[]){__VA_ARGS__},               \
            sizeof((const uint8_t[]){__VA_ARGS__}))
#define ADD_EMPTY(s, type, flags, sid) add_frame(s, type, flags, sid, NULL, 0)

static void add_stream_errors_and_oddities(stream *s) {
  ADD(s, H2E_FRAME_PRIORITY, 0, 3, 0, 0, 0, 1);   /* stream FRAME_SIZE_ERROR */
  ADD(s, 0xef, 0xff, 0x80000001u, 'x', 'y', 'z'); /* unknown type */
  ADD(s, H2E_FRAME_WINDOW_UPDATE, 0, 3, 0x80, 0, 0, 0); /* stream error */
  ADD(s, H2E_FRAME_PRIORITY, 0, 5, 0, 0, 0, 5, 9);      /* depends on itself */
  ADD(s, H2E_FRAME_ALTSVC, 0, 0, 0, 0, 'h', '2');       /* ignored */
  ADD(s, H2E_FRAME_ORIGIN, 0, 1, 0, 1, 'a');            /* ignored */
}

static void add_every_type(stream *s) {
  ADD(s, H2E_FRAME_SETTINGS, 0, 0, 0, 3, 0, 0, 0, 100, 0, 4, 0, 1, 0, 0);
  ADD_EMPTY(s, H2E_FRAME_SETTINGS, H2E_FLAG_ACK, 0);
  ADD(s, H2E_FRAME_HEADERS, H2E_FLAG_PADDED | H2E_FLAG_PRIORITY, 1, 2, 0, 0, 0,
      0, 15, 0x82, 0x86, 0x84, 7, 7);
  ADD(s, H2E_FRAME_CONTINUATION, H2E_FLAG_END_HEADERS, 1, 0x41, 0x8a);
  ADD(s, H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, 3, 'h', 'e', 'l', 'l', 'o', ' ',
      'w', 'o', 'r', 'l', 'd', 1, 2, 3);
  ADD(s, H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, 2, 0, 0);
  ADD_EMPTY(s, H2E_FRAME_DATA, H2E_FLAG_END_STREAM, 1);
  ADD(s, H2E_FRAME_PRIORITY, 0, 3, 0x80, 0, 0, 1, 200);
  ADD(s, H2E_FRAME_RST_STREAM, 0, 3, 0, 0, 0, 8);
  ADD(s, H2E_FRAME_PUSH_PROMISE, H2E_FLAG_END_HEADERS, 1, 0, 0, 0, 2, 0x82);
  ADD(s, H2E_FRAME_PING, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  ADD(s, H2E_FRAME_WINDOW_UPDATE, 0, 0, 0, 0, 0x10, 0);
  ADD(s, H2E_FRAME_ALTSVC, 0, 0, 0, 1, 'o', 'h', '2', '=', '"', ':', '1', '"');
  ADD(s, H2E_FRAME_ORIGIN, 0, 0, 0, 2, 'o', 'k');
  ADD(s, H2E_FRAME_PRIORITY_UPDATE, 0, 0, 0, 0, 0, 1, 'u', '=', '0');
  ADD(s, H2E_FRAME_GOAWAY, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 'b', 'y', 'e');
  uint8_t body[200];
  for (size_t i = 0; i < sizeof body; i++)
    body[i] = (uint8_t)i;
  add_frame(s, H2E_FRAME_DATA, H2E_FLAG_END_STREAM, 7, body, sizeof body);
}

static stream mixed_stream(void) {
  stream s;
  memset(&s, 0, sizeof s);
  add_every_type(&s);
  add_stream_errors_and_oddities(&s);
  ADD(&s, H2E_FRAME_PING, H2E_FLAG_ACK, 0, 8, 7, 6, 5, 4, 3, 2, 1);
  return s;
}

/* ---- what the one-shot parser says ------------------------------------ */

typedef struct outcome {
  int is_error;
  h2e_frame frame;
  h2e_frame_error err;
} outcome;

#define OUTCOME_MAX 64

/* Parses s frame by frame; a stream error skips its frame. Stops at the
 * end or at a connection error (kept as the last outcome). */
static size_t parse_all(const stream *s, outcome *out) {
  size_t pos = 0, n = 0;
  while (pos < s->len) {
    assert_true(n < OUTCOME_MAX);
    outcome *o = &out[n++];
    memset(o, 0, sizeof *o);
    ptrdiff_t r = h2e_frame_parse(s->bytes + pos, s->len - pos, MAX_FRAME,
                                  &o->frame, &o->err);
    if (r > 0) {
      pos += (size_t)r;
      continue;
    }
    assert_int_equal(r, H2E_ERR_PROTOCOL);
    o->is_error = 1;
    if (o->err.scope == H2E_SCOPE_CONNECTION)
      break;
    pos += 9 + o->frame.hd.length;
  }
  return n;
}

/* ---- feeding the reader and checking against the parser --------------- */

typedef struct checker {
  const outcome *expected;
  size_t count;
  size_t next;
  uint8_t data[256]; /* DATA pieces of the frame in progress */
  size_t data_len;
  int failed; /* a connection error came out */
} checker;

static void check_data_piece(checker *c, const h2e_frame *piece) {
  const h2e_frame *whole = &c->expected[c->next].frame;
  assert_int_equal(piece->hd.type, H2E_FRAME_DATA);
  assert_int_equal(piece->hd.length, whole->hd.length);
  assert_int_equal(piece->hd.stream_id, whole->hd.stream_id);
  assert_int_equal(piece->u.data.offset, c->data_len);
  assert_true(piece->u.data.data_len > 0 || piece->u.data.last);
  assert_true(c->data_len + piece->u.data.data_len <= sizeof c->data);
  if (piece->u.data.data_len)
    memcpy(c->data + c->data_len, piece->u.data.data, piece->u.data.data_len);
  c->data_len += piece->u.data.data_len;
  if (!piece->u.data.last)
    return;
  assert_int_equal(piece->u.data.pad_len, whole->u.data.pad_len);
  assert_int_equal(c->data_len, whole->u.data.data_len);
  if (c->data_len)
    assert_memory_equal(c->data, whole->u.data.data, c->data_len);
  c->data_len = 0;
  c->next++;
}

static void check_result(checker *c, int result, const h2e_frame *frame,
                         const h2e_frame_error *err, unsigned options) {
  assert_true(c->next < c->count);
  const outcome *want = &c->expected[c->next];
  if (result == H2E_ERR_PROTOCOL) {
    assert_true(want->is_error);
    assert_int_equal(err->code, want->err.code);
    assert_int_equal(err->scope, want->err.scope);
    assert_int_equal(err->stream_id, want->err.stream_id);
    assert_string_equal(err->reason, want->err.reason);
    c->failed = err->scope == H2E_SCOPE_CONNECTION;
    c->next++;
    return;
  }
  assert_int_equal(result, 1);
  assert_false(want->is_error);
  if ((options & H2E_READER_STREAM_DATA) && frame->hd.type == H2E_FRAME_DATA) {
    check_data_piece(c, frame);
    return;
  }
  assert_true(h2e_frame_equal(frame, &want->frame));
  c->next++;
}

/* Feeds one chunk completely (or until a connection error). */
static void feed(h2e_frame_reader *reader, checker *c, const uint8_t *chunk,
                 size_t len, unsigned options) {
  size_t pos = 0;
  do {
    h2e_frame frame;
    h2e_frame_error err;
    size_t consumed = 0;
    int result =
        h2e_frame_read(reader, chunk + pos, len - pos, &consumed, &frame, &err);
    assert_true(consumed <= len - pos);
    pos += consumed;
    if (result == 0) {
      assert_int_equal(pos, len);
      return;
    }
    check_result(c, result, &frame, &err, options);
  } while (!c->failed && pos < len);
}

static void check_chunks(const stream *s, const outcome *expected, size_t count,
                         const size_t *cuts, size_t ncuts, unsigned options) {
  h2e_frame_reader reader;
  assert_int_equal(h2e_frame_reader_init(&reader, reader_buf, sizeof reader_buf,
                                         MAX_FRAME, options),
                   0);
  checker c = {expected, count, 0, {0}, 0, 0};
  size_t start = 0;
  for (size_t i = 0; i <= ncuts && !c.failed; i++) {
    size_t end = i < ncuts ? cuts[i] : s->len;
    feed(&reader, &c, s->bytes + start, end - start, options);
    start = end;
  }
  assert_int_equal(c.next, count);
}

static void check_every_split(const stream *s, unsigned options) {
  outcome expected[OUTCOME_MAX];
  size_t count = parse_all(s, expected);
  for (size_t i = 0; i <= s->len; i++)
    check_chunks(s, expected, count, &i, 1, options);
}

static void check_every_two_splits(const stream *s, unsigned options) {
  outcome expected[OUTCOME_MAX];
  size_t count = parse_all(s, expected);
  for (size_t i = 0; i <= s->len; i++)
    for (size_t j = i; j <= s->len; j += 3) {
      size_t cuts[2] = {i, j};
      check_chunks(s, expected, count, cuts, 2, options);
    }
}

static void check_byte_by_byte(const stream *s, unsigned options) {
  outcome expected[OUTCOME_MAX];
  size_t count = parse_all(s, expected);
  size_t cuts[1024];
  for (size_t i = 0; i < s->len; i++)
    cuts[i] = i + 1;
  check_chunks(s, expected, count, cuts, s->len - 1, options);
}

static void test_4_1_every_split_point_gives_the_same_frames(void **state) {
  (void)state;
  stream s = mixed_stream();
  outcome expected[OUTCOME_MAX];
  size_t count = parse_all(&s, expected);
  assert_int_equal(count, 24);
  check_every_split(&s, 0);
  check_byte_by_byte(&s, 0);
}

static void
test_4_1_every_pair_of_split_points_gives_the_same_frames(void **state) {
  (void)state;
  stream s = mixed_stream();
  check_every_two_splits(&s, 0);
}

static void test_6_1_streamed_data_matches_at_every_split_point(void **s_) {
  (void)s_;
  stream s = mixed_stream();
  check_every_split(&s, H2E_READER_STREAM_DATA);
  check_byte_by_byte(&s, H2E_READER_STREAM_DATA);
  check_every_two_splits(&s, H2E_READER_STREAM_DATA);
}

static void
test_5_4_1_connection_error_ends_the_stream_at_every_split(void **state) {
  (void)state;
  stream s = mixed_stream();
  ADD(&s, H2E_FRAME_DATA, 0, 0, 'x');                    /* DATA on stream 0 */
  ADD(&s, H2E_FRAME_PING, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8); /* never reached */
  outcome expected[OUTCOME_MAX];
  size_t count = parse_all(&s, expected);
  assert_true(expected[count - 1].is_error);
  check_every_split(&s, 0);
  check_every_split(&s, H2E_READER_STREAM_DATA);
}

/* ---- single behaviours ------------------------------------------------ */

static h2e_frame_reader new_reader(unsigned options) {
  h2e_frame_reader reader;
  assert_int_equal(h2e_frame_reader_init(&reader, reader_buf, sizeof reader_buf,
                                         MAX_FRAME, options),
                   0);
  return reader;
}

static void test_reader_hands_out_whole_frames_in_place(void **state) {
  (void)state;
  stream s = {{0}, 0};
  ADD(&s, H2E_FRAME_DATA, 0, 1, 'a', 'b');
  ADD(&s, H2E_FRAME_DATA, 0, 1, 'c');
  h2e_frame_reader reader = new_reader(0);
  h2e_frame frame;
  h2e_frame_error err;
  size_t consumed;
  assert_int_equal(
      h2e_frame_read(&reader, s.bytes, s.len, &consumed, &frame, &err), 1);
  assert_int_equal(consumed, 11); /* only the first frame */
  assert_ptr_equal(frame.u.data.data, s.bytes + 9);
  assert_int_equal(h2e_frame_read(&reader, s.bytes + 11, s.len - 11, &consumed,
                                  &frame, &err),
                   1);
  assert_int_equal(consumed, 10);
  assert_ptr_equal(frame.u.data.data, s.bytes + 20);
  assert_int_equal(h2e_frame_read(&reader, s.bytes, 0, &consumed, &frame, &err),
                   0);
  assert_int_equal(consumed, 0);
}

static void
test_reader_payload_after_a_split_header_stays_in_place(void **state) {
  (void)state;
  stream s = {{0}, 0};
  ADD(&s, H2E_FRAME_DATA, 0, 1, 'a', 'b', 'c');
  h2e_frame_reader reader = new_reader(0);
  h2e_frame frame;
  h2e_frame_error err;
  size_t consumed;
  assert_int_equal(h2e_frame_read(&reader, s.bytes, 4, &consumed, &frame, &err),
                   0);
  assert_int_equal(consumed, 4);
  assert_int_equal(
      h2e_frame_read(&reader, s.bytes + 4, s.len - 4, &consumed, &frame, &err),
      1);
  assert_ptr_equal(frame.u.data.data, s.bytes + 9);
}

static void test_reader_assembles_a_split_payload_in_its_buffer(void **state) {
  (void)state;
  stream s = {{0}, 0};
  ADD(&s, H2E_FRAME_GOAWAY, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 'b', 'y', 'e');
  h2e_frame_reader reader = new_reader(0);
  h2e_frame frame;
  h2e_frame_error err;
  size_t consumed;
  assert_int_equal(
      h2e_frame_read(&reader, s.bytes, 12, &consumed, &frame, &err), 0);
  assert_int_equal(h2e_frame_read(&reader, s.bytes + 12, s.len - 12, &consumed,
                                  &frame, &err),
                   1);
  assert_ptr_equal(frame.u.goaway.debug_data, reader_buf + 8);
  assert_int_equal(frame.u.goaway.last_stream_id, 3);
  assert_memory_equal(frame.u.goaway.debug_data, "bye", 3);
}

static int read_piece(h2e_frame_reader *reader, const uint8_t *in, size_t len,
                      h2e_frame *frame) {
  h2e_frame_error err;
  size_t consumed;
  int result = h2e_frame_read(reader, in, len, &consumed, frame, &err);
  assert_int_equal(consumed, len);
  return result;
}

static void test_6_1_streamed_data_comes_in_pieces_of_the_input(void **state) {
  (void)state;
  stream s = {{0}, 0};
  ADD(&s, H2E_FRAME_DATA, H2E_FLAG_PADDED | H2E_FLAG_END_STREAM, 1, 2, 'a', 'b',
      'c', 'd', 0, 0);
  h2e_frame_reader reader = new_reader(H2E_READER_STREAM_DATA);
  h2e_frame frame;
  /* Header and Pad Length: nothing to hand out yet. */
  assert_int_equal(read_piece(&reader, s.bytes, 10, &frame), 0);
  assert_int_equal(read_piece(&reader, s.bytes + 10, 3, &frame), 1);
  assert_ptr_equal(frame.u.data.data, s.bytes + 10);
  assert_int_equal(frame.u.data.data_len, 3);
  assert_int_equal(frame.u.data.offset, 0);
  assert_int_equal(frame.u.data.last, 0);
  assert_int_equal(frame.hd.length, 7);
  assert_int_equal(frame.hd.flags, H2E_FLAG_PADDED | H2E_FLAG_END_STREAM);
  /* The last data octet and part of the padding. */
  assert_int_equal(read_piece(&reader, s.bytes + 13, 2, &frame), 1);
  assert_ptr_equal(frame.u.data.data, s.bytes + 13);
  assert_int_equal(frame.u.data.data_len, 1);
  assert_int_equal(frame.u.data.offset, 3);
  assert_int_equal(frame.u.data.last, 0);
  /* The padding ends the frame with an empty last piece. */
  assert_int_equal(read_piece(&reader, s.bytes + 15, 1, &frame), 1);
  assert_int_equal(frame.u.data.data_len, 0);
  assert_int_equal(frame.u.data.offset, 4);
  assert_int_equal(frame.u.data.last, 1);
  assert_int_equal(frame.u.data.pad_len, 2);
}

static void test_6_1_streamed_data_whole_in_input_is_one_piece(void **state) {
  (void)state;
  stream s = {{0}, 0};
  ADD(&s, H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, 1, 'a', 'b', 0);
  ADD_EMPTY(&s, H2E_FRAME_DATA, H2E_FLAG_END_STREAM, 1);
  h2e_frame_reader reader = new_reader(H2E_READER_STREAM_DATA);
  h2e_frame frame;
  h2e_frame_error err;
  size_t consumed;
  assert_int_equal(
      h2e_frame_read(&reader, s.bytes, s.len, &consumed, &frame, &err), 1);
  assert_int_equal(consumed, 13);
  assert_int_equal(frame.u.data.data_len, 2);
  assert_int_equal(frame.u.data.last, 1);
  assert_int_equal(read_piece(&reader, s.bytes + 13, 9, &frame), 1);
  assert_int_equal(frame.u.data.data_len, 0);
  assert_int_equal(frame.u.data.last, 1);
  assert_int_equal(frame.hd.flags, H2E_FLAG_END_STREAM);
}

static void test_6_1_streamed_data_checks_pad_length_on_arrival(void **state) {
  (void)state;
  stream s = {{0}, 0};
  ADD(&s, H2E_FRAME_DATA, H2E_FLAG_PADDED, 1, 9, 'a', 'b', 0);
  h2e_frame_reader reader = new_reader(H2E_READER_STREAM_DATA);
  h2e_frame frame;
  h2e_frame_error err;
  size_t consumed;
  assert_int_equal(
      h2e_frame_read(&reader, s.bytes, 10, &consumed, &frame, &err),
      H2E_ERR_PROTOCOL);
  assert_int_equal(err.code, H2E_PROTOCOL_ERROR);
  assert_int_equal(err.scope, H2E_SCOPE_CONNECTION);
}

static void test_4_2_reader_rejects_an_oversized_header_at_once(void **s_) {
  (void)s_;
  const uint8_t header[9] = {0x00, 0x40, 0x01, 0x00, 0x00, 0, 0, 0, 1};
  h2e_frame_reader reader = new_reader(0);
  h2e_frame frame;
  h2e_frame_error err;
  size_t consumed;
  assert_int_equal(h2e_frame_read(&reader, header, 9, &consumed, &frame, &err),
                   H2E_ERR_PROTOCOL);
  assert_int_equal(consumed, 9);
  assert_int_equal(err.code, H2E_FRAME_SIZE_ERROR);
  assert_int_equal(err.scope, H2E_SCOPE_CONNECTION);
}

static void test_5_4_1_reader_connection_error_is_sticky(void **state) {
  (void)state;
  stream s = {{0}, 0};
  ADD(&s, H2E_FRAME_PING, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8);
  ADD(&s, H2E_FRAME_PING, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  h2e_frame_reader reader = new_reader(0);
  h2e_frame frame;
  h2e_frame_error err;
  size_t consumed;
  assert_int_equal(
      h2e_frame_read(&reader, s.bytes, s.len, &consumed, &frame, &err),
      H2E_ERR_PROTOCOL);
  assert_int_equal(consumed, 9);
  const char *reason = err.reason;
  memset(&err, 0, sizeof err);
  assert_int_equal(h2e_frame_read(&reader, s.bytes + 17, s.len - 17, &consumed,
                                  &frame, &err),
                   H2E_ERR_PROTOCOL);
  assert_int_equal(consumed, 0);
  assert_int_equal(err.code, H2E_PROTOCOL_ERROR);
  assert_ptr_equal(err.reason, reason);
}

static void test_5_4_2_reader_skips_a_frame_with_a_stream_error(void **state) {
  (void)state;
  stream s = {{0}, 0};
  ADD(&s, H2E_FRAME_PRIORITY, 0, 3, 0, 0, 0, 1, 16, 0, 0, 0);
  ADD(&s, H2E_FRAME_PING, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  h2e_frame_reader reader = new_reader(0);
  h2e_frame frame;
  h2e_frame_error err;
  size_t consumed;
  /* The error comes once the frame has been read to its end. */
  assert_int_equal(
      h2e_frame_read(&reader, s.bytes, 12, &consumed, &frame, &err), 0);
  assert_int_equal(h2e_frame_read(&reader, s.bytes + 12, s.len - 12, &consumed,
                                  &frame, &err),
                   H2E_ERR_PROTOCOL);
  assert_int_equal(consumed, 5);
  assert_int_equal(err.code, H2E_FRAME_SIZE_ERROR);
  assert_int_equal(err.scope, H2E_SCOPE_STREAM);
  assert_int_equal(err.stream_id, 3);
  assert_int_equal(h2e_frame_read(&reader, s.bytes + 17, s.len - 17, &consumed,
                                  &frame, &err),
                   1);
  assert_int_equal(frame.hd.type, H2E_FRAME_PING);
}

static void test_reader_init_checks_its_arguments(void **state) {
  (void)state;
  h2e_frame_reader reader;
  assert_int_equal(
      h2e_frame_reader_init(&reader, reader_buf, MAX_FRAME - 1, MAX_FRAME, 0),
      H2E_ERR_INVALID_ARG);
  assert_int_equal(h2e_frame_reader_init(&reader, NULL, 0, MAX_FRAME, 0),
                   H2E_ERR_INVALID_ARG);
  assert_int_equal(
      h2e_frame_reader_init(&reader, reader_buf, MAX_FRAME, 16383, 0),
      H2E_ERR_INVALID_ARG);
  assert_int_equal(
      h2e_frame_reader_init(&reader, reader_buf, MAX_FRAME, MAX_FRAME, 0), 0);
  assert_int_equal(h2e_frame_reader_set_max_frame_size(&reader, 16385),
                   H2E_ERR_INVALID_ARG);
  h2e_frame frame;
  size_t consumed;
  assert_int_equal(h2e_frame_read(&reader, NULL, 1, &consumed, &frame, NULL),
                   H2E_ERR_INVALID_ARG);
}

/* A reader without a buffer reads frames whole in the input, and asks
 * for one only when a frame spans inputs. */
static void
test_reader_takes_a_buffer_only_when_a_frame_spans_inputs(void **state) {
  (void)state;
  stream s = {{0}, 0};
  ADD(&s, H2E_FRAME_PING, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8);
  ADD(&s, H2E_FRAME_PING, H2E_FLAG_ACK, 0, 8, 7, 6, 5, 4, 3, 2, 1);
  h2e_frame_reader reader;
  assert_int_equal(h2e_frame_reader_init(&reader, NULL, MAX_FRAME, MAX_FRAME,
                                         H2E_READER_STREAM_DATA),
                   0);
  h2e_frame frame;
  h2e_frame_error err;
  size_t consumed;
  assert_int_equal(
      h2e_frame_read(&reader, s.bytes, s.len, &consumed, &frame, &err), 1);
  assert_int_equal(consumed, 17);
  assert_ptr_equal(frame.payload, s.bytes + 9); /* in place */
  /* The second PING arrives in two pieces. */
  const uint8_t *second = s.bytes + 17;
  assert_int_equal(h2e_frame_read(&reader, second, 12, &consumed, &frame, &err),
                   H2E_ERR_NOMEM);
  assert_int_equal(consumed, 9); /* its header */
  assert_int_equal(h2e_frame_reader_set_buffer(&reader, reader_buf), 0);
  assert_int_equal(
      h2e_frame_read(&reader, second + 9, 3, &consumed, &frame, &err), 0);
  assert_int_equal(consumed, 3);
  /* Not taken back while the frame is assembled in it. */
  assert_int_equal(h2e_frame_reader_set_buffer(&reader, NULL),
                   H2E_ERR_WOULDBLOCK);
  assert_int_equal(
      h2e_frame_read(&reader, second + 12, 5, &consumed, &frame, &err), 1);
  assert_int_equal(frame.hd.flags, H2E_FLAG_ACK);
  assert_ptr_equal(frame.payload, reader_buf);
  assert_memory_equal(frame.u.ping.opaque_data, second + 9, 8);
  assert_int_equal(h2e_frame_reader_set_buffer(&reader, NULL), 0);
}

static void test_4_2_reader_applies_a_new_max_frame_size(void **state) {
  (void)state;
  static uint8_t big_buf[20000];
  static uint8_t big[9 + 16385];
  h2e_frame_reader reader;
  assert_int_equal(
      h2e_frame_reader_init(&reader, big_buf, sizeof big_buf, MAX_FRAME, 0), 0);
  h2e_frame_write_header(big, 16385, H2E_FRAME_DATA, 0, 1);
  h2e_frame frame;
  h2e_frame_error err;
  size_t consumed;
  assert_int_equal(h2e_frame_reader_set_max_frame_size(&reader, 16385), 0);
  assert_int_equal(
      h2e_frame_read(&reader, big, sizeof big, &consumed, &frame, &err), 1);
  assert_int_equal(frame.u.data.data_len, 16385);
  assert_int_equal(h2e_frame_reader_set_max_frame_size(&reader, MAX_FRAME), 0);
  assert_int_equal(
      h2e_frame_read(&reader, big, sizeof big, &consumed, &frame, &err),
      H2E_ERR_PROTOCOL);
  assert_int_equal(err.code, H2E_FRAME_SIZE_ERROR);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_4_1_every_split_point_gives_the_same_frames),
      cmocka_unit_test(
          test_4_1_every_pair_of_split_points_gives_the_same_frames),
      cmocka_unit_test(test_6_1_streamed_data_matches_at_every_split_point),
      cmocka_unit_test(
          test_5_4_1_connection_error_ends_the_stream_at_every_split),
      cmocka_unit_test(test_reader_hands_out_whole_frames_in_place),
      cmocka_unit_test(test_reader_payload_after_a_split_header_stays_in_place),
      cmocka_unit_test(test_reader_assembles_a_split_payload_in_its_buffer),
      cmocka_unit_test(test_6_1_streamed_data_comes_in_pieces_of_the_input),
      cmocka_unit_test(test_6_1_streamed_data_whole_in_input_is_one_piece),
      cmocka_unit_test(test_6_1_streamed_data_checks_pad_length_on_arrival),
      cmocka_unit_test(test_4_2_reader_rejects_an_oversized_header_at_once),
      cmocka_unit_test(test_5_4_1_reader_connection_error_is_sticky),
      cmocka_unit_test(test_5_4_2_reader_skips_a_frame_with_a_stream_error),
      cmocka_unit_test(test_reader_init_checks_its_arguments),
      cmocka_unit_test(test_4_2_reader_applies_a_new_max_frame_size),
      cmocka_unit_test(
          test_reader_takes_a_buffer_only_when_a_frame_spans_inputs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
