/* Decoded header fields for the HPACK tests. */
#include "hpack_fields.h"

#include <stdlib.h>
#include <string.h>

int hpack_output_alloc(h2e_hpack_output *out, size_t buf_cap,
                       size_t fields_cap) {
  memset(out, 0, sizeof *out);
  out->buf = malloc(buf_cap ? buf_cap : 1);
  out->fields = calloc(fields_cap ? fields_cap : 1, sizeof *out->fields);
  out->buf_cap = buf_cap;
  out->fields_cap = fields_cap;
  if (out->buf != NULL && out->fields != NULL)
    return 0;
  hpack_output_release(out);
  return -1;
}

void hpack_output_release(h2e_hpack_output *out) {
  free(out->buf);
  free(out->fields);
  memset(out, 0, sizeof *out);
}

static int bytes_equal(const uint8_t *a, uint32_t a_len, const uint8_t *b,
                       uint32_t b_len) {
  return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

long hpack_fields_mismatch(const h2e_field *got, size_t got_count,
                           const h2e_field *want, size_t want_count) {
  size_t common = got_count < want_count ? got_count : want_count;
  for (size_t i = 0; i < common; i++)
    if (!bytes_equal(got[i].name, got[i].name_len, want[i].name,
                     want[i].name_len) ||
        !bytes_equal(got[i].value, got[i].value_len, want[i].value,
                     want[i].value_len))
      return (long)i;
  return got_count == want_count ? -1 : (long)common;
}

static void print_escaped(FILE *stream, const uint8_t *bytes, uint32_t len) {
  for (uint32_t i = 0; i < len; i++) {
    if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '\\')
      fputc(bytes[i], stream);
    else
      fprintf(stream, "\\x%02x", bytes[i]);
  }
}

void hpack_field_print(FILE *stream, const char *label, const h2e_field *fields,
                       size_t count, size_t index) {
  fprintf(stream, "%s[%zu] ", label, index);
  if (index >= count) {
    fputs("(none)\n", stream);
    return;
  }
  print_escaped(stream, fields[index].name, fields[index].name_len);
  fputs(": ", stream);
  print_escaped(stream, fields[index].value, fields[index].value_len);
  fputc('\n', stream);
}
