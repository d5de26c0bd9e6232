/* Fuzz target: HPACK encode -> decode round trip.
 *
 * The input drives an encoder configuration and a series of header blocks
 * sharing one encoder and one decoder (and one libnghttp2 inflater as a
 * second, independent decoder), with peer table size changes between
 * blocks (RFC 7541 §4.2, RFC 9113 §6.5.2 SETTINGS_HEADER_TABLE_SIZE). Each
 * block's fields are names and values from the static table, from earlier
 * fields (to hit the dynamic table), or arbitrary bytes, with the
 * never-index and no-index flags set at random.
 *
 * Checks: h2e_hpack_encode_bound is an upper bound; an encode into less
 * room fails with H2E_ERR_BUFFER_TOO_SMALL and leaves the encoder as it
 * was (the following blocks still decode right); both decoders give back
 * exactly the fields, in order, with never-indexed fields kept
 * never-indexed (RFC 7541 §6.2.3); never more memory live than the
 * codecs' memsize bounds (reached while their tables grow), and no
 * allocation by an encode that fails for want of room.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "fuzz_alloc.h"
#include "fuzz_input.h"
#include "h2e_hpack.h"
#include "hpack_inspect.h"

#define MAX_BLOCKS           8
#define MAX_FIELDS_PER_BLOCK 24
#define MAX_FIELDS           (MAX_BLOCKS * MAX_FIELDS_PER_BLOCK)
#define MAX_LONG_VALUE       8192
/* The decoder's table is allocated for the largest fuzz_table_size(). */
#define DECODER_TABLE_SIZE 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why, size_t block, size_t field) {
  fprintf(stderr, "hpack_roundtrip: %s (block %zu, field %zu)\n", why, block,
          field);
  abort();
}

/* RFC 7541 Appendix A names, and values that often go with them. */
static const char *const known_names[] = {
    ":authority",
    ":method",
    ":path",
    ":scheme",
    ":status",
    "accept-charset",
    "accept-encoding",
    "accept-language",
    "accept-ranges",
    "accept",
    "access-control-allow-origin",
    "age",
    "allow",
    "authorization",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-range",
    "content-type",
    "cookie",
    "date",
    "etag",
    "expect",
    "expires",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "last-modified",
    "link",
    "location",
    "max-forwards",
    "proxy-authenticate",
    "proxy-authorization",
    "range",
    "referer",
    "refresh",
    "retry-after",
    "server",
    "set-cookie",
    "strict-transport-security",
    "transfer-encoding",
    "user-agent",
    "vary",
    "via",
    "www-authenticate",
    "x-custom-header",
};
static const char *const known_values[] = {
    "",
    "GET",
    "POST",
    "/",
    "/index.html",
    "http",
    "https",
    "200",
    "204",
    "206",
    "304",
    "400",
    "404",
    "500",
    "gzip, deflate",
    "no-cache",
    "text/html; charset=utf-8",
};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* The fields of every block so far; long values live in `long_values`. */
typedef struct field_source {
  fuzz_input in;
  h2e_field fields[MAX_FIELDS];
  size_t count;
  uint8_t *long_values[MAX_FIELDS];
  size_t long_count;
} field_source;

static void set_text(const uint8_t **bytes, uint32_t *len, const char *text) {
  *bytes = (const uint8_t *)text;
  *len = (uint32_t)strlen(text);
}

/* A long value: the input's next bytes repeated to the chosen length. */
static void make_long_value(field_source *src, h2e_field *field) {
  size_t len = fuzz_u16(&src->in) % MAX_LONG_VALUE;
  const uint8_t *pattern;
  size_t pattern_len = fuzz_take(&src->in, fuzz_byte(&src->in), &pattern);
  uint8_t *value = malloc(len ? len : 1);
  if (value == NULL)
    fail("out of memory", 0, 0);
  for (size_t i = 0; i < len; i++)
    value[i] = pattern_len ? pattern[i % pattern_len] : (uint8_t)i;
  src->long_values[src->long_count++] = value;
  field->value = value;
  field->value_len = (uint32_t)len;
}

static void make_name(field_source *src, h2e_field *field, uint8_t choice) {
  if (choice < 160) {
    set_text(&field->name, &field->name_len,
             known_names[choice % COUNT(known_names)]);
  } else if (choice < 208 && src->count > 0) {
    const h2e_field *earlier = &src->fields[fuzz_byte(&src->in) % src->count];
    field->name = earlier->name;
    field->name_len = earlier->name_len;
  } else {
    field->name_len =
        (uint32_t)fuzz_take(&src->in, fuzz_byte(&src->in) % 32, &field->name);
  }
}

