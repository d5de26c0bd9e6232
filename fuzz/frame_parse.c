/* Fuzz target for the frame codec.
 *
 * Input: one control octet, then a stream of frames. Control bit 0 turns
 * on H2E_READER_STREAM_DATA, bit 1 raises max_frame_size to 2^24-1, the
 * other bits seed the reader's split points.
 *
 * Checks: (1) every frame the one-shot parser accepts re-serializes to the
 * same length, differing from the input only in cleared bits (unused
 * flags, reserved bits, padding), parses back to the same frame, and
 * serializes again identically; a frame cut short is never accepted.
 * (2) the incremental reader fed random chunks gives the same frames and
 * errors as the one-shot parser, DATA pieces reassembled. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "frame_equal.h"
#include "h2e_frame.h"

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond))                                                               \
      abort();                                                                 \
  } while (0)

typedef struct outcome {
  int is_error;
  h2e_frame frame;
  h2e_frame_error err;
} outcome;

typedef struct run {
  const uint8_t *bytes;
  size_t len;
  uint32_t max_frame_size;
  unsigned options;
  uint32_t seed;
  outcome *expected;
  size_t count;
  uint8_t *scratch; /* serialized frames, reassembled DATA */
  size_t scratch_cap;
} run;

static uint8_t reader_buf[H2E_MAX_FRAME_SIZE_MAX];

/* Re-serialization changes nothing but bits the parser ignores. */
static void check_rewrite(const run *r, const uint8_t *original,
                          const h2e_frame *frame) {
  size_t size = H2E_FRAME_HEADER_LEN + frame->hd.length;
  size_t needed = 0;
  uint8_t *out = r->scratch;
  uint8_t *again = r->scratch + size;
  CHECK(h2e_frame_write(frame, out, size - 1, &needed) ==
        H2E_ERR_BUFFER_TOO_SMALL);
  CHECK(needed == size);
  CHECK(h2e_frame_write(frame, out, size, NULL) == (ptrdiff_t)size);
  CHECK(memcmp(out, original, 4) == 0); /* length and type */
  for (size_t i = 4; i < size; i++)
    CHECK((out[i] & ~original[i]) == 0);
  h2e_frame reparsed;
  h2e_frame_error err;
  CHECK(h2e_frame_parse(out, size, r->max_frame_size, &reparsed, &err) ==
        (ptrdiff_t)size);
  CHECK(h2e_frame_equal(frame, &reparsed));
  CHECK(h2e_frame_write(&reparsed, again, size, NULL) == (ptrdiff_t)size);
  CHECK(memcmp(out, again, size) == 0);
}

/* The one-shot parser over the whole stream; a stream error skips its
 * frame, a connection error ends the stream. */
static void parse_all(run *r) {
  size_t pos = 0;
  while (pos < r->len) {
    outcome *o = &r->expected[r->count];
    ptrdiff_t result = h2e_frame_parse(r->bytes + pos, r->len - pos,
                                       r->max_frame_size, &o->frame, &o->err);
    if (result == H2E_ERR_NEED_MORE)
      return;
    r->count++;
    if (result > 0) {
      size_t size = (size_t)result;
      h2e_frame cut;
      CHECK(h2e_frame_parse(r->bytes + pos, size - 1, r->max_frame_size, &cut,
                            NULL) == H2E_ERR_NEED_MORE);
      check_rewrite(r, r->bytes + pos, &o->frame);
      pos += size;
      continue;
    }
    CHECK(result == H2E_ERR_PROTOCOL);
    CHECK(o->err.reason != NULL);
    o->is_error = 1;
    if (o->err.scope == H2E_SCOPE_CONNECTION)
      return;
    pos += H2E_FRAME_HEADER_LEN + o->frame.hd.length;
  }
}

typedef struct checker {
  const run *r;
  size_t next;
  size_t data_len; /* DATA reassembled so far */
  int failed;
} checker;

