/* The mirror: the peer's octets that h2e_conn_recv consumed, read again
 * with our own frame reader, to know what the engine has been told: the
 * window credit it got (which bounds the DATA it may write, RFC 9113
 * §6.9), and the SETTINGS and PINGs it must answer, in order (§6.5.3,
 * §6.7). Octets the engine never consumed are never mirrored. */
#ifndef CONN_FUZZ_MIRROR_H
#define CONN_FUZZ_MIRROR_H

#include "conn_fuzz_run.h"

#define CF_MIRROR_FRAME_MAX (1u << 17) /* largest max_frame_size we pick */

static void cf_mirror_init(cf_run *r) {
  cf_mirror *m = &r->mirror;
  memset(m, 0, sizeof *m);
  m->preface_left = r->role == H2E_SERVER ? 24 : 0;
  m->max_initial_window = 65535;
  m->max_frame_size_seen = H2E_MAX_FRAME_SIZE_MIN;
  static uint8_t *buf; /* process-long, for the largest frame size used */
  if (buf == NULL)
    buf = malloc(CF_MIRROR_FRAME_MAX);
  m->buf = buf;
  if (m->buf == NULL || r->config.max_frame_size > CF_MIRROR_FRAME_MAX ||
      h2e_frame_reader_init(&m->reader, m->buf, r->config.max_frame_size,
                            r->config.max_frame_size,
                            H2E_READER_STREAM_DATA) != H2E_OK)
    abort();
}

static void cf_mirror_settings(cf_run *r, const h2e_frame *f) {
  cf_mirror *m = &r->mirror;
  if (f->hd.flags & H2E_FLAG_ACK)
    return;
  cf_settings_note note = {0};
  for (size_t i = 0; i < f->u.settings.count; i++) {
    h2e_setting s = h2e_frame_setting(f, i);
    if (s.id == H2E_SETTINGS_HEADER_TABLE_SIZE) {
      note.table_min =
          note.has_table && note.table_min < s.value ? note.table_min : s.value;
      note.table_last = s.value;
      note.has_table = 1;
    } else if (s.id == H2E_SETTINGS_MAX_FRAME_SIZE) {
      note.has_frame_size = 1;
      note.frame_size = s.value;
      if (s.value > m->max_frame_size_seen)
        m->max_frame_size_seen = s.value;
    } else if (s.id == H2E_SETTINGS_INITIAL_WINDOW_SIZE &&
               s.value > m->max_initial_window) {
      m->max_initial_window = s.value;
    } else if (s.id == H2E_SETTINGS_MAX_CONCURRENT_STREAMS) {
      note.has_max_streams = 1;
      note.max_streams = s.value;
    }
  }
  if (m->settings_count == CF_QUEUE_MAX) {
    m->settings_lost = 1;
    return;
  }
  m->settings[(m->settings_head + m->settings_count++) % CF_QUEUE_MAX] = note;
}

static void cf_mirror_ping(cf_run *r, const h2e_frame *f) {
  cf_mirror *m = &r->mirror;
  if (f->hd.flags & H2E_FLAG_ACK)
    return;
  if (m->ping_count == CF_QUEUE_MAX) {
    m->pings_lost = 1;
    return;
  }
  memcpy(m->pings[(m->ping_head + m->ping_count++) % CF_QUEUE_MAX],
         f->u.ping.opaque_data, 8);
}

static void cf_mirror_window_update(cf_run *r, const h2e_frame *f) {
  uint32_t inc = f->u.window_update.increment;
  if (f->hd.stream_id == 0) {
    r->mirror.conn_credit += inc;
    return;
  }
  cf_stream *st = cf_stream_get(&r->streams, f->hd.stream_id, 1);
  if (st)
    st->window_credit += inc;
}

/* How the peer ends streams: END_STREAM, RST_STREAM, GOAWAY (§5.1). */
static void cf_mirror_stream_end(cf_run *r, const h2e_frame *f) {
  cf_mirror *m = &r->mirror;
  if (f->hd.type == H2E_FRAME_GOAWAY) {
    uint32_t last = f->u.goaway.last_stream_id;
    if (!m->goaway_seen || last < m->goaway_last_id)
      m->goaway_last_id = last;
    m->goaway_seen = 1;
    return;
  }
  int end = f->hd.type == H2E_FRAME_RST_STREAM ||
            ((f->hd.type == H2E_FRAME_HEADERS ||
              (f->hd.type == H2E_FRAME_DATA && f->u.data.last)) &&
             (f->hd.flags & H2E_FLAG_END_STREAM));
  if (f->hd.type == H2E_FRAME_DATA && f->u.data.offset == 0)
    m->data_received += f->hd.length; /* §6.9: the whole frame counts */
  if (!end)
    return;
  cf_stream *st = cf_stream_get(&r->streams, f->hd.stream_id, 1);
  if (st && f->hd.type == H2E_FRAME_RST_STREAM)
    st->peer_rst = 1;
  else if (st)
    st->peer_end = 1;
}

static void cf_mirror_frame(cf_run *r, const h2e_frame *f) {
  cf_mirror_stream_end(r, f);
  switch (f->hd.type) {
  case H2E_FRAME_SETTINGS:
    cf_mirror_settings(r, f);
    break;
  case H2E_FRAME_PING:
    cf_mirror_ping(r, f);
    break;
  case H2E_FRAME_WINDOW_UPDATE:
    cf_mirror_window_update(r, f);
    break;
  default:
    break;
  }
}

/* The engine consumed in[0..len). */
static void cf_mirror_feed(cf_run *r, const uint8_t *in, size_t len) {
  cf_mirror *m = &r->mirror;
  size_t skip = len < m->preface_left ? len : m->preface_left;
  m->preface_left -= skip;
  in += skip;
  len -= skip;
  while (len > 0 && !m->dead) {
    size_t used = 0;
    h2e_frame frame;
    h2e_frame_error err;
    int rc = h2e_frame_read(&m->reader, in, len, &used, &frame, &err);
    in += used;
    len -= used;
    if (rc == 1)
      cf_mirror_frame(r, &frame);
    else if (rc < 0 && err.scope == H2E_SCOPE_CONNECTION)
      m->dead = 1;
    else if (rc == 0)
      break;
  }
}

/* The engine acknowledged the peer's oldest SETTINGS: what it said. */
static int cf_mirror_take_settings(cf_run *r, cf_settings_note *note) {
  cf_mirror *m = &r->mirror;
  if (m->settings_count == 0)
    return 0;
  *note = m->settings[m->settings_head];
  m->settings_head = (m->settings_head + 1) % CF_QUEUE_MAX;
  m->settings_count--;
  return 1;
}

/* The engine answered a PING: it must echo the oldest one unanswered. */
static int cf_mirror_take_ping(cf_run *r, const uint8_t opaque[8]) {
  cf_mirror *m = &r->mirror;
  if (m->ping_count == 0)
    return 0;
  int same = memcmp(m->pings[m->ping_head], opaque, 8) == 0;
  m->ping_head = (m->ping_head + 1) % CF_QUEUE_MAX;
  m->ping_count--;
  return same;
}

#endif
