/* Decoded header fields for the HPACK tests: output space and comparison. */
#ifndef H2E_TEST_HPACK_FIELDS_H
#define H2E_TEST_HPACK_FIELDS_H

#include "h2e_hpack.h"

#include <stdio.h>

/* An h2e_hpack_output with heap space of the given capacities. */
int hpack_output_alloc(h2e_hpack_output *out, size_t buf_cap,
                       size_t fields_cap);
void hpack_output_release(h2e_hpack_output *out);

/* Index of the first field where got and want differ in name or value
 * (flags are not compared), the shorter count when one list is a prefix
 * of the other, or -1 when both lists are equal. */
long hpack_fields_mismatch(const h2e_field *got, size_t got_count,
                           const h2e_field *want, size_t want_count);

/* Prints "label[index] name: value" with unprintable bytes escaped, or
 * "label[index] (none)" past the end of the list. */
void hpack_field_print(FILE *stream, const char *label, const h2e_field *fields,
                       size_t count, size_t index);

#endif
