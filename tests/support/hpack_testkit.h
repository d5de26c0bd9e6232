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

#endif
