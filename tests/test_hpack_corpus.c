/* RFC 7541 against the hpack-test-case corpus: every story encoded by one
 * of 14 implementations decodes, case after case on one decoder, to
 * exactly the headers the story lists, whole or fed in fragments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hpack_corpus.h"
#include "hpack_fields.h"

/* Far above the corpus' largest case (28 fields, 2061 bytes of list). */
#define OUTPUT_BUF_BYTES 65536
#define OUTPUT_FIELDS    256

/* Decodes one block fed in fragments of `fragment` bytes (0: whole),
 * passing the unconsumed tail of each call again with the next fragment.
 * Returns 0, an h2e error, or 1 when the last call left bytes behind. */
static ptrdiff_t decode_block(h2e_hpack_decoder *decoder, h2e_hpack_output *out,
                              const uint8_t *wire, size_t len,
                              size_t fragment) {
  size_t start = 0, end = 0;
  h2e_hpack_decode_begin(decoder, out);
  do {
    end = fragment == 0 || len - end < fragment ? len : end + fragment;
    ptrdiff_t consumed =
        h2e_hpack_decode(decoder, wire + start, end - start, end == len);
    if (consumed < 0)
      return consumed;
    start += (size_t)consumed;
  } while (end < len);
  return start == len ? 0 : 1;
}

static void expect_case_decodes(const hpack_story *story, size_t seqno,
                                h2e_hpack_decoder *decoder,
                                h2e_hpack_output *out, size_t fragment) {
  const hpack_case *c = &story->cases[seqno];
  /* RFC 7541 §4.2: the SETTINGS_HEADER_TABLE_SIZE acknowledged before
   * this block bounds the size updates it may carry. */
  if (c->header_table_size != HPACK_CASE_NO_TABLE_SIZE)
    assert_int_equal(h2e_hpack_decoder_set_max_table_size(
                         decoder, (uint32_t)c->header_table_size),
                     H2E_OK);
  ptrdiff_t rv = decode_block(decoder, out, c->wire, c->wire_len, fragment);
  if (rv != 0)
    fail_msg("%s case %zu (fragments of %zu): %s", story->path, seqno, fragment,
             rv > 0 ? "block not consumed" : h2e_strerror((int)rv));
  long at =
      hpack_fields_mismatch(out->fields, out->count, c->fields, c->field_count);
  if (at >= 0) {
    hpack_field_print(stdout, "decoded", out->fields, out->count, (size_t)at);
    hpack_field_print(stdout, "listed ", c->fields, c->field_count, (size_t)at);
    fail_msg("%s case %zu (fragments of %zu): field %ld differs", story->path,
             seqno, fragment, at);
  }
}

/* One fresh decoder per story, with the default settings (table 4096)
 * unless the story advertises more: the decoder's memory is sized at
 * creation for the largest table it will ever allow. Returns the number
 * of cases decoded. */
static size_t expect_story_decodes(const hpack_story *story,
                                   h2e_hpack_output *out, size_t fragment) {
  h2e_hpack_decoder_config config;
  h2e_hpack_decoder_config_init(&config);
  assert_int_equal(config.max_table_size, 4096);
  config.max_table_size = hpack_story_max_table_size(story, 4096);
  h2e_hpack_decoder *decoder = h2e_hpack_decoder_new(&config, NULL);
  assert_non_null(decoder);
  for (size_t seqno = 0; seqno < story->case_count; seqno++)
    expect_case_decodes(story, seqno, decoder, out, fragment);
  h2e_hpack_decoder_free(decoder);
  return story->case_count;
}

static void load_wire_corpus(hpack_corpus *corpus) {
  /* A missing or partial corpus fails here rather than passing vacuously. */
  assert_int_equal(
      hpack_corpus_load(corpus, HPACK_CORPUS_ROOT, HPACK_CORPUS_WIRE), 0);
  assert_int_equal(corpus->directory_count, HPACK_CORPUS_WIRE_DIRECTORIES);
  assert_int_equal(corpus->story_count, HPACK_CORPUS_WIRE_STORIES);
}

/* Each fragment size from 1 to FRAGMENT_SIZES in turn, story by story. */
#define FRAGMENT_SIZES 7

static void decode_every_story(size_t (*fragment_of)(size_t story_index)) {
  hpack_corpus corpus;
  h2e_hpack_output out;
  size_t cases = 0;
  load_wire_corpus(&corpus);
  assert_int_equal(hpack_output_alloc(&out, OUTPUT_BUF_BYTES, OUTPUT_FIELDS),
                   0);
  for (size_t i = 0; i < corpus.story_count; i++)
    cases += expect_story_decodes(&corpus.stories[i], &out, fragment_of(i));
  assert_int_equal(cases, HPACK_CORPUS_WIRE_CASES);
  hpack_output_release(&out);
  hpack_corpus_free(&corpus);
}

static size_t whole_block(size_t story_index) {
  (void)story_index;
  return 0;
}

static size_t small_fragments(size_t story_index) {
  return 1 + story_index % FRAGMENT_SIZES;
}

static void
test_3_2_every_corpus_story_decodes_to_its_listed_headers(void **state) {
  (void)state;
  decode_every_story(whole_block);
}

static void test_3_2_corpus_stories_decode_the_same_in_fragments(void **state) {
  (void)state;
  decode_every_story(small_fragments);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(
          test_3_2_every_corpus_story_decodes_to_its_listed_headers),
      cmocka_unit_test(test_3_2_corpus_stories_decode_the_same_in_fragments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