static void make_value(field_source *src, h2e_field *field, uint8_t choice) {
  if (choice < 64) {
    set_text(&field->value, &field->value_len,
             known_values[choice % COUNT(known_values)]);
  } else if (choice < 160) {
    field->value_len =
        (uint32_t)fuzz_take(&src->in, fuzz_byte(&src->in) % 64, &field->value);
  } else if (choice < 232 && src->count > 0) {
    const h2e_field *earlier = &src->fields[fuzz_byte(&src->in) % src->count];
    field->value = earlier->value;
    field->value_len = earlier->value_len;
  } else {
    make_long_value(src, field);
  }
}

/* Appends one block's fields to src->fields; returns where they start. */
static h2e_field *make_block_fields(field_source *src, size_t count) {
  h2e_field *first = &src->fields[src->count];
  for (size_t i = 0; i < count; i++) {
    h2e_field field = {0};
    uint8_t kind = fuzz_byte(&src->in);
    if (kind >= 224 && src->count > 0) { /* an earlier field, flags too */
      field = src->fields[fuzz_byte(&src->in) % src->count];
    } else {
      make_name(src, &field, fuzz_byte(&src->in));
      make_value(src, &field, fuzz_byte(&src->in));
      field.flags = kind & (H2E_FIELD_NEVER_INDEX | H2E_FIELD_NO_INDEX);
    }
    src->fields[src->count++] = field;
  }
  return first;
}

typedef struct codecs {
  h2e_hpack_encoder *encoder;
  h2e_hpack_decoder *decoder;
  nghttp2_hd_inflater *inflater;
  fuzz_alloc_state alloc_state;
} codecs;

/* RFC 7541 §4.2: our SETTINGS_HEADER_TABLE_SIZE changed and was ACKed;
 * the encoder hears of it, the decoders enforce it. */
static void change_table_size(codecs *c, uint32_t size) {
  h2e_hpack_encoder_set_peer_table_size(c->encoder, size);
  if (h2e_hpack_decoder_set_max_table_size(c->decoder, size) != H2E_OK)
    fail("h2e_hpack_decoder_set_max_table_size failed", 0, 0);
  if (nghttp2_hd_inflate_change_table_size(c->inflater, size) != 0)
    fail("nghttp2_hd_inflate_change_table_size failed", 0, 0);
}

static int same_bytes(const uint8_t *a, size_t a_len, const uint8_t *b,
                      size_t b_len) {
  return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

static void expect_field(const h2e_field *want, const uint8_t *name,
                         size_t name_len, const uint8_t *value,
                         size_t value_len, int never_indexed, size_t block,
                         size_t i) {
  if (!same_bytes(name, name_len, want->name, want->name_len) ||
      !same_bytes(value, value_len, want->value, want->value_len))
    fail("decoded field differs", block, i);
  /* RFC 7541 §6.2.3: a never-indexed field stays never-indexed. */
  if ((want->flags & H2E_FIELD_NEVER_INDEX) && !never_indexed)
    fail("never-indexed field decoded as indexable", block, i);
}

static void h2e_decode_block(codecs *c, const uint8_t *block, size_t len,
                             const h2e_field *want, size_t count,
                             size_t fragment, size_t block_no) {
  size_t text_bytes = 0;
  for (size_t i = 0; i < count; i++)
    text_bytes += want[i].name_len + want[i].value_len;
  /* Exactly the room the fields need, or the table size h2e asks for at
   * least: ASan sees any overrun. */
  size_t room =
      text_bytes > DECODER_TABLE_SIZE ? text_bytes : DECODER_TABLE_SIZE;
  h2e_hpack_output out = {0};
  out.buf = malloc(room);
  out.buf_cap = room;
  out.fields = malloc(count * sizeof *out.fields);
  out.fields_cap = count;
  h2e_hpack_decode_begin(c->decoder, &out);
  size_t start = 0, end = 0;
  do {
    end = fragment == 0 || len - end < fragment ? len : end + fragment;
    ptrdiff_t consumed =
        h2e_hpack_decode(c->decoder, block + start, end - start, end == len);
    if (consumed < 0)
      fail(h2e_strerror((int)consumed), block_no, out.count);
    start += (size_t)consumed;
  } while (end < len);
  if (start != len || out.count != count)
    fail("h2e decoded a different number of fields", block_no, out.count);
  for (size_t i = 0; i < count; i++)
    expect_field(&want[i], out.fields[i].name, out.fields[i].name_len,
                 out.fields[i].value, out.fields[i].value_len,
                 (out.fields[i].flags & H2E_FIELD_NEVER_INDEX) != 0, block_no,
                 i);
  free(out.buf);
  free(out.fields);
}

static void nghttp2_decode_block(codecs *c, const uint8_t *block, size_t len,
                                 const h2e_field *want, size_t count,
                                 size_t block_no) {
  size_t emitted = 0;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t consumed =
        nghttp2_hd_inflate_hd2(c->inflater, &nv, &flags, block, len, 1);
    if (consumed < 0)
      fail("nghttp2 rejected h2e's block", block_no, emitted);
    block += consumed;
    len -= (size_t)consumed;
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      if (emitted == count)
        fail("nghttp2 decoded more fields", block_no, emitted);
      expect_field(&want[emitted], nv.name, nv.namelen, nv.value, nv.valuelen,
                   (nv.flags & NGHTTP2_NV_FLAG_NO_INDEX) != 0, block_no,
                   emitted);
      emitted++;
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL)
      break;
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0)
      fail("nghttp2 did not finish the block", block_no, emitted);
  }
  nghttp2_hd_inflate_end_headers(c->inflater);
  if (emitted != count)
    fail("nghttp2 decoded fewer fields", block_no, emitted);
}

