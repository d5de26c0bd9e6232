/* What a connection allocates, derived from its config: one function
 * computes it for both h2e_conn_new and h2e_conn_memsize_max, so the
 * bound cannot drift from the allocations. */
#ifndef H2E_CONN_SIZES_H
#define H2E_CONN_SIZES_H

#include "h2e.h"

/* Engine bounds on config values (memory is sized from them). */
#define H2E_MAX_CONCURRENT_STREAMS_CONFIG 65536u
#define H2E_MAX_HEADER_LIST_CONFIG        (16u << 20)

/* Frame sizes used to size the control FIFO. */
#define H2E_ANSWER_MAX         17 /* PING ACK; SETTINGS ACK and RST_STREAM less */
#define H2E_SETTINGS_FRAME_MAX ((size_t)9 + (size_t)8 * 6)
#define H2E_GOAWAY_FRAME_MAX   ((size_t)9 + 8 + H2E_GOAWAY_DEBUG_MAX)
/* WINDOW_UPDATE frames that may wait in the control FIFO at once. */
#define H2E_UPDATES_ROOM 64
/* Data entries are allocated this many at a time. */
#define H2E_ENTRIES_PER_CHUNK 64

typedef struct h2e_conn_sizes {
  size_t decoder_table;
  uint32_t stream_cap;
  uint32_t closed_cap;
  size_t arena_bytes;
  size_t arena_fields;
  size_t block_bound;
  uint32_t events;
  size_t ctrl;
  size_t blocks;
  size_t held;
  size_t encoder;
  size_t decoder;
} h2e_conn_sizes;

int h2e_config_valid(const h2e_config *config);
void h2e_conn_sizes_compute(const h2e_config *config, h2e_conn_sizes *sizes);

#endif
