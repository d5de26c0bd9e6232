/* PRIORITY_UPDATE frames for streams not open yet (RFC 9218 §7), kept in
 * a small fixed table until the stream opens: every operation is a scan
 * of at most H2E_PRIORITY_MEMO_MAX entries, and nothing is allocated. */
#include "priority.h"

static void drop(h2e_priority_memo *memo, uint32_t k) {
  memo->entries[k] = memo->entries[--memo->count];
}

void h2e_priority_memo_forget(h2e_priority_memo *memo, uint32_t last_id) {
  uint32_t k = 0;
  while (k < memo->count) {
    if (memo->entries[k].stream_id <= last_id)
      drop(memo, k);
    else
      k++;
  }
}

static int64_t find(const h2e_priority_memo *memo, uint32_t stream_id) {
  for (uint32_t k = 0; k < memo->count; k++)
    if (memo->entries[k].stream_id == stream_id)
      return k;
  return -1;
}

int h2e_priority_memo_has(const h2e_priority_memo *memo, uint32_t stream_id) {
  return find(memo, stream_id) >= 0;
}

/* The entry with the highest stream id (the memo is not empty). */
static uint32_t highest(const h2e_priority_memo *memo) {
  uint32_t best = 0;
  for (uint32_t k = 1; k < memo->count; k++)
    if (memo->entries[k].stream_id > memo->entries[best].stream_id)
      best = k;
  return best;
}

void h2e_priority_memo_put(h2e_priority_memo *memo, uint32_t stream_id,
                           const h2e_priority *priority) {
  int64_t at = find(memo, stream_id);
  if (at < 0 && memo->count < H2E_PRIORITY_MEMO_MAX) {
    at = memo->count++;
  } else if (at < 0) {
    uint32_t victim = highest(memo);
    if (memo->entries[victim].stream_id < stream_id)
      return;
    at = victim;
  }
  memo->entries[at].stream_id = stream_id;
  memo->entries[at].priority = *priority;
}

int h2e_priority_memo_take(h2e_priority_memo *memo, uint32_t stream_id,
                           h2e_priority *out) {
  int64_t at = find(memo, stream_id);
  if (at >= 0)
    *out = memo->entries[at].priority;
  h2e_priority_memo_forget(memo, stream_id);
  return at >= 0;
}