/* Tries an encode into less than the bound: it must fail untouched. */
static void expect_too_small(codecs *c, const h2e_field *fields, size_t count,
                             size_t bound, uint8_t choice, size_t block_no) {
  if (bound == 0)
    return;
  size_t cap = choice % bound;
  uint8_t *room = malloc(cap);
  c->alloc_state.steady = 1;
  ptrdiff_t rv = h2e_hpack_encode(c->encoder, fields, count, room, cap);
  c->alloc_state.steady = 0;
  if (rv != H2E_ERR_BUFFER_TOO_SMALL)
    fail("encode below the bound did not fail", block_no, 0);
  free(room);
}

static void run_block(codecs *c, field_source *src, size_t block_no) {
  uint8_t control = fuzz_byte(&src->in);
  for (unsigned n = control & 3u; n > 0; n--)
    change_table_size(c, fuzz_table_size(fuzz_byte(&src->in)));
  size_t count = fuzz_byte(&src->in) % (MAX_FIELDS_PER_BLOCK + 1);
  const h2e_field *fields = make_block_fields(src, count);
  size_t bound = h2e_hpack_encode_bound(c->encoder, fields, count);
  if (control & 0x20u)
    expect_too_small(c, fields, count, bound, fuzz_byte(&src->in), block_no);
  uint8_t *block = malloc(bound);
  ptrdiff_t len = h2e_hpack_encode(c->encoder, fields, count, block, bound);
  if (len < 0 || (size_t)len > bound)
    fail("encode failed or overran its bound", block_no, 0);
  h2e_decode_block(c, block, (size_t)len, fields, count,
                   fuzz_fragment_size((uint8_t)(control >> 2), (size_t)len),
                   block_no);
  nghttp2_decode_block(c, block, (size_t)len, fields, count, block_no);
  free(block);
}

static void open_codecs(codecs *c, field_source *src,
                        h2e_allocator *allocator) {
  h2e_hpack_encoder_config encoder_config;
  h2e_hpack_encoder_config_init(&encoder_config);
  encoder_config.max_table_size = fuzz_table_size(fuzz_byte(&src->in));
  encoder_config.index_policy =
      (h2e_hpack_index_policy)(fuzz_byte(&src->in) % 3);
  encoder_config.never_index_cookie_below = fuzz_byte(&src->in) % 40;
  encoder_config.huffman = fuzz_byte(&src->in) % 2;
  h2e_hpack_decoder_config decoder_config;
  h2e_hpack_decoder_config_init(&decoder_config);
  decoder_config.max_table_size = DECODER_TABLE_SIZE;
  decoder_config.max_header_list_size = UINT32_MAX;
  c->alloc_state.limit =
      h2e_hpack_encoder_memsize(encoder_config.max_table_size) +
      h2e_hpack_decoder_memsize(decoder_config.max_table_size);
  c->encoder = h2e_hpack_encoder_new(&encoder_config, allocator);
  c->decoder = h2e_hpack_decoder_new(&decoder_config, allocator);
  if (c->encoder == NULL || c->decoder == NULL ||
      nghttp2_hd_inflate_new(&c->inflater) != 0)
    fail("cannot create the codecs", 0, 0);
}

static void close_codecs(codecs *c) {
  h2e_hpack_encoder_free(c->encoder);
  h2e_hpack_decoder_free(c->decoder);
  nghttp2_hd_inflate_del(c->inflater);
  fuzz_alloc_expect_all_freed(&c->alloc_state);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  field_source *src = calloc(1, sizeof *src);
  codecs c;
  if (src == NULL)
    return 0;
  src->in.data = data;
  src->in.len = size;
  h2e_allocator allocator = fuzz_allocator(&c.alloc_state);
  open_codecs(&c, src, &allocator);
  size_t blocks = 1 + fuzz_byte(&src->in) % MAX_BLOCKS;
  for (size_t k = 0; k < blocks; k++)
    run_block(&c, src, k);
  close_codecs(&c);
  for (size_t i = 0; i < src->long_count; i++)
    free(src->long_values[i]);
  free(src);
  return 0;
}
