/* RFC 9218 priority signals inside the engine: the field value parser fed
 * one field line at a time (priority.c), and the memory of updates that
 * arrive before their stream opens (priority_memo.c). */
#ifndef H2E_PRIORITY_INTERNAL_H
#define H2E_PRIORITY_INTERNAL_H

#include "h2e_priority.h"

/* ---- parsing ------------------------------------------------------------ */

/* The members that matter, as far as the lines fed so far say. RFC 8941
 * §4.2: several field lines form one value (joined by commas), and a
 * member named twice keeps its last value; RFC 9218 §4 then ignores a
 * last value of the wrong type or range. */
typedef struct h2e_priority_scan {
  int8_t urgency;     /* last `u` if valid, -1 if none or invalid */
  int8_t incremental; /* last `i` if valid, -1 if none or invalid */
  uint8_t failed;     /* a line is not a Dictionary: all is ignored */
} h2e_priority_scan;

void h2e_priority_scan_init(h2e_priority_scan *scan);
/* One field line; returns 0, or -1 when it is not a Dictionary. */
int h2e_priority_scan_line(h2e_priority_scan *scan, const uint8_t *value,
                           size_t len);
/* The priority the lines give (defaults where they say nothing). */
void h2e_priority_scan_result(const h2e_priority_scan *scan, h2e_priority *out);

/* ---- updates for streams not open yet ------------------------------------ */

/* RFC 9218 §7: "Servers SHOULD buffer the most recently received
 * PRIORITY_UPDATE frame and apply it once the referenced stream is
 * opened"; the buffer is bounded (§7: "local implementation policy"). */
#define H2E_PRIORITY_MEMO_MAX 16

typedef struct h2e_priority_memo_entry {
  uint32_t stream_id;
  h2e_priority priority;
} h2e_priority_memo_entry;

typedef struct h2e_priority_memo {
  h2e_priority_memo_entry entries[H2E_PRIORITY_MEMO_MAX];
  uint32_t count;
} h2e_priority_memo;

/* Forgets the entries of streams up to last_id (opened, or closed unused
 * by a higher stream opening: RFC 9113 §5.1.1). */
void h2e_priority_memo_forget(h2e_priority_memo *memo, uint32_t last_id);
int h2e_priority_memo_has(const h2e_priority_memo *memo, uint32_t stream_id);
/* Remembers the latest priority of an idle stream. When full, the entry
 * of the highest stream id gives way (or the new one is dropped if its id
 * is the highest): the streams due to open first keep theirs. */
void h2e_priority_memo_put(h2e_priority_memo *memo, uint32_t stream_id,
                           const h2e_priority *priority);
/* The stream opens: 1 and *out if an update waited for it. Entries of
 * lower ids go too. */
int h2e_priority_memo_take(h2e_priority_memo *memo, uint32_t stream_id,
                           h2e_priority *out);

#endif
