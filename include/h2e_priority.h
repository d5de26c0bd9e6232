/* h2e — RFC 9218 priority parameters: the Priority header field value and
 * the Priority Field Value of a PRIORITY_UPDATE frame (same text).
 *
 * The value is an RFC 8941 Structured Field Dictionary. Two members mean
 * something (RFC 9218 §4): `u`, the urgency, an Integer 0..7 (0 is the
 * most urgent; default 3), and `i`, incremental, a Boolean (default
 * false; a bare `i` is true). Unknown members are ignored; so are `u` and
 * `i` members of the wrong type or out of range (their default holds).
 * Standalone: usable without a connection (include/h2e.h has the
 * connection calls that apply priorities).
 */
#ifndef H2E_PRIORITY_H
#define H2E_PRIORITY_H

#include "h2e_base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define H2E_URGENCY_LEVELS  8 /* urgencies 0 (first) .. 7 (last) */
#define H2E_URGENCY_DEFAULT 3

typedef struct h2e_priority {
  uint8_t urgency;     /* 0..7 */
  uint8_t incremental; /* 0 or 1 */
} h2e_priority;

/* Parses a field value into *out. Returns H2E_OK, or H2E_ERR_PROTOCOL when
 * the value is not an RFC 8941 Dictionary (RFC 8941 §4.2: the whole value
 * is then ignored, so *out holds the defaults), or H2E_ERR_INVALID_ARG
 * for NULL arguments. Never reads beyond value[len). */
H2E_API int h2e_priority_parse(const uint8_t *value, size_t len,
                               h2e_priority *out);

/* The longest text h2e_priority_format writes ("u=7, i"). */
#define H2E_PRIORITY_FORMAT_MAX 6

/* Writes the field value for a priority, members at their default left
 * out ("u=1, i", "i", "u=5", or "" for the defaults). Returns its length,
 * H2E_ERR_BUFFER_TOO_SMALL, or H2E_ERR_INVALID_ARG (urgency above 7,
 * incremental not 0 or 1). */
H2E_API ptrdiff_t h2e_priority_format(const h2e_priority *priority,
                                      uint8_t *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* H2E_PRIORITY_H */
