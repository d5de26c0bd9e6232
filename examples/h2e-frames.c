/* h2e-frames: prints the frames in the raw bytes of one side of an HTTP/2
 * connection, in the style of `nghttp -v`.
 *
 *   h2e-frames [--max-frame-size N] [--header-table-size N] [FILE | -]
 *
 * The input is what one endpoint sent: a client side starts with the
 * connection preface, a server side with its SETTINGS. Header blocks are
 * decoded with one HPACK decoder for the whole input, as the receiving
 * peer would. Invalid input ends with the RFC 9113 error code and why, and
 * exit status 1. It drives the incremental frame reader with small reads,
 * so it works the same on a pipe.
 */
#include <h2e_frame.h>
#include <h2e_hpack.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INDENT      "          "
#define MAX_BLOCK   (1u << 20) /* header block we assemble, compressed */
#define MAX_FIELDS  4096       /* fields of one decoded block */
#define MAX_DECODED (1u << 20) /* decoded names and values of one block */

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define PREFACE_LEN (sizeof preface - 1)

struct options {
  uint32_t max_frame_size;
  uint32_t header_table_size;
  const char *path;
};

/* One side of a connection being read. */
struct session {
  FILE *in;
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

static void print_flags(const h2e_frame *f) {
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
      printf("%s%s", sep, names[i].name);
      sep = " | ";
    }
  printf("\n");
}

