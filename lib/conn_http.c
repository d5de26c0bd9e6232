/* The HTTP layer in the engine (RFC 9113 §8): received field blocks are
 * classified and checked (http_check.c) before any event is raised, the
 * head sets its stream's body rule (http_body.c), and the blocks we
 * submit pass the same checks. H2E_HTTP_RAW turns all of it off but the
 * message framing of §8.1 (head, body, trailers that end the stream). */
#include "conn.h"

static int raw(const h2e_conn *conn) {
  return (conn->config.http_flags & H2E_HTTP_RAW) != 0;
}

/* RFC 8441 §3: :protocol is ours to accept once we announced it. */
static h2e_http_rules received_rules(const h2e_conn *conn) {
  h2e_http_rules rules = {conn->config.http_flags,
                          (uint8_t)(conn->config.enable_connect_protocol != 0)};
  return rules;
}

/* RFC 9113 §8.1: after the head only trailers, which end the stream. */
static int classify_trailers(h2e_conn *conn, h2e_stream *stream,
                             const h2e_field_list *list, int end_stream,
                             const char **why) {
  if (!end_stream) {
    *why = "RFC 9113 §8.1: field block after the head without END_STREAM";
    return -1;
  }
  if (!raw(conn)) {
    h2e_http_rules rules = received_rules(conn);
    h2e_http_head head;
    *why = h2e_http_check(list->fields, list->count, H2E_HTTP_TRAILERS, &rules,
                          &head);
    if (*why == NULL)
      *why = h2e_http_body_data(&stream->body, 0, 1);
  }
  return *why ? -1 : H2E_HEADERS_TRAILERS;
}

int h2e_conn_http_classify(h2e_conn *conn, h2e_stream *stream,
                           const h2e_field_list *list, int end_stream,
                           const char **why) {
  *why = NULL;
  if (stream->head_received)
    return classify_trailers(conn, stream, list, end_stream, why);
  h2e_http_head head = {0, 0, 0, 0};
  if (raw(conn)) {
    if (!conn->is_server && h2e_fields_informational(list->fields, list->count))
      head.status = 100;
  } else {
    h2e_http_rules rules = received_rules(conn);
    *why = h2e_http_check(
        list->fields, list->count,
        conn->is_server ? H2E_HTTP_REQUEST : H2E_HTTP_RESPONSE, &rules, &head);
    if (*why)
      return -1;
  }
  if (!conn->is_server && head.status != 0 && head.status < 200) {
    if (end_stream) {
      *why = "RFC 9113 §8.1: informational response with END_STREAM";
      return -1;
    }
    return H2E_HEADERS_INFORMATIONAL;
  }
  stream->head_received = 1;
  if (!raw(conn)) {
    h2e_http_body_start(&stream->body, &head, !conn->is_server);
    if (end_stream && (*why = h2e_http_body_data(&stream->body, 0, 1)))
      return -1;
  }
  return conn->is_server ? H2E_HEADERS_REQUEST : H2E_HEADERS_RESPONSE;
}

const char *h2e_conn_http_promise(const h2e_conn *conn,
                                  const h2e_field_list *list,
                                  uint8_t *head_request) {
  *head_request = 0;
  if (raw(conn))
    return NULL;
  h2e_http_rules rules = received_rules(conn);
  h2e_http_head head;
  const char *why =
      h2e_http_check(list->fields, list->count, H2E_HTTP_PUSH, &rules, &head);
  *head_request = why == NULL && head.method == H2E_METHOD_HEAD;
  return why;
}

int h2e_conn_http_submit(const h2e_conn *conn, h2e_http_kind kind,
                         const h2e_field *fields, size_t count, int end_stream,
                         h2e_http_head *head) {
  *head = (h2e_http_head){0, 0, 0, 0};
  if (raw(conn))
    return H2E_OK;
  /* RFC 8441 §3: :protocol only once the peer allowed it. */
  h2e_http_rules rules = {
      conn->config.http_flags,
      (uint8_t)(conn->peer_settings[H2E_SETTINGS_ENABLE_CONNECT_PROTOCOL] ==
                1)};
  if (h2e_http_check(fields, count, kind, &rules, head) != NULL)
    return H2E_ERR_INVALID_ARG;
  /* RFC 9113 §8.1: an informational response does not end the stream. */
  if (kind == H2E_HTTP_RESPONSE && head->status < 200 && end_stream)
    return H2E_ERR_INVALID_ARG;
  return H2E_OK;
}

void h2e_conn_http_join_cookies(h2e_conn *conn, h2e_hpack_output *out) {
  if ((conn->config.http_flags & (H2E_HTTP_JOIN_COOKIES | H2E_HTTP_RAW)) !=
      H2E_HTTP_JOIN_COOKIES)
    return;
  h2e_arena *a = &conn->arena;
  size_t room = h2e_http_cookies_room(out->fields, out->count);
  /* The arena keeps max_header_list_size octets for this (conn_config.c),
   * and the crumbs' values fit in the list size. */
  if (room == 0 || room > a->bytes_cap - a->bytes_used)
    return;
  size_t kept =
      h2e_http_join_cookies(out->fields, out->count, a->bytes + a->bytes_used);
  a->bytes_used += room;
  a->fields_used -= out->count - kept;
  out->count = kept;
}