static uint32_t next_random(uint32_t *state) {
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

/* Results past the expected ones: only the start of a frame the input
 * cuts short (DATA pieces, or a Pad Length already known to be bad). */
static void check_tail(checker *c, int result, const h2e_frame *frame,
                       const h2e_frame_error *err) {
  CHECK(c->r->options & H2E_READER_STREAM_DATA);
  if (result == H2E_ERR_PROTOCOL) {
    CHECK(err->scope == H2E_SCOPE_CONNECTION);
    c->failed = 1;
    return;
  }
  CHECK(frame->hd.type == H2E_FRAME_DATA && !frame->u.data.last &&
        frame->u.data.data_len > 0);
}

static void check_piece(checker *c, const h2e_frame *piece,
                        const h2e_frame *whole) {
  CHECK(piece->hd.length == whole->hd.length);
  CHECK(piece->hd.flags == whole->hd.flags);
  CHECK(piece->hd.stream_id == whole->hd.stream_id);
  CHECK(piece->u.data.offset == c->data_len);
  CHECK(piece->u.data.data_len > 0 || piece->u.data.last);
  CHECK(c->data_len + piece->u.data.data_len <= whole->u.data.data_len);
  if (piece->u.data.data_len)
    CHECK(memcmp(piece->u.data.data, whole->u.data.data + c->data_len,
                 piece->u.data.data_len) == 0);
  c->data_len += piece->u.data.data_len;
  if (!piece->u.data.last)
    return;
  CHECK(c->data_len == whole->u.data.data_len);
  CHECK(piece->u.data.pad_len == whole->u.data.pad_len);
  c->data_len = 0;
  c->next++;
}

static void check_result(checker *c, int result, const h2e_frame *frame,
                         const h2e_frame_error *err) {
  if (c->next == c->r->count) {
    check_tail(c, result, frame, err);
    return;
  }
  const outcome *want = &c->r->expected[c->next];
  if (result == H2E_ERR_PROTOCOL) {
    CHECK(want->is_error);
    CHECK(err->code == want->err.code && err->scope == want->err.scope &&
          err->stream_id == want->err.stream_id &&
          err->reason == want->err.reason);
    c->failed = err->scope == H2E_SCOPE_CONNECTION;
    c->next++;
    return;
  }
  CHECK(result == 1 && !want->is_error);
  if ((c->r->options & H2E_READER_STREAM_DATA) &&
      frame->hd.type == H2E_FRAME_DATA) {
    CHECK(want->frame.hd.type == H2E_FRAME_DATA);
    check_piece(c, frame, &want->frame);
    return;
  }
  CHECK(h2e_frame_equal(frame, &want->frame));
  c->next++;
}

static void read_in_chunks(const run *r) {
  h2e_frame_reader reader;
  CHECK(h2e_frame_reader_init(&reader, reader_buf, sizeof reader_buf,
                              r->max_frame_size, r->options) == 0);
  checker c = {r, 0, 0, 0};
  uint32_t random = r->seed * 2654435761u + (uint32_t)r->len + 1;
  size_t pos = 0;
  while (pos < r->len && !c.failed) {
    size_t chunk_end = pos + 1 + next_random(&random) % (r->len - pos);
    while (pos < chunk_end && !c.failed) {
      h2e_frame frame;
      h2e_frame_error err;
      size_t consumed = 0;
      int result = h2e_frame_read(&reader, r->bytes + pos, chunk_end - pos,
                                  &consumed, &frame, &err);
      CHECK(consumed <= chunk_end - pos);
      pos += consumed;
      if (result == 0) {
        CHECK(pos == chunk_end);
        break;
      }
      check_result(&c, result, &frame, &err);
    }
  }
  CHECK(c.next == r->count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  run r;
  memset(&r, 0, sizeof r);
  r.bytes = data + 1;
  r.len = size - 1;
  r.options = (data[0] & 1) ? H2E_READER_STREAM_DATA : 0;
  r.max_frame_size =
      (data[0] & 2) ? H2E_MAX_FRAME_SIZE_MAX : H2E_MAX_FRAME_SIZE_MIN;
  r.seed = data[0] >> 2;
  r.expected = calloc(r.len / H2E_FRAME_HEADER_LEN + 1, sizeof *r.expected);
  r.scratch_cap = 2 * r.len + 2;
  r.scratch = malloc(r.scratch_cap);
  CHECK(r.expected && r.scratch);
  parse_all(&r);
  read_in_chunks(&r);
  free(r.scratch);
  free(r.expected);
  return 0;
}
