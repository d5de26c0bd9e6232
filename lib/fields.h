/* Looking up header fields by name in a caller's field list (the
 * submit-side checks: push, extended CONNECT). */
#ifndef H2E_FIELDS_H
#define H2E_FIELDS_H

#include "h2e.h"

/* The first field with this name (lower case, NUL-terminated), or NULL. */
const h2e_field *h2e_field_find(const h2e_field *fields, size_t count,
                                const char *name);
/* Whether a field's value is exactly this text. */
int h2e_field_value_is(const h2e_field *field, const char *value);

#endif
