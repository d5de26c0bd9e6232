/* Fuzz target for the Priority field value parser (RFC 9218 §4, RFC 8941
 * §4.2).
 *
 * Input: the field value, whole.
 *
 * Checks: (1) the result is always a valid priority, the defaults when the
 * value does not parse; (2) the formatted result parses back to itself;
 * (3) a value that parses and has a member keeps parsing with one more
 * member appended, and `u` appended last decides the urgency (RFC 8941
 * §4.2.2: the last value of a member counts). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h2e_priority.h"

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond))                                                               \
      abort();                                                                 \
  } while (0)

static int has_member(const uint8_t *data, size_t size) {
  for (size_t k = 0; k < size; k++)
    if (data[k] != ' ')
      return 1;
  return 0;
}

static void check_appended(const uint8_t *data, size_t size,
                           const h2e_priority *before) {
  static const char tail[] = ", u=5";
  uint8_t *longer = malloc(size + sizeof tail - 1);
  CHECK(longer != NULL);
  memcpy(longer, data, size);
  memcpy(longer + size, tail, sizeof tail - 1);
  h2e_priority after;
  CHECK(h2e_priority_parse(longer, size + sizeof tail - 1, &after) == H2E_OK);
  CHECK(after.urgency == 5 && after.incremental == before->incremental);
  free(longer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  h2e_priority out;
  int rc = h2e_priority_parse(data, size, &out);
  CHECK(rc == H2E_OK || rc == H2E_ERR_PROTOCOL);
  CHECK(out.urgency < H2E_URGENCY_LEVELS && out.incremental <= 1);
  if (rc != H2E_OK)
    CHECK(out.urgency == H2E_URGENCY_DEFAULT && out.incremental == 0);
  uint8_t text[H2E_PRIORITY_FORMAT_MAX];
  ptrdiff_t len = h2e_priority_format(&out, text, sizeof text);
  CHECK(len >= 0);
  h2e_priority again;
  CHECK(h2e_priority_parse(text, (size_t)len, &again) == H2E_OK);
  CHECK(again.urgency == out.urgency && again.incremental == out.incremental);
  if (rc == H2E_OK && has_member(data, size))
    check_appended(data, size, &out);
  return 0;
}
