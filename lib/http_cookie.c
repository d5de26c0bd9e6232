/* RFC 9113 §8.2.3: cookie crumbs split over several fields are joined
 * with "; " before the message leaves HTTP/2, here into the room the
 * connection keeps for it beside the decoded fields (no allocation). */
#include "http_check.h"

#include <string.h>

static int is_cookie(const h2e_field *f) {
  return f->name_len == 6 && memcmp(f->name, "cookie", 6) == 0;
}

static int is_blank(uint8_t c) {
  return c == ' ' || c == '\t';
}

/* RFC 9113 §8.2.1: whitespace at a crumb's end would hide inside the
 * joined value; such a list stays as it is, for the checks to see. */
static int padded(const h2e_field *f) {
  return f->value_len &&
         (is_blank(f->value[0]) || is_blank(f->value[f->value_len - 1]));
}

size_t h2e_http_cookies_room(const h2e_field *fields, size_t count) {
  size_t crumbs = 0, octets = 0;
  for (size_t i = 0; i < count; i++)
    if (is_cookie(&fields[i])) {
      if (padded(&fields[i]))
        return 0;
      crumbs++;
      octets += fields[i].value_len;
    }
  return crumbs < 2 ? 0 : octets + 2 * (crumbs - 1);
}

size_t h2e_http_join_cookies(h2e_field *fields, size_t count, uint8_t *room) {
  h2e_field *first = NULL;
  size_t kept = 0, used = 0;
  for (size_t i = 0; i < count; i++) {
    h2e_field f = fields[i];
    if (!is_cookie(&f)) {
      fields[kept++] = f;
      continue;
    }
    if (first) { /* RFC 9113 §8.2.3: crumbs joined with "; " */
      room[used++] = ';';
      room[used++] = ' ';
    }
    if (f.value_len)
      memcpy(room + used, f.value, f.value_len);
    used += f.value_len;
    if (first == NULL) {
      first = &fields[kept];
      fields[kept++] = f;
    }
  }
  if (first) {
    first->value = room;
    first->value_len = (uint32_t)used;
  }
  return kept;
}
