/* Incremental frame reader: input in chunks split anywhere, frames out one
 * at a time. A payload whole in the chunk is handed out in place; one that
 * spans chunks is assembled in the caller's buffer, except DATA in
 * H2E_READER_STREAM_DATA mode, which goes out in pieces as it arrives. */
#include "frame.h"
#include "prefetch.h"

#include <string.h>

enum reader_state {
  READ_HEADER = 0,
  READ_PAYLOAD, /* assembling a payload */
  READ_DATA,    /* streaming a DATA payload */
  READ_SKIP     /* discarding the payload of a frame with a stream error */
};

/* The input of one h2e_frame_read call and how far it is used. */
typedef struct reader_input {
  const uint8_t *bytes;
  size_t len;
  size_t pos;
} reader_input;

static size_t input_left(const reader_input *input) {
  return input->len - input->pos;
}

static size_t min_size(size_t a, size_t b) {
  return a < b ? a : b;
}

static int reader_fail(h2e_frame_reader *reader, h2e_frame_error *err) {
  if (reader->error.scope == H2E_SCOPE_CONNECTION)
    reader->failed = 1;
  if (err)
    *err = reader->error;
  return H2E_ERR_PROTOCOL;
}

static int max_frame_size_valid(uint32_t size, size_t buf_cap) {
  return size >= H2E_MAX_FRAME_SIZE_MIN && size <= H2E_MAX_FRAME_SIZE_MAX &&
         size <= buf_cap;
}

int h2e_frame_reader_init(h2e_frame_reader *reader, uint8_t *buf,
                          size_t buf_cap, uint32_t max_frame_size,
                          unsigned options) {
  if (reader == NULL || !max_frame_size_valid(max_frame_size, buf_cap))
    return H2E_ERR_INVALID_ARG;
  memset(reader, 0, sizeof *reader);
  reader->buf = buf;
  reader->buf_cap = buf_cap;
  reader->max_frame_size = max_frame_size;
  reader->options = options;
  reader->state = READ_HEADER;
  return 0;
}

int h2e_frame_reader_set_max_frame_size(h2e_frame_reader *reader,
                                        uint32_t max_frame_size) {
  if (!max_frame_size_valid(max_frame_size, reader->buf_cap))
    return H2E_ERR_INVALID_ARG;
  reader->max_frame_size = max_frame_size;
  return 0;
}

int h2e_frame_reader_set_buffer(h2e_frame_reader *reader, uint8_t *buf) {
  if (reader == NULL)
    return H2E_ERR_INVALID_ARG;
  if (buf == NULL && reader->buf_have > 0)
    return H2E_ERR_WOULDBLOCK; /* a frame is being assembled in it */
  reader->buf = buf;
  return 0;
}

/* The frame is over: the next octet starts a header. */
static void frame_done(h2e_frame_reader *reader) {
  reader->state = READ_HEADER;
  reader->header_have = 0;
  reader->buf_have = 0;
  reader->payload_done = 0;
}

static int decode_whole(h2e_frame_reader *reader, const uint8_t *payload,
                        h2e_frame *out, h2e_frame_error *err) {
  frame_done(reader);
  out->hd = reader->hd;
  if (h2e_frame_decode_payload(&reader->hd, payload, out, &reader->error))
    return reader_fail(reader, err);
  return 1;
}

static int read_payload(h2e_frame_reader *reader, reader_input *input,
                        h2e_frame *out, h2e_frame_error *err) {
  uint32_t length = reader->hd.length;
  /* Zero copy when the whole payload is in this chunk. */
  if (reader->buf_have == 0 && input_left(input) >= length) {
    const uint8_t *payload = input->bytes + input->pos;
    input->pos += length;
    return decode_whole(reader, payload, out, err);
  }
  if (reader->buf == NULL)
    return H2E_ERR_NOMEM; /* the caller gives one and calls again */
  size_t take = min_size(input_left(input), length - reader->buf_have);
  memcpy(reader->buf + reader->buf_have, input->bytes + input->pos, take);
  reader->buf_have += take;
  input->pos += take;
  if (reader->buf_have < length)
    return 0;
  return decode_whole(reader, reader->buf, out, err);
}

static int read_skip(h2e_frame_reader *reader, reader_input *input,
                     h2e_frame_error *err) {
  size_t take =
      min_size(input_left(input), reader->hd.length - reader->payload_done);
  reader->payload_done += (uint32_t)take;
  input->pos += take;
  if (reader->payload_done < reader->hd.length)
    return 0;
  frame_done(reader);
  return reader_fail(reader, err);
}

/* RFC 9113 §6.1: the Pad Length octet, checked as soon as it arrives. */
static int read_pad_length(h2e_frame_reader *reader, reader_input *input,
                           h2e_frame_error *err) {
  reader->pad_len = input->bytes[input->pos++];
  reader->payload_done = 1;
  if (h2e_frame_check_padding(&reader->hd, reader->pad_len, &reader->error))
    return reader_fail(reader, err);
  return 0;
}

