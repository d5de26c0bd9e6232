#include "upgrade.h"
#include "io.h"

#include <string.h>

/* The longest method taken (the registered ones are far shorter). */
#define METHOD_MAX 32

/* One header line of the HTTP/1.1 head: slices into the input. */
typedef struct line_field {
  const uint8_t *name, *value;
  size_t name_len, value_len;
} line_field;

typedef struct head {
  const uint8_t *method, *target;
  size_t method_len, target_len;
  line_field fields[H2E_UPGRADE_FIELDS_MAX];
  size_t count;
} head;

/* RFC 9110 §5.6.2: tchar. */
static int is_tchar(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_ows(uint8_t c) {
  return c == ' ' || c == '\t';
}

static uint8_t lower(uint8_t c) {
  return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static int equals_nocase(const uint8_t *s, size_t len, const char *lit) {
  size_t n = strlen(lit);
  if (len != n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (lower(s[i]) != (uint8_t)lit[i])
      return 0;
  return 1;
}

/* Whether a comma-separated token list (RFC 9110 §5.6.1) holds token. */
static int list_has(const uint8_t *v, size_t len, const char *token) {
  size_t i = 0;
  while (i < len) {
    while (i < len && (is_ows(v[i]) || v[i] == ','))
      i++;
    size_t start = i;
    while (i < len && v[i] != ',')
      i++;
    size_t end = i;
    while (end > start && is_ows(v[end - 1]))
      end--;
    if (equals_nocase(v + start, end - start, token))
      return 1;
  }
  return 0;
}

/* The end of the head ("\r\n\r\n"), or 0. */
static size_t head_end(const uint8_t *in, size_t len) {
  for (size_t i = 3; i < len; i++)
    if (in[i] == '\n' && in[i - 1] == '\r' && in[i - 2] == '\n' &&
        in[i - 3] == '\r')
      return i + 1;
  return 0;
}

/* "METHOD SP target SP HTTP/1.1 CRLF" (RFC 9112 §3). Returns the octets
 * of the line, or 0 when malformed. */
static size_t parse_request_line(const uint8_t *in, size_t len, head *h) {
  size_t i = 0;
  while (i < len && is_tchar(in[i]))
    i++;
  if (i == 0 || i >= len || in[i] != ' ')
    return 0;
  h->method = in, h->method_len = i;
  size_t start = ++i;
  while (i < len && in[i] > ' ' && in[i] < 0x7f)
    i++;
  if (i == start || i >= len || in[i] != ' ')
    return 0;
  h->target = in + start, h->target_len = i - start;
  static const char version[] = " HTTP/1.1\r\n";
  if (len - i < sizeof version - 1 ||
      memcmp(in + i, version, sizeof version - 1) != 0)
    return 0;
  return i + sizeof version - 1;
}

/* "name: OWS value OWS CRLF" lines up to the blank line (RFC 9112 §5). */
static int parse_fields(const uint8_t *p, const uint8_t *end, head *h) {
  while (p + 2 <= end && !(p[0] == '\r' && p[1] == '\n')) {
    const uint8_t *name = p;
    while (p < end && is_tchar(*p))
      p++;
    if (p == name || p >= end || *p != ':' ||
        h->count == H2E_UPGRADE_FIELDS_MAX)
      return -1;
    line_field *f = &h->fields[h->count++];
    f->name = name, f->name_len = (size_t)(p - name);
    p++;
    while (p < end && is_ows(*p))
      p++;
    const uint8_t *value = p;
    while (p < end && *p != '\r' && *p != '\n' && *p != '\0')
      p++;
    if (p + 1 >= end || p[0] != '\r' || p[1] != '\n')
      return -1;
    const uint8_t *value_end = p;
    while (value_end > value && is_ows(value_end[-1]))
      value_end--;
    f->value = value, f->value_len = (size_t)(value_end - value);
    p += 2;
  }
  return 0;
}

static const line_field *find(const head *h, const char *name, size_t *n) {
  const line_field *found = NULL;
  *n = 0;
  for (size_t i = 0; i < h->count; i++)
    if (equals_nocase(h->fields[i].name, h->fields[i].name_len, name)) {
      found = found ? found : &h->fields[i];
      (*n)++;
    }
  return found;
}

/* RFC 7540 §3.2 and §3.2.1: Upgrade names h2c, Connection names Upgrade
 * and HTTP2-Settings, exactly one HTTP2-Settings that decodes, a Host, an
 * origin-form target, and no body (we switch at once). */
static h2e_upgrade_result check_upgrade(const head *h,
                                        h2e_upgrade_request *out) {
  size_t n_upgrade, n_connection, n_settings, n_host, n_length, n_te;
  const line_field *upgrade = find(h, "upgrade", &n_upgrade);
  const line_field *connection = find(h, "connection", &n_connection);
  const line_field *settings = find(h, "http2-settings", &n_settings);
  const line_field *length = find(h, "content-length", &n_length);
  find(h, "host", &n_host);
  find(h, "transfer-encoding", &n_te);
  if (upgrade == NULL || !list_has(upgrade->value, upgrade->value_len, "h2c") ||
      connection == NULL ||
      !list_has(connection->value, connection->value_len, "upgrade") ||
      !list_has(connection->value, connection->value_len, "http2-settings") ||
      n_settings != 1 || n_host != 1 || h->target[0] != '/' || n_te != 0 ||
      (length && !(length->value_len == 1 && length->value[0] == '0')))
    return H2E_UPGRADE_DECLINED;
  ptrdiff_t count = h2e_upgrade_settings_decode(
      (const char *)settings->value, settings->value_len, out->settings,
      H2E_UPGRADE_SETTINGS_MAX);
  if (count < 0)
    return H2E_UPGRADE_DECLINED;
  out->settings_count = (size_t)count;
  return H2E_UPGRADE_OK;
}

static void add_field(h2e_upgrade_request *out, const char *name,
                      size_t name_len, const uint8_t *value, size_t value_len) {
  out->fields[out->field_count++] = (h2e_field){
      (const uint8_t *)name, value, (uint32_t)name_len, (uint32_t)value_len, 0};
}

/* RFC 9113 §8.2.2: fields that are about the HTTP/1.1 connection only. */
static int connection_specific(const line_field *f) {
  static const char *const names[] = {"connection",
                                      "keep-alive",
                                      "proxy-connection",
                                      "transfer-encoding",
                                      "upgrade",
                                      "http2-settings",
                                      "host"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (equals_nocase(f->name, f->name_len, names[i]))
      return 1;
  return equals_nocase(f->name, f->name_len, "te") &&
         !equals_nocase(f->value, f->value_len, "trailers");
}

/* The request as HTTP/2 fields, names lowercased into out->names. */
static void build_fields(const head *h, h2e_upgrade_request *out) {
  size_t host_n;
  const line_field *host = find(h, "host", &host_n);
  out->field_count = 0;
  add_field(out, ":method", 7, h->method, h->method_len);
  add_field(out, ":scheme", 7, (const uint8_t *)"http", 4);
  add_field(out, ":authority", 10, host->value, host->value_len);
  add_field(out, ":path", 5, h->target, h->target_len);
  size_t used = 0;
  for (size_t i = 0; i < h->count; i++) {
    const line_field *f = &h->fields[i];
    if (connection_specific(f) || out->field_count == H2E_UPGRADE_FIELDS_MAX)
      continue;
    char *name = out->names + used;
    for (size_t k = 0; k < f->name_len; k++)
      name[k] = (char)lower(f->name[k]);
    used += f->name_len;
    add_field(out, name, f->name_len, f->value, f->value_len);
  }
}

/* What has come so far can still be the start of a request line: a
 * method token (RFC 9110 §9.1) of sane length, then SP. Anything else (a
 * TLS ClientHello on the cleartext port, say) is refused at once rather
 * than waited on. */
static int can_be_request_line(const uint8_t *in, size_t len) {
  size_t i = 0;
  while (i < len && i <= METHOD_MAX && is_tchar(in[i]))
    i++;
  return i == len ? i <= METHOD_MAX : i > 0 && i <= METHOD_MAX && in[i] == ' ';
}

h2e_upgrade_result h2e_upgrade_parse(const uint8_t *in, size_t len,
                                     h2e_upgrade_request *out) {
  if (!can_be_request_line(in, len))
    return H2E_UPGRADE_MALFORMED;
  size_t end =
      head_end(in, len < H2E_UPGRADE_HEAD_MAX ? len : H2E_UPGRADE_HEAD_MAX);
  if (end == 0)
    return len >= H2E_UPGRADE_HEAD_MAX ? H2E_UPGRADE_MALFORMED
                                       : H2E_UPGRADE_NEED_MORE;
  head h;
  memset(&h, 0, sizeof h);
  size_t line = parse_request_line(in, end, &h);
  if (line == 0 || parse_fields(in + line, in + end, &h) != 0)
    return H2E_UPGRADE_MALFORMED;
  out->head_len = end;
  h2e_upgrade_result result = check_upgrade(&h, out);
  if (result == H2E_UPGRADE_OK)
    build_fields(&h, out);
  return result;
}

const char *h2e_upgrade_response(h2e_upgrade_result result) {
  switch (result) {
  case H2E_UPGRADE_OK:
    return "HTTP/1.1 101 Switching Protocols\r\n"
           "Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
  case H2E_UPGRADE_DECLINED:
    return "HTTP/1.1 505 HTTP Version Not Supported\r\n"
           "Connection: close\r\nContent-Type: text/plain\r\n"
           "Content-Length: 71\r\n\r\n"
           "This server speaks HTTP/2 only: prior knowledge, Upgrade: h2c, or "
           "TLS.\n";
  default:
    return "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
           "Content-Length: 0\r\n\r\n";
  }
}

/* ---- the adapter's side ---------------------------------------------------
 */

static void queue_prefix(h2e_loop_conn *lc, h2e_upgrade_result result) {
  lc->prefix = h2e_upgrade_response(result);
  lc->prefix_len = strlen(lc->prefix);
  lc->prefix_sent = 0;
  lc->close_after_prefix = result != H2E_UPGRADE_OK;
  lc->reading_head = 0;
}

/* RFC 7540 §3.2: the 101 goes out, then the server's HTTP/2 preface
 * (SETTINGS) from the upgraded engine; the client's preface follows the
 * head in the input, fed on the next round (the request event must be
 * pulled first). */
int h2e_loop_upgrade(h2e_loop_conn *lc, uint64_t now_ms, int *progress) {
  /* Parsed afresh from the held input each time (the head is short); the
   * fields only live until the upgraded engine has copied them. */
  h2e_upgrade_request *r = lc->allocator.alloc(lc->allocator.ctx, sizeof *r);
  if (r == NULL)
    return H2E_ERR_NOMEM;
  h2e_upgrade_result result =
      h2e_upgrade_parse(lc->in + lc->in_start, lc->in_end - lc->in_start, r);
  if (result == H2E_UPGRADE_NEED_MORE && lc->in_end < lc->in_cap) {
    lc->allocator.free(lc->allocator.ctx, r, sizeof *r);
    lc->reading_head = 1;
    return H2E_OK;
  }
  h2e_conn *engine = NULL;
  if (result == H2E_UPGRADE_OK)
    engine = h2e_conn_new_upgraded(lc->upgrade_config, &lc->allocator, now_ms,
                                   r->settings, r->settings_count, r->fields,
                                   r->field_count);
  if (result == H2E_UPGRADE_OK && engine == NULL)
    result = H2E_UPGRADE_DECLINED;
  if (result == H2E_UPGRADE_NEED_MORE)
    result = H2E_UPGRADE_MALFORMED;
  queue_prefix(lc, result);
  *progress = 1;
  if (engine) {
    h2e_conn_free(lc->engine);
    lc->engine = engine;
    lc->in_start += r->head_len;
    /* HTTP/2 output waits for the client's preface (protocol_known): a
     * client that reads the 101 into a small buffer (curl 7.88) would
     * choke on a whole response right behind it. */
    lc->protocol = "h2c-upgrade";
  }
  lc->allocator.free(lc->allocator.ctx, r, sizeof *r);
  return H2E_OK;
}
