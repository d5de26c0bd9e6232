/* Header fields by name (see fields.h). */
#include "fields.h"

#include <string.h>

const h2e_field *h2e_field_find(const h2e_field *fields, size_t count,
                                const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; i < count; i++)
    if (fields[i].name_len == len && memcmp(fields[i].name, name, len) == 0)
      return &fields[i];
  return NULL;
}

int h2e_field_value_is(const h2e_field *field, const char *value) {
  size_t len = strlen(value);
  return field->value_len == len && memcmp(field->value, value, len) == 0;
}