static void data_piece(const h2e_frame_reader *reader, const uint8_t *data,
                       size_t len, uint32_t offset, h2e_frame *out) {
  memset(out, 0, sizeof *out);
  out->hd = reader->hd;
  out->payload = data;
  out->payload_len = len;
  out->u.data.data = data;
  out->u.data.data_len = len;
  out->u.data.pad_len = reader->pad_len;
  out->u.data.offset = offset;
  out->u.data.last = reader->payload_done == reader->hd.length;
}

/* Hands out the DATA octets of this chunk, then eats the padding. A piece
 * goes out when it holds data or ends the frame. */
static int read_data(h2e_frame_reader *reader, reader_input *input,
                     h2e_frame *out, h2e_frame_error *err) {
  /* RFC 9113 §6.1: the Pad Length is all DATA has in front. */
  uint32_t prefix = (reader->hd.flags & H2E_FLAG_PADDED) ? 1 : 0;
  if (prefix > reader->payload_done) {
    if (input_left(input) == 0)
      return 0;
    if (read_pad_length(reader, input, err))
      return H2E_ERR_PROTOCOL;
  }
  uint32_t data_end = reader->hd.length - reader->pad_len;
  uint32_t data_done =
      reader->payload_done < data_end ? reader->payload_done : data_end;
  const uint8_t *data = input->bytes + input->pos;
  size_t take = min_size(input_left(input), data_end - data_done);
  reader->payload_done += (uint32_t)take;
  input->pos += take;
  if (reader->payload_done >= data_end) {
    size_t padding =
        min_size(input_left(input), reader->hd.length - reader->payload_done);
    reader->payload_done += (uint32_t)padding;
    input->pos += padding;
  }
  if (take == 0 && reader->payload_done < reader->hd.length)
    return 0;
  data_piece(reader, data, take, data_done - prefix, out);
  if (out->u.data.last)
    frame_done(reader);
  return 1;
}

static int run_state(h2e_frame_reader *reader, reader_input *input,
                     h2e_frame *out, h2e_frame_error *err);

/* Sets up the reading of a payload once its 9 header octets are known. */
static int start_payload(h2e_frame_reader *reader, const uint8_t *header,
                         reader_input *input, h2e_frame *out,
                         h2e_frame_error *err) {
  h2e_frame_header_decode(header, &reader->hd);
  reader->pad_len = 0;
  size_t next_header = input->pos + reader->hd.length;
  if (next_header < input->len)
    H2E_PREFETCH(input->bytes + next_header);
  if (h2e_frame_check_header(&reader->hd, reader->max_frame_size,
                             &reader->error)) {
    if (reader->error.scope == H2E_SCOPE_CONNECTION)
      return reader_fail(reader, err);
    reader->state = READ_SKIP;
  } else if (reader->hd.type == H2E_FRAME_DATA &&
             (reader->options & H2E_READER_STREAM_DATA)) {
    reader->state = READ_DATA;
  } else {
    reader->state = READ_PAYLOAD;
  }
  /* An empty payload completes without further input. */
  return run_state(reader, input, out, err);
}

static int read_header(h2e_frame_reader *reader, reader_input *input,
                       h2e_frame *out, h2e_frame_error *err) {
  size_t take =
      min_size(input_left(input), H2E_FRAME_HEADER_LEN - reader->header_have);
  memcpy(reader->header + reader->header_have, input->bytes + input->pos, take);
  reader->header_have = (uint8_t)(reader->header_have + take);
  input->pos += take;
  if (reader->header_have < H2E_FRAME_HEADER_LEN)
    return 0;
  return start_payload(reader, reader->header, input, out, err);
}

static int run_state(h2e_frame_reader *reader, reader_input *input,
                     h2e_frame *out, h2e_frame_error *err) {
  switch (reader->state) {
  case READ_PAYLOAD:
    return read_payload(reader, input, out, err);
  case READ_DATA:
    return read_data(reader, input, out, err);
  case READ_SKIP:
    return read_skip(reader, input, err);
  default:
    return read_header(reader, input, out, err);
  }
}

int h2e_frame_read(h2e_frame_reader *reader, const uint8_t *in, size_t len,
                   size_t *consumed, h2e_frame *out, h2e_frame_error *err) {
  reader_input input = {in, len, 0};
  if (reader == NULL || consumed == NULL || out == NULL ||
      (in == NULL && len != 0))
    return H2E_ERR_INVALID_ARG;
  *consumed = 0;
  if (reader->failed)
    return reader_fail(reader, err);
  int result = 0;
  /* A header whole in the input is decoded in place, not copied. */
  if (reader->state == READ_HEADER && reader->header_have == 0 &&
      len >= H2E_FRAME_HEADER_LEN) {
    input.pos = H2E_FRAME_HEADER_LEN;
    result = start_payload(reader, in, &input, out, err);
  }
  while (result == 0 && input_left(&input) > 0)
    result = run_state(reader, &input, out, err);
  *consumed = input.pos;
  return result;
}
