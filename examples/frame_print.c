/* The frame printer shared by h2e-frames and h2e-get -v: the incremental
 * frame reader (h2e_frame.h) and an HPACK decoder over one side's bytes. */
#include "frame_print.h"

#include <stdlib.h>
#include <string.h>

#define INDENT      "          "
#define MAX_BLOCK   (1u << 20) /* header block we assemble, compressed */
#define MAX_FIELDS  4096       /* fields of one decoded block */
#define MAX_DECODED (1u << 20) /* decoded names and values of one block */

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define PREFACE_LEN (sizeof preface - 1)

struct frame_printer {
  FILE *out;
  frame_printer_prefix prefix;
  void *arg;
  size_t preface_have; /* preface octets matched, while still deciding */
  int preface_done;    /* decided: the preface was there, or frames */
  int failed;
  uint64_t offset;    /* input octets consumed so far */
  uint64_t frame_end; /* offset after the last whole frame */
  h2e_frame_reader reader;
  uint8_t *frame_buf;
  h2e_hpack_decoder *hpack;
  /* The header block being assembled (HEADERS/PUSH_PROMISE +
   * CONTINUATION), RFC 9113 §4.3. */
  uint8_t *block;
  size_t block_len;
  uint32_t block_stream; /* 0 when no block is open */
  uint8_t *decoded;
  h2e_field *fields;
  int errors;
};

/* ---- printing one frame ---------------------------------------------- */

struct flag_name {
  uint8_t flag;
  const char *name;
};

static void print_flags(frame_printer *s, const h2e_frame *f) {
  static const struct flag_name stream_flags[] = {
      {H2E_FLAG_END_STREAM, "END_STREAM"},
      {H2E_FLAG_END_HEADERS, "END_HEADERS"},
      {H2E_FLAG_PADDED, "PADDED"},
      {H2E_FLAG_PRIORITY, "PRIORITY"}};
  static const struct flag_name ack_flag[] = {{H2E_FLAG_ACK, "ACK"}};
  const struct flag_name *names = stream_flags;
  size_t count = sizeof stream_flags / sizeof stream_flags[0];
  if (f->hd.type == H2E_FRAME_SETTINGS || f->hd.type == H2E_FRAME_PING) {
    names = ack_flag;
    count = 1;
  }
  if (f->ignore == H2E_FRAME_IGNORE_UNKNOWN_TYPE || f->hd.flags == 0)
    return;
  const char *sep = INDENT "; ";
  for (size_t i = 0; i < count; i++)
    if (f->hd.flags & names[i].flag) {
      fprintf(s->out, "%s%s", sep, names[i].name);
      sep = " | ";
    }
  fprintf(s->out, "\n");
}

