/* The hpack-test-case corpus (shared/hpack-test-case) in memory.
 *
 * Each implementation directory holds stories: sequences of header blocks
 * ("cases") that share one HPACK context. A case lists the expected
 * headers in order and, outside raw-data/, the encoded block ("wire") and
 * sometimes the SETTINGS_HEADER_TABLE_SIZE in force ("header_table_size").
 * Used by the tests and by h2e-bench.
 */
#ifndef H2E_TEST_HPACK_CORPUS_H
#define H2E_TEST_HPACK_CORPUS_H

#include "h2e_hpack.h"
#include "json_mini.h"

/* Stories, cases and wire bytes of the whole checked-in corpus. */
#define HPACK_CORPUS_WIRE_DIRECTORIES 14
#define HPACK_CORPUS_WIRE_STORIES     446
#define HPACK_CORPUS_WIRE_CASES       47142
#define HPACK_CORPUS_RAW_STORIES      32
#define HPACK_CORPUS_RAW_CASES        3384

/* header_table_size of a case that gives none (absent or null). */
#define HPACK_CASE_NO_TABLE_SIZE (-1L)

typedef struct hpack_case {
  uint8_t *wire; /* NULL in raw-data */
  size_t wire_len;
  h2e_field *fields; /* strings point into the story's JSON tree */
  size_t field_count;
  long header_table_size; /* or HPACK_CASE_NO_TABLE_SIZE */
} hpack_case;

typedef struct hpack_story {
  char *path; /* "<implementation>/story_NN.json", relative to the root */
  hpack_case *cases;
  size_t case_count;
  json_value json; /* owns the field strings */
} hpack_story;

typedef enum hpack_corpus_part {
  HPACK_CORPUS_WIRE, /* every implementation directory but raw-data */
  HPACK_CORPUS_RAW   /* raw-data only: headers without wire */
} hpack_corpus_part;

typedef struct hpack_corpus {
  hpack_story *stories;
  size_t story_count;
  size_t case_count;
  size_t directory_count;
  size_t wire_bytes;  /* sum of wire_len */
  size_t field_bytes; /* sum of name and value lengths */
  size_t max_fields;  /* most fields in one case */
} hpack_corpus;

/* The corpus root: H2E_SHARED_DIR "/hpack-test-case". */
#define HPACK_CORPUS_ROOT H2E_SHARED_DIR "/hpack-test-case"

/* Loads every story of the part under root, directories and files in name
 * order. Returns 0, or -1 with a message on stderr (missing directory,
 * unreadable or malformed story, a wire case without wire). */
int hpack_corpus_load(hpack_corpus *corpus, const char *root,
                      hpack_corpus_part part);
void hpack_corpus_free(hpack_corpus *corpus);

/* The largest header_table_size the story's cases give, or at_least when
 * that is larger. */
uint32_t hpack_story_max_table_size(const hpack_story *story,
                                    uint32_t at_least);

#endif
