/* Interop with libnghttp2's HPACK codec over the raw-data stories of
 * hpack-test-case: what h2e encodes, h2e and nghttp2 decode to the same
 * headers; what nghttp2 encodes, h2e decodes. Each story gets a fresh
 * encoder and decoder (dynamic table 4096, RFC 7541 §4.2 default). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <nghttp2/nghttp2.h>

#include "hpack_corpus.h"
#include "hpack_fields.h"

#define TABLE_SIZE       4096
#define BLOCK_BYTES      65536
#define OUTPUT_BUF_BYTES 65536
#define OUTPUT_FIELDS    256

/* ---- the two encoders ------------------------------------------------- */

typedef struct encoder_ops {
  void *(*create)(void);
  /* Encodes the case's fields into block[0..cap); returns the length. */
  size_t (*encode)(void *encoder, const hpack_case *c, uint8_t *block,
                   size_t cap);
  void (*destroy)(void *encoder);
} encoder_ops;

static void *h2e_encoder_create(void) {
  h2e_hpack_encoder_config config;
  h2e_hpack_encoder_config_init(&config);
  config.max_table_size = TABLE_SIZE;
  config.index_policy = H2E_HPACK_INDEX_DEFAULT;
  return h2e_hpack_encoder_new(&config, NULL);
}

static size_t h2e_encode(void *encoder, const hpack_case *c, uint8_t *block,
                         size_t cap) {
  size_t bound = h2e_hpack_encode_bound(encoder, c->fields, c->field_count);
  assert_true(bound <= cap);
  ptrdiff_t len =
      h2e_hpack_encode(encoder, c->fields, c->field_count, block, bound);
  assert_true(len >= 0);
  return (size_t)len;
}

static void h2e_encoder_destroy(void *encoder) {
  h2e_hpack_encoder_free(encoder);
}

static void *nghttp2_encoder_create(void) {
  nghttp2_hd_deflater *deflater = NULL;
  assert_int_equal(nghttp2_hd_deflate_new(&deflater, TABLE_SIZE), 0);
  return deflater;
}

static size_t nghttp2_encode(void *encoder, const hpack_case *c, uint8_t *block,
                             size_t cap) {
  nghttp2_nv *nva = calloc(c->field_count + 1, sizeof *nva);
  assert_non_null(nva);
  for (size_t i = 0; i < c->field_count; i++) {
    nva[i].name = (uint8_t *)(uintptr_t)c->fields[i].name;
    nva[i].namelen = c->fields[i].name_len;
    nva[i].value = (uint8_t *)(uintptr_t)c->fields[i].value;
    nva[i].valuelen = c->fields[i].value_len;
  }
  assert_true(nghttp2_hd_deflate_bound(encoder, nva, c->field_count) <= cap);
  ssize_t len = nghttp2_hd_deflate_hd(encoder, block, cap, nva, c->field_count);
  free(nva);
  assert_true(len >= 0);
  return (size_t)len;
}

static void nghttp2_encoder_destroy(void *encoder) {
  nghttp2_hd_deflate_del(encoder);
}

static const encoder_ops h2e_encoder = {h2e_encoder_create, h2e_encode,
                                        h2e_encoder_destroy};
static const encoder_ops nghttp2_encoder = {
    nghttp2_encoder_create, nghttp2_encode, nghttp2_encoder_destroy};

/* ---- the two decoders ------------------------------------------------- */

typedef struct decoder_ops {
  void *(*create)(void);
  /* Decodes a whole block into out (fields, with H2E_FIELD_NEVER_INDEX
   * for never-indexed literals). Returns 0 or a negative error. */
  int (*decode)(void *decoder, const uint8_t *block, size_t len,
                h2e_hpack_output *out);
  void (*destroy)(void *decoder);
} decoder_ops;

static void *h2e_decoder_create(void) {
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  config.max_table_size = TABLE_SIZE;
  return h2e_hpack_decoder_new(&config, NULL);
}

static int h2e_decode(void *decoder, const uint8_t *block, size_t len,
                      h2e_hpack_output *out) {
  h2e_hpack_decode_begin(decoder, out);
  ptrdiff_t consumed = h2e_hpack_decode(decoder, block, len, 1);
  if (consumed < 0)
    return (int)consumed;
  return (size_t)consumed == len ? 0 : H2E_ERR_INTERNAL;
}

static void h2e_decoder_destroy(void *decoder) {
  h2e_hpack_decoder_free(decoder);
}

static void *nghttp2_decoder_create(void) {
  nghttp2_hd_inflater *inflater = NULL;
  assert_int_equal(nghttp2_hd_inflate_new(&inflater), 0);
  return inflater;
}

/* nghttp2's strings live only until its next call: copy them into out. */
static void append_nghttp2_field(h2e_hpack_output *out, const nghttp2_nv *nv) {
  assert_true(out->count < out->fields_cap);
  assert_true(out->buf_cap - out->buf_used >= nv->namelen + nv->valuelen);
  h2e_field *field = &out->fields[out->count++];
  uint8_t *copy = out->buf + out->buf_used;
  memcpy(copy, nv->name, nv->namelen);
  memcpy(copy + nv->namelen, nv->value, nv->valuelen);
  out->buf_used += nv->namelen + nv->valuelen;
  field->name = copy;
  field->name_len = (uint32_t)nv->namelen;
  field->value = copy + nv->namelen;
  field->value_len = (uint32_t)nv->valuelen;
  field->flags =
      nv->flags & NGHTTP2_NV_FLAG_NO_INDEX ? H2E_FIELD_NEVER_INDEX : 0;
}

