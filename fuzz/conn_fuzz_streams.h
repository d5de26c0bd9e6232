/* What the connection fuzz targets remember per stream: the header blocks
 * the application submitted (to match the engine's output against), the
 * body octets submitted and written, the peer's WINDOW_UPDATE credit, the
 * application's unconsumed DATA, and how the stream ended on each side.
 * A fixed open-addressing table; streams beyond it go unchecked. */
#ifndef CONN_FUZZ_STREAMS_H
#define CONN_FUZZ_STREAMS_H

#include "conn_fuzz_check.h"

#define CF_STREAMS_CAP 1024 /* power of two */
#define CF_EXPECT_MAX  8    /* submitted blocks not yet seen on the wire */
#define CF_RECENT_MAX  16

typedef struct cf_stream {
  uint32_t id; /* 0: free slot */
  /* engine output */
  uint8_t headers_sent; /* a HEADERS of the engine's was on the wire */
  uint8_t end_sent;     /* END_STREAM on the wire */
  uint8_t rst_sent;     /* RST_STREAM on the wire */
  uint8_t blocks_lost;  /* more blocks submitted than we could remember */
  uint8_t promised;     /* a push of the engine's reserved it */
  uint64_t data_sent;   /* DATA payload octets on the wire */
  uint32_t expected[CF_EXPECT_MAX]; /* hashes of submitted blocks */
  uint8_t expected_head;
  uint8_t expected_count;
  /* submits */
  uint64_t data_submitted; /* body octets queued (pattern offset) */
  /* peer input, as the engine consumed it */
  uint64_t window_credit; /* WINDOW_UPDATE increments */
  uint8_t peer_end;       /* END_STREAM from the peer */
  uint8_t peer_rst;       /* RST_STREAM from the peer */
  /* application */
  uint8_t ended;       /* STREAM_CLOSED or STREAM_RESET pulled */
  uint64_t unconsumed; /* DATA delivered, not given back */
} cf_stream;

typedef struct cf_streams {
  cf_stream *slots;
  uint32_t used;
  uint32_t recent[CF_RECENT_MAX]; /* ids seen lately, to aim frames at */
  uint32_t recent_count;
  uint32_t recent_next;
} cf_streams;

/* The table lives as long as the process (runs reuse it: fresh memory
 * for every run costs more than the run). */
static void cf_streams_init(cf_streams *s) {
  static cf_stream *slots;
  if (slots == NULL && (slots = malloc(CF_STREAMS_CAP * sizeof *slots)) == NULL)
    abort();
  memset(slots, 0, CF_STREAMS_CAP * sizeof *slots);
  memset(s, 0, sizeof *s);
  s->slots = slots;
}

/* The record of a stream, created when `create`; NULL for id 0, or when
 * the table is full. */
static cf_stream *cf_stream_get(cf_streams *s, uint32_t id, int create) {
  if (id == 0)
    return NULL;
  uint32_t mask = CF_STREAMS_CAP - 1;
  for (uint32_t i = (id * 2654435761u) & mask;; i = (i + 1) & mask) {
    cf_stream *st = &s->slots[i];
    if (st->id == id)
      return st;
    if (st->id == 0) {
      if (!create || s->used >= CF_STREAMS_CAP / 2)
        return NULL;
      s->used++;
      st->id = id;
      return st;
    }
  }
}

static void cf_streams_note(cf_streams *s, uint32_t id) {
  if (id == 0)
    return;
  for (uint32_t i = 0; i < s->recent_count; i++)
    if (s->recent[i] == id)
      return;
  s->recent[s->recent_next] = id;
  s->recent_next = (s->recent_next + 1) % CF_RECENT_MAX;
  if (s->recent_count < CF_RECENT_MAX)
    s->recent_count++;
}

static uint32_t cf_streams_recent(const cf_streams *s, uint8_t choice) {
  return s->recent_count ? s->recent[choice % s->recent_count] : 0;
}

/* A header block the application submitted on the stream. */
static void cf_stream_expect_block(cf_streams *s, uint32_t id, uint32_t hash) {
  cf_stream *st = cf_stream_get(s, id, 1);
  if (st == NULL)
    return;
  if (st->expected_count == CF_EXPECT_MAX) {
    st->blocks_lost = 1;
    return;
  }
  st->expected[(st->expected_head + st->expected_count++) % CF_EXPECT_MAX] =
      hash;
}

/* A block on the wire must be the next submitted one still expected;
 * blocks the engine took back (the peer reset the stream first) may be
 * skipped, but none may be reordered or invented. */
static int cf_stream_match_block(cf_streams *s, uint32_t id, uint32_t hash) {
  cf_stream *st = cf_stream_get(s, id, 0);
  if (st == NULL || st->blocks_lost)
    return 1;
  while (st->expected_count > 0) {
    uint32_t want = st->expected[st->expected_head];
    st->expected_head = (uint8_t)((st->expected_head + 1) % CF_EXPECT_MAX);
    st->expected_count--;
    if (want == hash)
      return 1;
  }
  return 0;
}

#endif
