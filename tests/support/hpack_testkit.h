/* Helpers for the HPACK codec unit tests: hex blocks, field lists written
 * as {name, value} string pairs, and dynamic table checks. */
#ifndef H2E_TEST_HPACK_TESTKIT_H
#define H2E_TEST_HPACK_TESTKIT_H

#include "h2e_hpack.h"
#include "hpack_table.h"

#include <stddef.h>
#include <stdint.h>

/* A header field written as two C strings; lists end with {NULL, NULL}. */
typedef struct hpack_pair {
  const char *name;
  const char *value;
} hpack_pair;

/* Decodes hex digits (spaces allowed) into out; returns the byte count.
 * Fails the test on bad input or overflow. */
size_t hpack_test_hex(const char *hex, uint8_t *out, size_t cap);

/* Number of pairs before the {NULL, NULL} end. */
size_t hpack_test_pair_count(const hpack_pair *pairs);

/* Fills fields from pairs (flags 0); returns the count. */
size_t hpack_test_fields(const hpack_pair *pairs, h2e_field *fields,
                         size_t cap);

/* Asserts that the fields are exactly the pairs, in order. */
void hpack_test_expect_fields(const h2e_field *fields, size_t count,
                              const hpack_pair *pairs);

/* Asserts that the table holds exactly the pairs, newest first (RFC 7541
 * Appendix C's "Dynamic Table" listings), and has the given size. */
void hpack_test_expect_table(const h2e_hpack_table *table,
                             const hpack_pair *newest_first, uint32_t size);

/* Decodes a whole block in one call (begin + decode with last = 1). */
ptrdiff_t hpack_test_decode(h2e_hpack_decoder *decoder, h2e_hpack_output *out,
                            const uint8_t *block, size_t len);

/* Decodes a block that arrives cut at the given offsets (ascending, inside
 * the block), the way a connection sees HEADERS and CONTINUATION frames:
 * each call gets what the last one left unconsumed plus the next piece.
 * Returns the result of the call with last = 1, or the first error. */
ptrdiff_t hpack_test_decode_cut(h2e_hpack_decoder *decoder,
                                h2e_hpack_output *out, const uint8_t *block,
                                size_t len, const size_t *cuts,
                                size_t cut_count);

/* An allocator over malloc that counts calls and checks free sizes. */
typedef struct hpack_test_allocator {
  h2e_allocator allocator;
  size_t allocs;
  size_t frees;
  size_t live_bytes;
  size_t fail_after; /* allocations allowed before failing; SIZE_MAX: never */
} hpack_test_allocator;

void hpack_test_allocator_init(hpack_test_allocator *counting);

/* A deterministic generator (xorshift64*) for the randomised tests. */
typedef struct hpack_test_rng {
  uint64_t state;
} hpack_test_rng;

uint32_t hpack_test_rng_next(hpack_test_rng *rng);
/* Uniform in [0, bound). */
uint32_t hpack_test_rng_below(hpack_test_rng *rng, uint32_t bound);

#endif