static int nghttp2_decode(void *decoder, const uint8_t *block, size_t len,
                          h2e_hpack_output *out) {
  out->count = 0;
  out->buf_used = 0;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t consumed =
        nghttp2_hd_inflate_hd2(decoder, &nv, &flags, block, len, 1);
    if (consumed < 0)
      return (int)consumed;
    block += consumed;
    len -= (size_t)consumed;
    if (flags & NGHTTP2_HD_INFLATE_EMIT)
      append_nghttp2_field(out, &nv);
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(decoder);
      return 0;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0)
      return -1; /* the block ended without FINAL */
  }
}

static void nghttp2_decoder_destroy(void *decoder) {
  nghttp2_hd_inflate_del(decoder);
}

static const decoder_ops h2e_decoder = {h2e_decoder_create, h2e_decode,
                                        h2e_decoder_destroy};
static const decoder_ops nghttp2_decoder = {
    nghttp2_decoder_create, nghttp2_decode, nghttp2_decoder_destroy};

/* ---- story runner ----------------------------------------------------- */

/* RFC 7541 §7.1.3 as h2e applies it by default: credentials and short
 * cookies travel as never-indexed literals. */
static int h2e_sends_never_indexed(const h2e_field *field) {
  static const struct {
    const char *name;
    uint32_t value_below; /* 0: any value */
  } sensitive[] = {
      {"authorization", 0},
      {"proxy-authorization", 0},
      {"cookie", 20},
  };
  for (size_t i = 0; i < sizeof sensitive / sizeof sensitive[0]; i++)
    if (field->name_len == strlen(sensitive[i].name) &&
        memcmp(field->name, sensitive[i].name, field->name_len) == 0)
      return sensitive[i].value_below == 0 ||
             field->value_len < sensitive[i].value_below;
  return 0;
}

static void expect_never_index_flags(const hpack_story *story, size_t seqno,
                                     const h2e_hpack_output *out) {
  for (size_t i = 0; i < out->count; i++) {
    int flagged = (out->fields[i].flags & H2E_FIELD_NEVER_INDEX) != 0;
    if (flagged != h2e_sends_never_indexed(&out->fields[i])) {
      hpack_field_print(stdout, "decoded", out->fields, out->count, i);
      fail_msg("%s case %zu field %zu: never-indexed is %d", story->path, seqno,
               i, flagged);
    }
  }
}

typedef struct interop_run {
  const encoder_ops *encoder;
  const decoder_ops *decoder;
  int check_h2e_sensitivity; /* the encoder is h2e: check §7.1.3 flags */
} interop_run;

static void run_story(const interop_run *run, const hpack_story *story,
                      uint8_t *block, h2e_hpack_output *out) {
  void *encoder = run->encoder->create();
  void *decoder = run->decoder->create();
  assert_non_null(encoder);
  assert_non_null(decoder);
  for (size_t seqno = 0; seqno < story->case_count; seqno++) {
    const hpack_case *c = &story->cases[seqno];
    size_t len = run->encoder->encode(encoder, c, block, BLOCK_BYTES);
    int rv = run->decoder->decode(decoder, block, len, out);
    if (rv != 0)
      fail_msg("%s case %zu: decode failed (%d)", story->path, seqno, rv);
    long at = hpack_fields_mismatch(out->fields, out->count, c->fields,
                                    c->field_count);
    if (at >= 0) {
      hpack_field_print(stdout, "decoded", out->fields, out->count, (size_t)at);
      hpack_field_print(stdout, "listed ", c->fields, c->field_count,
                        (size_t)at);
      fail_msg("%s case %zu: field %ld differs", story->path, seqno, at);
    }
    if (run->check_h2e_sensitivity)
      expect_never_index_flags(story, seqno, out);
  }
  run->encoder->destroy(encoder);
  run->decoder->destroy(decoder);
}

static void run_raw_data(const interop_run *run) {
  hpack_corpus corpus;
  h2e_hpack_output out;
  uint8_t *block = malloc(BLOCK_BYTES);
  size_t cases = 0;
  assert_non_null(block);
  assert_int_equal(
      hpack_corpus_load(&corpus, HPACK_CORPUS_ROOT, HPACK_CORPUS_RAW), 0);
  assert_int_equal(corpus.story_count, HPACK_CORPUS_RAW_STORIES);
  assert_int_equal(hpack_output_alloc(&out, OUTPUT_BUF_BYTES, OUTPUT_FIELDS),
                   0);
  for (size_t i = 0; i < corpus.story_count; i++) {
    run_story(run, &corpus.stories[i], block, &out);
    cases += corpus.stories[i].case_count;
  }
  assert_int_equal(cases, HPACK_CORPUS_RAW_CASES);
  hpack_output_release(&out);
  hpack_corpus_free(&corpus);
  free(block);
}

static void test_3_raw_data_encoded_by_h2e_decodes_back_with_h2e(void **state) {
  (void)state;
  const interop_run run = {&h2e_encoder, &h2e_decoder, 1};
  run_raw_data(&run);
}

static void test_3_raw_data_encoded_by_h2e_decodes_with_nghttp2(void **state) {
  (void)state;
  const interop_run run = {&h2e_encoder, &nghttp2_decoder, 1};
  run_raw_data(&run);
}

static void test_3_raw_data_encoded_by_nghttp2_decodes_with_h2e(void **state) {
  (void)state;
  const interop_run run = {&nghttp2_encoder, &h2e_decoder, 0};
  run_raw_data(&run);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_3_raw_data_encoded_by_h2e_decodes_back_with_h2e),
      cmocka_unit_test(test_3_raw_data_encoded_by_h2e_decodes_with_nghttp2),
      cmocka_unit_test(test_3_raw_data_encoded_by_nghttp2_decodes_with_h2e),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
