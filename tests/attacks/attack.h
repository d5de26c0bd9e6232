/* A hostile peer for the attack tests: it drives one engine connection
 * in-process with whatever frames an attack needs and keeps the books the
 * tests assert on, rather than checking every exchange the way the
 * conformance peer (tests/support/peer.h) does:
 *
 *   memory  a counting allocator: current, high-water mark, allocations;
 *   output  octets the engine wrote and the frames they parse into (by
 *           type, with the GOAWAY and RST_STREAM codes);
 *   work    input octets offered and accepted, events the application
 *           pulled.
 *
 * The attacker may stop reading the engine's output and the application
 * may stop pulling events, to show that the engine then stops taking
 * input instead of queueing without bound. */
#ifndef H2E_TEST_ATTACK_H
#define H2E_TEST_ATTACK_H

#include "h2e.h"

#include <stddef.h>
#include <stdint.h>

typedef struct attack_memory {
  size_t current;
  size_t peak;
  size_t allocs;
} attack_memory;

typedef struct attack {
  h2e_conn *conn;
  h2e_config config;
  attack_memory memory;
  h2e_allocator allocator;
  uint64_t now_ms;

  int reads_output; /* the attacker drains the engine's output (default 1) */
  int pulls_events; /* the application pulls events (default 1) */
  int answers;      /* it answers complete requests with 204 (default 1) */

  size_t offered;       /* input octets offered to h2e_conn_recv */
  size_t accepted;      /* input octets it consumed */
  size_t events;        /* events pulled */
  size_t requests_seen; /* request heads the application received */
  size_t out_octets;

  /* The engine's output, parsed. */
  h2e_frame_reader reader;
  uint8_t *reader_buf;
  size_t frames_by_type[256];
  int goaway_seen;
  uint32_t goaway_code;
  size_t rst_sent;
  uint32_t last_rst_code;
  size_t resets_seen; /* H2E_EV_STREAM_RESET events */
  int conn_error_seen;
  uint32_t conn_error_code;

  h2e_hpack_encoder *encoder; /* the attacker's header blocks */
  uint8_t *scratch;
  size_t scratch_cap;
  uint32_t next_stream_id;
} attack;

/* A server-role engine (config NULL: defaults) after the opening exchange
 * (our preface, empty SETTINGS, ACKs both ways). */
attack *attack_start(const h2e_config *config);
void attack_free(attack *a);

/* Offers bytes; pulls events and drains output as the switches say, and
 * offers the rest until the engine takes no more. Returns the octets the
 * engine consumed (fewer than len when it pushed back or failed). */
size_t attack_feed(attack *a, const uint8_t *bytes, size_t len);
/* One frame with this header and payload. */
size_t attack_frame(attack *a, uint8_t type, uint8_t flags, uint32_t stream_id,
                    const void *payload, size_t len);
/* HEADERS carrying a GET request on stream_id (a fresh one when 0);
 * returns the stream id. */
uint32_t attack_request(attack *a, uint32_t stream_id, uint8_t flags);
/* A header block of these fields, encoded with the attacker's encoder
 * into a->scratch; returns its length. */
size_t attack_encode(attack *a, const h2e_field *fields, size_t count);

/* Drains and parses the engine's output (also done by attack_feed when
 * reads_output is set). */
void attack_drain(attack *a);
/* Pulls every waiting event. */
void attack_pull(attack *a);
/* Lets time pass and runs the engine's timers. */
void attack_tick(attack *a, uint64_t ms);

/* The connection has failed with GOAWAY(code) on the wire. */
int attack_goaway_with(const attack *a, uint32_t code);

#define ATTACK_FIELD(name, value)                                              \
  {                                                                            \
    (const uint8_t *)(name), (const uint8_t *)(value), sizeof(name) - 1,       \
        sizeof(value) - 1, 0                                                   \
  }

#endif