static void print_bytes(frame_printer *s, const uint8_t *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    fputc(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.', s->out);
}

static void print_priority(frame_printer *s, const char *padlen,
                           const h2e_frame_priority *p) {
  fprintf(s->out, INDENT "(%sdep_stream_id=%u, weight=%u, exclusive=%u)\n",
          padlen, p->dependency, p->weight + 1u, p->exclusive);
}

static void print_error_code(frame_printer *s, const char *label,
                             uint32_t code) {
  fprintf(s->out, "%s=%s(0x%02x)", label, h2e_h2_error_name(code), code);
}

static void print_settings(frame_printer *s, const h2e_frame *f) {
  fprintf(s->out, INDENT "(niv=%zu)\n", f->u.settings.count);
  for (size_t i = 0; i < f->u.settings.count; i++) {
    h2e_setting setting = h2e_frame_setting(f, i);
    fprintf(s->out, INDENT "[SETTINGS_%s(0x%02x):%u]\n",
            h2e_settings_name(setting.id), setting.id, setting.value);
  }
}

static void print_origins(frame_printer *s, const h2e_frame *f) {
  size_t pos = 0;
  const uint8_t *origin;
  size_t origin_len;
  while (h2e_origin_next(f->u.origin.entries, f->u.origin.entries_len, &pos,
                         &origin, &origin_len)) {
    fprintf(s->out, INDENT "[");
    print_bytes(s, origin, origin_len);
    fprintf(s->out, "]\n");
  }
}

static void print_fields(frame_printer *s, const h2e_frame *f) {
  switch (f->hd.type) {
  case H2E_FRAME_DATA:
    if (f->hd.flags & H2E_FLAG_PADDED)
      fprintf(s->out, INDENT "(padlen=%u)\n", f->u.data.pad_len);
    break;
  case H2E_FRAME_HEADERS:
    if (f->hd.flags & H2E_FLAG_PRIORITY) {
      char padlen[32];
      snprintf(padlen, sizeof padlen, "padlen=%u, ", f->u.headers.pad_len);
      print_priority(s, padlen, &f->u.headers.priority);
    } else if (f->hd.flags & H2E_FLAG_PADDED) {
      fprintf(s->out, INDENT "(padlen=%u)\n", f->u.headers.pad_len);
    }
    break;
  case H2E_FRAME_PRIORITY:
    print_priority(s, "", &f->u.priority);
    break;
  case H2E_FRAME_RST_STREAM:
    fprintf(s->out, INDENT "(");
    print_error_code(s, "error_code", f->u.rst_stream.error_code);
    fprintf(s->out, ")\n");
    break;
  case H2E_FRAME_SETTINGS:
    print_settings(s, f);
    break;
  case H2E_FRAME_PUSH_PROMISE:
    fprintf(s->out, INDENT "(padlen=%u, promised_stream_id=%u)\n",
            f->u.push_promise.pad_len, f->u.push_promise.promised_stream_id);
    break;
  case H2E_FRAME_PING:
    fprintf(s->out, INDENT "(opaque_data=");
    for (int i = 0; i < 8; i++)
      fprintf(s->out, "%02x", f->u.ping.opaque_data[i]);
    fprintf(s->out, ")\n");
    break;
  case H2E_FRAME_GOAWAY:
    fprintf(s->out, INDENT "(last_stream_id=%u, ", f->u.goaway.last_stream_id);
    print_error_code(s, "error_code", f->u.goaway.error_code);
    fprintf(s->out, ", opaque_data(%zu)=[", f->u.goaway.debug_len);
    print_bytes(s, f->u.goaway.debug_data, f->u.goaway.debug_len);
    fprintf(s->out, "])\n");
    break;
  case H2E_FRAME_WINDOW_UPDATE:
    fprintf(s->out, INDENT "(window_size_increment=%u)\n",
            f->u.window_update.increment);
    break;
  case H2E_FRAME_ALTSVC:
    fprintf(s->out, INDENT "(origin=[");
    print_bytes(s, f->u.altsvc.origin, f->u.altsvc.origin_len);
    fprintf(s->out, "], alt_svc_field_value=[");
    print_bytes(s, f->u.altsvc.field_value, f->u.altsvc.field_value_len);
    fprintf(s->out, "])\n");
    break;
  case H2E_FRAME_ORIGIN:
    print_origins(s, f);
    break;
  case H2E_FRAME_PRIORITY_UPDATE:
    fprintf(s->out, INDENT "(prioritized_stream_id=%u, priority_field_value=[",
            f->u.priority_update.prioritized_stream_id);
    print_bytes(s, f->u.priority_update.field_value,
                f->u.priority_update.field_value_len);
    fprintf(s->out, "])\n");
    break;
  default:
    break;
  }
}

static void print_frame(frame_printer *s, const h2e_frame *f) {
  if (f->ignore == H2E_FRAME_IGNORE_UNKNOWN_TYPE)
    fprintf(s->out,
            "UNKNOWN(0x%02x) frame <length=%u, flags=0x%02x, stream_id=%u>\n",
            f->hd.type, f->hd.length, f->hd.flags, f->hd.stream_id);
  else
    fprintf(s->out, "%s frame <length=%u, flags=0x%02x, stream_id=%u>\n",
            h2e_frame_type_name(f->hd.type), f->hd.length, f->hd.flags,
            f->hd.stream_id);
  print_flags(s, f);
  if (f->ignore == H2E_FRAME_USE)
    print_fields(s, f);
  else if (f->ignore != H2E_FRAME_IGNORE_UNKNOWN_TYPE)
    fprintf(s->out, INDENT "; ignored (RFC 7838 §4 / RFC 8336 §2.1)\n");
}

/* ---- errors ----------------------------------------------------------- */

static void report(frame_printer *s, const h2e_frame_error *err) {
  s->errors++;
  if (err->scope == H2E_SCOPE_STREAM)
    fprintf(s->out,
            "error: stream %u: %s(0x%02x): %s (RST_STREAM, reading goes on)\n",
            err->stream_id, h2e_h2_error_name(err->code), err->code,
            err->reason);
  else
    fprintf(s->out, "error at offset %llu: connection error %s(0x%02x): %s\n",
            (unsigned long long)s->offset, h2e_h2_error_name(err->code),
            err->code, err->reason);
}

static int connection_error(frame_printer *s, h2e_h2_error code,
                            const char *reason) {
  h2e_frame_error err = {code, H2E_SCOPE_CONNECTION, 0, reason};
  report(s, &err);
  return -1;
}

/* ---- header blocks (RFC 9113 §4.3, §6.10) ----------------------------- */

static int decode_block(frame_printer *s) {
  h2e_hpack_output out = {.buf = s->decoded,
                          .buf_cap = MAX_DECODED,
                          .fields = s->fields,
                          .fields_cap = MAX_FIELDS};
  h2e_hpack_decode_begin(s->hpack, &out);
  ptrdiff_t rv = h2e_hpack_decode(s->hpack, s->block, s->block_len, 1);
  s->block_stream = 0;
  if (rv == H2E_ERR_HEADER_LIST_TOO_LARGE) {
    fprintf(s->out, INDENT "; header list too large to print\n");
    return 0;
  }
  if (rv < 0)
    return connection_error(s, H2E_COMPRESSION_ERROR,
                            "RFC 7541: invalid header block");
  for (size_t i = 0; i < out.count; i++) {
    fprintf(s->out, INDENT);
    print_bytes(s, out.fields[i].name, out.fields[i].name_len);
    fprintf(s->out, ": ");
    print_bytes(s, out.fields[i].value, out.fields[i].value_len);
    fprintf(s->out, "%s\n",
            out.fields[i].flags & H2E_FIELD_NEVER_INDEX ? " (sensitive)" : "");
  }
  return 0;
}

static int add_fragment(frame_printer *s, uint32_t stream_id,
                        const uint8_t *fragment, size_t len, uint8_t flags) {
  if (len > MAX_BLOCK - s->block_len)
    return connection_error(s, H2E_ENHANCE_YOUR_CALM,
                            "header block over 1 MiB");
  memcpy(s->block + s->block_len, fragment, len);
  s->block_len += len;
  s->block_stream = stream_id;
  return flags & H2E_FLAG_END_HEADERS ? decode_block(s) : 0;
}

/* Collects the block fragment a frame carries, if any. */
static int handle_block(frame_printer *s, const h2e_frame *f) {
  int continuation = f->hd.type == H2E_FRAME_CONTINUATION;
  /* RFC 9113 §6.10: a block in progress admits only CONTINUATION frames of
   * the same stream, and CONTINUATION needs a block in progress. */
  if (s->block_stream != 0 &&
      (!continuation || f->hd.stream_id != s->block_stream))
    return connection_error(s, H2E_PROTOCOL_ERROR,
                            "RFC 9113 §6.10: header block interrupted");
  if (continuation && s->block_stream == 0)
    return connection_error(s, H2E_PROTOCOL_ERROR,
                            "RFC 9113 §6.10: CONTINUATION without a block");
  if (f->ignore != H2E_FRAME_USE)
    return 0;
  switch (f->hd.type) {
  case H2E_FRAME_HEADERS:
    s->block_len = 0;
    return add_fragment(s, f->hd.stream_id, f->u.headers.block,
                        f->u.headers.block_len, f->hd.flags);
  case H2E_FRAME_PUSH_PROMISE:
    s->block_len = 0;
    return add_fragment(s, f->hd.stream_id, f->u.push_promise.block,
                        f->u.push_promise.block_len, f->hd.flags);
  case H2E_FRAME_CONTINUATION:
    return add_fragment(s, f->hd.stream_id, f->u.continuation.block,
                        f->u.continuation.block_len, f->hd.flags);
  default:
    return 0;
  }
}

/* ---- input ------------------------------------------------------------ */

static int handle_frame(frame_printer *s, const h2e_frame *f) {
  if (s->prefix)
    s->prefix(s->arg, s->out);
  print_frame(s, f);
  return handle_block(s, f);
}

static int feed_frames(frame_printer *s, const uint8_t *in, size_t len) {
  while (len > 0) {
    size_t used = 0;
    h2e_frame frame;
    h2e_frame_error err;
    int rv = h2e_frame_read(&s->reader, in, len, &used, &frame, &err);
    in += used;
    len -= used;
    s->offset += used;
    if (rv == 0)
      continue;
    s->frame_end = s->offset;
    if (rv == H2E_ERR_PROTOCOL) {
      report(s, &err);
      if (err.scope == H2E_SCOPE_CONNECTION)
        return -1;
    } else if (handle_frame(s, &frame) < 0) {
      return -1;
    }
  }
  return 0;
}

/* RFC 9113 §3.4: a client side opens with the preface; a server side
 * starts right away with frames. The first octets decide: the whole
 * preface, or frames when they differ within the first three octets
 * (a preface start cut short or mangled later is an error). */
static int feed_preface(frame_printer *s, const uint8_t **in, size_t *len) {
  while (*len > 0 && s->preface_have < PREFACE_LEN &&
         **in == (uint8_t)preface[s->preface_have]) {
    s->preface_have++;
    (*in)++;
    (*len)--;
  }
  if (s->preface_have == PREFACE_LEN) {
    if (s->prefix)
      s->prefix(s->arg, s->out);
    fprintf(s->out, "client connection preface <PRI * HTTP/2.0>\n");
    s->offset = s->frame_end = PREFACE_LEN;
    s->preface_done = 1;
    return 0;
  }
  if (*len == 0)
    return 0; /* undecided yet */
  if (s->preface_have >= 3)
    return connection_error(s, H2E_PROTOCOL_ERROR,
                            "RFC 9113 §3.4: invalid connection preface");
  s->preface_done = 1; /* frames: the octets matched so far are theirs */
  return feed_frames(s, (const uint8_t *)preface, s->preface_have);
}

int frame_printer_feed(frame_printer *s, const uint8_t *in, size_t len) {
  if (s->failed)
    return -1;
  if (!s->preface_done && feed_preface(s, &in, &len) < 0)
    s->failed = 1;
  else if (feed_frames(s, in, len) < 0)
    s->failed = 1;
  return s->failed ? -1 : 0;
}

int frame_printer_finish(frame_printer *s) {
  if (s->failed)
    return -1;
  if (!s->preface_done && s->preface_have >= 3) {
    s->failed = 1;
    return connection_error(s, H2E_PROTOCOL_ERROR,
                            "RFC 9113 §3.4: invalid connection preface");
  }
  if (!s->preface_done && s->preface_have > 0) {
    s->preface_done = 1;
    if (feed_frames(s, (const uint8_t *)preface, s->preface_have) < 0)
      return -1;
  }
  if (s->frame_end != s->offset || s->block_stream != 0)
    fprintf(s->out, "note: the input ends inside a frame or a header block\n");
  return 0;
}

int frame_printer_errors(const frame_printer *s) {
  return s->errors;
}

frame_printer *frame_printer_new(FILE *out, uint32_t max_frame_size,
                                 uint32_t header_table_size,
                                 frame_printer_prefix prefix, void *arg) {
  frame_printer *s = calloc(1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->out = out;
  s->prefix = prefix;
  s->arg = arg;
  h2e_hpack_decoder_config hpack_config;
  h2e_hpack_decoder_config_init(&hpack_config);
  hpack_config.max_table_size = header_table_size;
  hpack_config.max_header_list_size = MAX_DECODED;
  s->frame_buf = malloc(max_frame_size);
  s->block = malloc(MAX_BLOCK);
  s->decoded = malloc(MAX_DECODED);
  s->fields = malloc(MAX_FIELDS * sizeof *s->fields);
  s->hpack = h2e_hpack_decoder_new(&hpack_config, NULL);
  if (!s->frame_buf || !s->block || !s->decoded || !s->fields || !s->hpack ||
      h2e_frame_reader_init(&s->reader, s->frame_buf, max_frame_size,
                            max_frame_size, 0) < 0) {
    frame_printer_free(s);
    return NULL;
  }
  return s;
}

void frame_printer_free(frame_printer *s) {
  if (s == NULL)
    return;
  h2e_hpack_decoder_free(s->hpack);
  free(s->frame_buf);
  free(s->block);
  free(s->decoded);
  free(s->fields);
  free(s);
}