static void print_bytes(const uint8_t *p, size_t len) {
  for (size_t i = 0; i < len; i++)
    putchar(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
}

static void print_priority(const char *padlen, const h2e_frame_priority *p) {
  printf(INDENT "(%sdep_stream_id=%u, weight=%u, exclusive=%u)\n", padlen,
         p->dependency, p->weight + 1u, p->exclusive);
}

static void print_error_code(const char *label, uint32_t code) {
  printf("%s=%s(0x%02x)", label, h2e_h2_error_name(code), code);
}

static void print_settings(const h2e_frame *f) {
  printf(INDENT "(niv=%zu)\n", f->u.settings.count);
  for (size_t i = 0; i < f->u.settings.count; i++) {
    h2e_setting s = h2e_frame_setting(f, i);
    printf(INDENT "[SETTINGS_%s(0x%02x):%u]\n", h2e_settings_name(s.id), s.id,
           s.value);
  }
}

static void print_origins(const h2e_frame *f) {
  size_t pos = 0;
  const uint8_t *origin;
  size_t origin_len;
  while (h2e_origin_next(f->u.origin.entries, f->u.origin.entries_len, &pos,
                         &origin, &origin_len)) {
    printf(INDENT "[");
    print_bytes(origin, origin_len);
    printf("]\n");
  }
}

static void print_fields(const h2e_frame *f) {
  switch (f->hd.type) {
  case H2E_FRAME_DATA:
    if (f->hd.flags & H2E_FLAG_PADDED)
      printf(INDENT "(padlen=%u)\n", f->u.data.pad_len);
    break;
  case H2E_FRAME_HEADERS:
    if (f->hd.flags & H2E_FLAG_PRIORITY) {
      char padlen[32];
      snprintf(padlen, sizeof padlen, "padlen=%u, ", f->u.headers.pad_len);
      print_priority(padlen, &f->u.headers.priority);
    } else if (f->hd.flags & H2E_FLAG_PADDED) {
      printf(INDENT "(padlen=%u)\n", f->u.headers.pad_len);
    }
    break;
  case H2E_FRAME_PRIORITY:
    print_priority("", &f->u.priority);
    break;
  case H2E_FRAME_RST_STREAM:
    printf(INDENT "(");
    print_error_code("error_code", f->u.rst_stream.error_code);
    printf(")\n");
    break;
  case H2E_FRAME_SETTINGS:
    print_settings(f);
    break;
  case H2E_FRAME_PUSH_PROMISE:
    printf(INDENT "(padlen=%u, promised_stream_id=%u)\n",
           f->u.push_promise.pad_len, f->u.push_promise.promised_stream_id);
    break;
  case H2E_FRAME_PING:
    printf(INDENT "(opaque_data=");
    for (int i = 0; i < 8; i++)
      printf("%02x", f->u.ping.opaque_data[i]);
    printf(")\n");
    break;
  case H2E_FRAME_GOAWAY:
    printf(INDENT "(last_stream_id=%u, ", f->u.goaway.last_stream_id);
    print_error_code("error_code", f->u.goaway.error_code);
    printf(", opaque_data(%zu)=[", f->u.goaway.debug_len);
    print_bytes(f->u.goaway.debug_data, f->u.goaway.debug_len);
    printf("])\n");
    break;
  case H2E_FRAME_WINDOW_UPDATE:
    printf(INDENT "(window_size_increment=%u)\n", f->u.window_update.increment);
    break;
  case H2E_FRAME_ALTSVC:
    printf(INDENT "(origin=[");
    print_bytes(f->u.altsvc.origin, f->u.altsvc.origin_len);
    printf("], alt_svc_field_value=[");
    print_bytes(f->u.altsvc.field_value, f->u.altsvc.field_value_len);
    printf("])\n");
    break;
  case H2E_FRAME_ORIGIN:
    print_origins(f);
    break;
  case H2E_FRAME_PRIORITY_UPDATE:
    printf(INDENT "(prioritized_stream_id=%u, priority_field_value=[",
           f->u.priority_update.prioritized_stream_id);
    print_bytes(f->u.priority_update.field_value,
                f->u.priority_update.field_value_len);
    printf("])\n");
    break;
  default:
    break;
  }
}

static void print_frame(const h2e_frame *f) {
  if (f->ignore == H2E_FRAME_IGNORE_UNKNOWN_TYPE)
    printf("UNKNOWN(0x%02x) frame <length=%u, flags=0x%02x, stream_id=%u>\n",
           f->hd.type, f->hd.length, f->hd.flags, f->hd.stream_id);
  else
    printf("%s frame <length=%u, flags=0x%02x, stream_id=%u>\n",
           h2e_frame_type_name(f->hd.type), f->hd.length, f->hd.flags,
           f->hd.stream_id);
  print_flags(f);
  if (f->ignore == H2E_FRAME_USE)
    print_fields(f);
  else if (f->ignore != H2E_FRAME_IGNORE_UNKNOWN_TYPE)
    printf(INDENT "; ignored (RFC 7838 §4 / RFC 8336 §2.1)\n");
}

/* ---- errors ----------------------------------------------------------- */

static void report(struct session *s, const h2e_frame_error *err) {
  s->errors++;
  if (err->scope == H2E_SCOPE_STREAM)
    printf("error: stream %u: %s(0x%02x): %s (RST_STREAM, reading goes on)\n",
           err->stream_id, h2e_h2_error_name(err->code), err->code,
           err->reason);
  else
    printf("error at offset %llu: connection error %s(0x%02x): %s\n",
           (unsigned long long)s->offset, h2e_h2_error_name(err->code),
           err->code, err->reason);
}

static int connection_error(struct session *s, h2e_h2_error code,
                            const char *reason) {
  h2e_frame_error err = {code, H2E_SCOPE_CONNECTION, 0, reason};
  report(s, &err);
  return -1;
}

/* ---- header blocks (RFC 9113 §4.3, §6.10) ----------------------------- */

static int decode_block(struct session *s) {
  h2e_hpack_output out = {.buf = s->decoded,
                          .buf_cap = MAX_DECODED,
                          .fields = s->fields,
                          .fields_cap = MAX_FIELDS};
  h2e_hpack_decode_begin(s->hpack, &out);
  ptrdiff_t rv = h2e_hpack_decode(s->hpack, s->block, s->block_len, 1);
  s->block_stream = 0;
  if (rv == H2E_ERR_HEADER_LIST_TOO_LARGE) {
    printf(INDENT "; header list too large to print\n");
    return 0;
  }
  if (rv < 0)
    return connection_error(s, H2E_COMPRESSION_ERROR,
                            "RFC 7541: invalid header block");
  for (size_t i = 0; i < out.count; i++) {
    printf(INDENT);
    print_bytes(out.fields[i].name, out.fields[i].name_len);
    printf(": ");
    print_bytes(out.fields[i].value, out.fields[i].value_len);
    printf("%s\n",
           out.fields[i].flags & H2E_FIELD_NEVER_INDEX ? " (sensitive)" : "");
  }
  return 0;
}

static int add_fragment(struct session *s, uint32_t stream_id,
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
static int handle_block(struct session *s, const h2e_frame *f) {
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

static int handle_frame(struct session *s, const h2e_frame *f) {
  print_frame(f);
  return handle_block(s, f);
}

static int feed(struct session *s, const uint8_t *in, size_t len) {
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
 * starts right away with frames. */
static int run(struct session *s) {
  uint8_t chunk[4096];
  size_t n = fread(chunk, 1, PREFACE_LEN, s->in);
  size_t same = 0;
  while (same < n && chunk[same] == (uint8_t)preface[same])
    same++;
  if (same == PREFACE_LEN) {
    printf("client connection preface <PRI * HTTP/2.0>\n");
    s->offset = s->frame_end = PREFACE_LEN;
  } else if (same >= 3) {
    return connection_error(s, H2E_PROTOCOL_ERROR,
                            "RFC 9113 §3.4: invalid connection preface");
  } else if (feed(s, chunk, n) < 0) {
    return -1;
  }
  while ((n = fread(chunk, 1, sizeof chunk, s->in)) > 0)
    if (feed(s, chunk, n) < 0)
      return -1;
  if (s->frame_end != s->offset || s->block_stream != 0)
    printf("note: the input ends inside a frame or a header block\n");
  return 0;
}

/* ---- main ------------------------------------------------------------- */

static int usage(void) {
  fprintf(stderr, "usage: h2e-frames [--max-frame-size N] "
                  "[--header-table-size N] [FILE | -]\n");
  return 2;
}

static int parse_u32(const char *text, uint32_t *value) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(text, &end, 10);
  if (errno || *end || v > UINT32_MAX)
    return -1;
  *value = (uint32_t)v;
  return 0;
}

static int parse_options(int argc, char **argv, struct options *o) {
  o->max_frame_size = H2E_MAX_FRAME_SIZE_MIN;
  o->header_table_size = 4096;
  o->path = "-";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--max-frame-size") == 0 && i + 1 < argc) {
      if (parse_u32(argv[++i], &o->max_frame_size) < 0)
        return -1;
    } else if (strcmp(argv[i], "--header-table-size") == 0 && i + 1 < argc) {
      if (parse_u32(argv[++i], &o->header_table_size) < 0)
        return -1;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return -1;
    } else {
      o->path = argv[i];
    }
  }
  return 0;
}

static int session_open(struct session *s, const struct options *o) {
  memset(s, 0, sizeof *s);
  s->in = strcmp(o->path, "-") == 0 ? stdin : fopen(o->path, "rb");
  if (s->in == NULL) {
    fprintf(stderr, "h2e-frames: %s: %s\n", o->path, strerror(errno));
    return -1;
  }
  h2e_hpack_decoder_config hpack_config;
  h2e_hpack_decoder_config_init(&hpack_config);
  hpack_config.max_table_size = o->header_table_size;
  hpack_config.max_header_list_size = MAX_DECODED;
  s->frame_buf = malloc(o->max_frame_size);
  s->block = malloc(MAX_BLOCK);
  s->decoded = malloc(MAX_DECODED);
  s->fields = malloc(MAX_FIELDS * sizeof *s->fields);
  s->hpack = h2e_hpack_decoder_new(&hpack_config, NULL);
  if (!s->frame_buf || !s->block || !s->decoded || !s->fields || !s->hpack) {
    fprintf(stderr, "h2e-frames: out of memory\n");
    return -1;
  }
  if (h2e_frame_reader_init(&s->reader, s->frame_buf, o->max_frame_size,
                            o->max_frame_size, 0) < 0) {
    fprintf(stderr, "h2e-frames: --max-frame-size must be 16384..16777215\n");
    return -1;
  }
  return 0;
}

static void session_close(struct session *s) {
  if (s->in && s->in != stdin)
    fclose(s->in);
  h2e_hpack_decoder_free(s->hpack);
  free(s->frame_buf);
  free(s->block);
  free(s->decoded);
  free(s->fields);
}

int main(int argc, char **argv) {
  struct options options;
  if (parse_options(argc, argv, &options) < 0)
    return usage();
  struct session s;
  int status = session_open(&s, &options) < 0 ? 2 : 0;
  if (status == 0 && (run(&s) < 0 || s.errors > 0))
    status = 1;
  session_close(&s);
  return status;
}
