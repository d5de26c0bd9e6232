/* Configuration defaults and checks, and the memory bound they imply. */
#include "conn.h"
#include "conn_sizes.h"

#include "hpack_inspect.h"

#include <string.h>

void h2e_config_init(h2e_config *config, h2e_role role) {
  memset(config, 0, sizeof *config);
  config->role = role;
  config->header_table_size = 4096;
  config->enable_push = 0;
  config->max_concurrent_streams = 100;
  config->initial_window_size = 65535;
  config->max_frame_size = H2E_MAX_FRAME_SIZE_MIN;
  config->max_header_list_size = 65536;
  config->enable_connect_protocol = 0;
  config->no_rfc7540_priorities = 1;
  config->connection_window = 65535;
  config->window_update_percent = 50;
  config->settings_timeout_ms = 10000;
  config->output_buffer_size = 65536;
  config->max_queued_control = 64;
  config->max_events = 64;
  config->max_pending_data = 1024;
  config->reset_burst = 1000;
  config->reset_rate_per_sec = 33;
}

static int is_bool(uint32_t value) {
  return value <= 1;
}

int h2e_config_valid(const h2e_config *c) {
  /* RFC 9113 §6.5.2 ranges; the rest are this engine's bounds. */
  return (c->role == H2E_CLIENT || c->role == H2E_SERVER) &&
         c->header_table_size <= H2E_HPACK_CAPACITY_MAX &&
         is_bool(c->enable_push) &&
         (c->role == H2E_CLIENT || c->enable_push == 0) &&
         c->max_concurrent_streams <= H2E_MAX_CONCURRENT_STREAMS_CONFIG &&
         c->initial_window_size <= H2E_MAX_WINDOW_SIZE &&
         c->max_frame_size >= H2E_MAX_FRAME_SIZE_MIN &&
         c->max_frame_size <= H2E_MAX_FRAME_SIZE_MAX &&
         c->max_header_list_size >= 1024 &&
         c->max_header_list_size <= H2E_MAX_HEADER_LIST_CONFIG &&
         is_bool(c->enable_connect_protocol) &&
         is_bool(c->no_rfc7540_priorities) && c->connection_window >= 65535 &&
         c->connection_window <= H2E_MAX_WINDOW_SIZE &&
         c->window_update_percent <= 100 && c->output_buffer_size >= 1024 &&
         c->max_queued_control >= 1 && c->max_events >= 1 &&
         c->max_pending_data >= 1 && c->max_pending_data <= (1u << 24) &&
         c->http_flags <= (H2E_HTTP_RAW | H2E_HTTP_LENIENT_WHITESPACE |
                           H2E_HTTP_LENIENT_NAMES | H2E_HTTP_JOIN_COOKIES);
}

static size_t max_size(size_t a, size_t b) {
  return a > b ? a : b;
}

void h2e_conn_sizes_compute(const h2e_config *c, h2e_conn_sizes *s) {
  s->decoder_table = max_size(4096, c->header_table_size);
  s->stream_cap = 2 * c->max_concurrent_streams;
  s->closed_cap = s->stream_cap + 32;
  /* RFC 9113 §8.2.3: joined cookies need room for their value again. */
  size_t join_room =
      (c->http_flags & H2E_HTTP_JOIN_COOKIES) ? c->max_header_list_size : 0;
  s->arena_bytes = max_size(c->max_header_list_size, s->decoder_table) +
                   join_room + H2E_ARENA_SLACK_BYTES;
  s->arena_fields = c->max_header_list_size / 32 + 1 + H2E_ARENA_SLACK_FIELDS;
  s->block_bound = (size_t)c->max_header_list_size + H2E_BLOCK_SLACK;
  s->events = 2 * c->max_events + s->stream_cap + 8;
  s->ctrl = H2E_PREFACE_LEN + H2E_SETTINGS_FRAME_MAX + 13 +
            (size_t)c->max_queued_control * H2E_ANSWER_MAX +
            3 * H2E_GOAWAY_FRAME_MAX + (size_t)H2E_PINGS_MAX * 17 +
            H2E_PENDING_SETTINGS_MAX * H2E_SETTINGS_FRAME_MAX +
            (size_t)H2E_UPDATES_ROOM * 13;
  s->blocks = c->output_buffer_size;
  s->held = c->output_buffer_size / 4;
  s->encoder = h2e_hpack_encoder_memsize(4096);
  s->decoder = h2e_hpack_decoder_memsize((uint32_t)s->decoder_table);
}

size_t h2e_conn_memsize_max(const h2e_config *config) {
  if (config == NULL || !h2e_config_valid(config))
    return 0;
  h2e_conn_sizes s;
  h2e_conn_sizes_compute(config, &s);
  return sizeof(h2e_conn) + sizeof(h2e_awaited) +
         H2E_SEGMENTS_MAX * sizeof(h2e_out_seg) + config->max_frame_size +
         s.arena_bytes + s.arena_fields * sizeof(h2e_field) + s.block_bound +
         s.encoder + s.decoder +
         h2e_stream_table_memsize_max(s.stream_cap, s.closed_cap) +
         h2e_slab_memsize_max(sizeof(h2e_data_entry), H2E_ENTRIES_PER_CHUNK,
                              config->max_pending_data) +
         s.events * sizeof(h2e_event) + s.ctrl + s.blocks + s.held;
}
