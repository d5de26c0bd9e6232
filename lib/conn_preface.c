/* RFC 9113 §3.4: the client connection preface, as the server sees it,
 * and the detection of an HTTP/1.x request in its place. */
#include "conn.h"

#include <string.h>

const uint8_t h2e_client_preface[H2E_PREFACE_LEN] = {
    'P', 'R', 'I',  ' ',  '*',  ' ',  'H', 'T', 'T',  'P',  '/',  '2',
    '.', '0', '\r', '\n', '\r', '\n', 'S', 'M', '\r', '\n', '\r', '\n'};

/* "PRI ": input matching this much of the preface is an HTTP/2 attempt,
 * however it goes on. */
#define PREFACE_METHOD_LEN 4
/* The longest method we wait for before calling the input garbage. */
#define METHOD_MAX 32

/* RFC 9110 §5.6.2: tchar. */
static int is_tchar(uint8_t c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
      (c >= 'A' && c <= 'Z'))
    return 1;
  return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

enum http1_guess { NOT_HTTP1, MAYBE_HTTP1, HTTP1 };

/* A request line starts with a method token and a space (RFC 9112 §3). */
static enum http1_guess guess_http1(const uint8_t *in, size_t len) {
  for (size_t i = 0; i < len && i <= METHOD_MAX; i++) {
    if (in[i] == ' ')
      return i > 0 ? HTTP1 : NOT_HTTP1;
    if (!is_tchar(in[i]))
      return NOT_HTTP1;
  }
  return len <= METHOD_MAX ? MAYBE_HTTP1 : NOT_HTTP1;
}

ptrdiff_t h2e_conn_recv_preface(h2e_conn *conn, const uint8_t *in, size_t len) {
  size_t have = conn->preface_have;
  size_t n = len < H2E_PREFACE_LEN - have ? len : H2E_PREFACE_LEN - have;
  size_t match = 0;
  while (match < n && in[match] == h2e_client_preface[have + match])
    match++;
  if (match == n) {
    conn->preface_have = (uint8_t)(have + n);
    return (ptrdiff_t)n;
  }
  /* Diverging before "PRI " ends: maybe an HTTP/1.x request line, which
   * is reported with nothing consumed (a first read of a lone "P" is
   * consumed as the preface's start, and loses this detection). */
  if (have == 0 && match < PREFACE_METHOD_LEN) {
    enum http1_guess guess = guess_http1(in, len);
    if (guess == HTTP1)
      return H2E_ERR_NOT_HTTP2;
    if (guess == MAYBE_HTTP1)
      return 0;
  }
  /* RFC 9113 §3.4: an invalid preface is a connection error
   * PROTOCOL_ERROR (the GOAWAY MAY be omitted; we still queue it). */
  h2e_conn_fail(conn, H2E_PROTOCOL_ERROR,
                "RFC 9113 §3.4: invalid connection preface");
  return 0;
}
